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
import { checkExportOptions } from '../node/export-files.js';
import { outputFilesOf, quantizeToFiles, type QuantizeFilesResult } from '../node/quantize-files.js';
import { checkOutputs, resolveOutput } from '../node/safe-paths.js';
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
  /** How the caller names the model, the output, the key and the test input in messages (the CLI: its flags). */
  names?: { model?: string; out?: string; key?: string; testInput?: string };
}

/** `model` is the prepared float model (simplified, static shapes), `qdqModel` the fake-quantized one. */
export interface QuantizeResult extends QuantizeFilesResult {
  /** The options the model was quantized with. */
  options: QuantOptions;
}

export async function quantizeModel(req: QuantizeRequest): Promise<QuantizeResult> {
  const options: QuantOptions = { ...defaultQuantOptions(req.target, req.bits), ...req.options };
  const names = { model: 'model', out: 'output', key: 'encryption key', testInput: 'test input', ...req.names };
  // Everything that can be refused is refused before the (long) work: a bad key, or an output that is a folder,
  // a FIFO or one of the inputs (quantizeToFiles checks again with the data files once they are open).
  const espdlPath = resolveOutput(req.cwd, req.out, names.out);
  const key = checkExportOptions(req.export ?? {}, names.key);
  const modelPath = path.resolve(req.cwd, req.model);
  const testInput = req.export?.testInput ? path.resolve(req.cwd, req.export.testInput) : undefined;
  const inputs = [{ file: modelPath, what: names.model }, ...(testInput ? [{ file: testInput, what: names.testInput }] : [])];
  await checkOutputs(Object.values(outputFilesOf(espdlPath)).map((file) => ({ file, what: names.out })), inputs);
  const { model, data } = await openModelAndData({
    modelPath, data: typeof req.calib === 'string' ? path.resolve(req.cwd, req.calib) : req.calib,
    logger: req.logger, ...(req.inputShape ? { inputShape: req.inputShape } : {}), ...(req.inputValues ? { inputValues: req.inputValues } : {}),
  });
  const unknown = options.int16Layers.filter((n) => !model.graph.nodes.some((x) => x.name === n));
  if (unknown.length > 0) throw new InputError(`int16 layers: no node named ${unknown.map((n) => `"${n}"`).join(', ')} in the model`);
  const exportOptions = { ...req.export, ...(testInput ? { testInput } : {}), ...(key !== undefined ? { encryptKey: key } : {}) };
  const result = await quantizeToFiles({
    model, data, options, runtime: req.runtime ?? ortRuntime(), espdlPath, batchSize: req.batchSize,
    logger: req.logger, ...(req.analysis ? { analysis: req.analysis } : {}), export: exportOptions,
    inputs, outputName: names.out, keyName: names.key,
    ...(req.signal ? { signal: req.signal } : {}),
  });
  return { ...result, options };
}
