/**
 * The quantize-to-files use case (ESP-PPQ's espdl_quantize_onnx): load and prepare the ONNX model, open the
 * calibration data, quantize with fixed settings and write model.qdq.onnx, model.espdl, model.info and
 * model.json. The CLI `quantize`, the demo and the library's espdlQuantizeOnnx call it.
 */
import path from 'node:path';
import type { InferenceRuntime } from '../exec/runtime.js';
import { InputError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ExportFileOptions } from '../node/export-files.js';
import { openModelAndData, type CalibrationData, type OpenInputsRequest } from '../node/open-inputs.js';
import { ortRuntime } from '../node/ort-runtime.js';
import { quantizeToFiles, type QuantizeFilesResult } from '../node/quantize-files.js';
import { defaultQuantOptions, type QuantOptions } from '../quant/options.js';
import type { Target } from '../quant/types.js';

export interface QuantizeRequest {
  /** ONNX model, relative to `cwd`. */
  model: string;
  /** Calibration data: a path (.npy, .npz or a folder of .npy) relative to `cwd`, a DataSource or a loader. */
  calib: CalibrationData;
  target: Target;
  bits: 8 | 16;
  /** Applied over ESP-PPQ's defaults for the target and bits (calibAlgorithm, calibSteps, int16Layers, …). */
  options?: Partial<Omit<QuantOptions, 'target' | 'bits'>>;
  /** Fixes dynamic input dims (parseInputShape). */
  inputShape?: OpenInputsRequest['inputShape'];
  /** Inputs frozen to a constant (parseInputValues). */
  inputValues?: OpenInputsRequest['inputValues'];
  /** The .espdl to write, relative to `cwd`; model.qdq.onnx, .info and .json go beside it. */
  out: string;
  /** Samples per calibration batch (file data). */
  batchSize: number;
  analysis?: { graphwise?: boolean; layerwise?: boolean };
  /** Test values, encryption (a test input path is relative to `cwd`). */
  export?: ExportFileOptions;
  /** The float runtime (default onnxruntime-node); pass one to reuse it afterwards. */
  runtime?: InferenceRuntime;
  cwd: string;
  logger: Logger;
  signal?: AbortSignal;
}

/** `model` is the prepared float model (simplified, static shapes), `qdqModel` the fake-quantized one. */
export interface QuantizeResult extends QuantizeFilesResult {
  /** The options the model was quantized with. */
  options: QuantOptions;
}

export async function quantizeModel(req: QuantizeRequest): Promise<QuantizeResult> {
  const options: QuantOptions = { ...defaultQuantOptions(req.target, req.bits), ...req.options };
  const { model, data } = await openModelAndData({
    modelPath: path.resolve(req.cwd, req.model), data: typeof req.calib === 'string' ? path.resolve(req.cwd, req.calib) : req.calib,
    logger: req.logger, ...(req.inputShape ? { inputShape: req.inputShape } : {}), ...(req.inputValues ? { inputValues: req.inputValues } : {}),
  });
  const unknown = options.int16Layers.filter((n) => !model.graph.nodes.some((x) => x.name === n));
  if (unknown.length > 0) throw new InputError(`int16 layers: no node named ${unknown.map((n) => `"${n}"`).join(', ')} in the model`);
  const exportOptions = req.export?.testInput ? { ...req.export, testInput: path.resolve(req.cwd, req.export.testInput) } : req.export;
  const result = await quantizeToFiles({
    model, data, options, runtime: req.runtime ?? ortRuntime(), espdlPath: path.resolve(req.cwd, req.out), batchSize: req.batchSize,
    logger: req.logger, ...(req.analysis ? { analysis: req.analysis } : {}), ...(exportOptions ? { export: exportOptions } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
  });
  return { ...result, options };
}
