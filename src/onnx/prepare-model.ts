/**
 * Makes a user's ONNX model ready for quantization: the front end (onnx/frontend: static input shapes, opset
 * 7–23 → the internal form, shape arithmetic folded, rewrites to ESP-DL ops), then ESP-PPQ's graph formatting
 * (onnx/simplify), then a check that ESP-DL has a kernel for every node left, so a model that could never load
 * on the chip fails in seconds, naming every such node, rather than after calibration.
 */
import { assertEspdlKernels } from '../ops/kernels.js';
import type { Model } from '../ir/graph.js';
import type { Logger } from '../log.js';
import { runFrontEnd, type InputShapes, type InputValues } from './frontend/index.js';
import { simplifyModel } from './simplify/index.js';

export interface PrepareOptions {
  /** Shape per graph input name, or one shape for a single-input model; with or without the batch dim. */
  inputShapes?: InputShapes;
  /** Inputs frozen to a constant value (the front end folds what depends on them, e.g. an `If`). */
  inputValues?: InputValues;
}

export function prepareModel(model: Model, opts: PrepareOptions, logger: Logger): Model {
  const converted = runFrontEnd(model, {
    logger, ...(opts.inputShapes ? { inputShapes: opts.inputShapes } : {}), ...(opts.inputValues ? { inputValues: opts.inputValues } : {}),
  });
  const prepared = simplifyModel(converted, { logger, fixBatchTo1: true });
  // ConvTranspose has no ESP-DL module but the quantizer decomposes it into InsertZeros + Conv (ESP-PPQ's way).
  assertEspdlKernels(prepared.graph.nodes.filter((n) => n.opType !== 'ConvTranspose'));
  return prepared;
}
