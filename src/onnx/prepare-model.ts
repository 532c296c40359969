/**
 * Makes a user's ONNX model ready for quantization: checks the opset, fixes dynamic input dimensions
 * (`--input-shape`, batch → 1 as ESP-DL runs batch 1) and simplifies it the way ESP-PPQ's loader formats graphs.
 */
import { InputError } from '../errors.js';
import { cloneModel, onnxOpset, type Dim, type Model } from '../ir/graph.js';
import type { Logger } from '../log.js';
import { simplifyModel } from './simplify/index.js';

export interface PrepareOptions {
  /** Shape per graph input name, or one shape for a single-input model; with or without the batch dim. */
  inputShapes?: Record<string, readonly number[]> | readonly number[];
}

export const MIN_OPSET = 11;
export const MAX_OPSET = 21;

function fixInputDims(model: Model, opts: PrepareOptions): Model {
  const m = cloneModel(model);
  const inits = m.graph.initializers;
  const inputs = m.graph.inputs.filter((v) => !inits.has(v.name));
  const shapeFor = (name: string): readonly number[] | undefined => {
    if (!opts.inputShapes) return undefined;
    if (Array.isArray(opts.inputShapes)) return inputs.length === 1 ? opts.inputShapes : undefined;
    return (opts.inputShapes as Record<string, readonly number[]>)[name];
  };
  for (const v of inputs) {
    const given = shapeFor(v.name);
    const shape: Dim[] = v.shape ? [...v.shape] : [];
    if (given) {
      const full = given.length === shape.length ? [...given] : [1, ...given];
      if (shape.length > 0 && full.length !== shape.length) {
        throw new InputError(`--input-shape ${given.join(',')} does not fit input "${v.name}" of rank ${shape.length}`);
      }
      v.shape = full;
      continue;
    }
    if (shape.length > 0 && typeof shape[0] !== 'number') shape[0] = 1;
    if (shape.length > 0 && shape[0] === -1) shape[0] = 1;
    const dynamic = shape.findIndex((d) => typeof d !== 'number' || d < 0);
    if (!v.shape || dynamic >= 0) {
      throw new InputError(`input "${v.name}" has a dynamic dimension (${JSON.stringify(v.shape)}): give its shape with --input-shape`);
    }
    v.shape = shape;
  }
  return m;
}

export function prepareModel(model: Model, opts: PrepareOptions, logger: Logger): Model {
  const opset = onnxOpset(model);
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new InputError(`the model uses ONNX opset ${opset}; supported opsets are ${MIN_OPSET} to ${MAX_OPSET} (re-export it, e.g. torch.onnx.export(..., opset_version=13))`);
  }
  return simplifyModel(fixInputDims(model, opts), { logger, fixBatchTo1: true });
}
