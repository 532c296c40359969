/**
 * One quantization of a prepared model written to files, shared by the quantize use case (src/app/quantize.ts)
 * and the search's experiment runner: run the pipeline, write model.qdq.onnx (and the .espdl files) next to the
 * requested output.
 */
import type { DataSource } from '../data/source.js';
import type { InferenceRuntime } from '../exec/runtime.js';
import type { Model } from '../ir/graph.js';
import type { Logger } from '../log.js';
import { encodeModel } from '../onnx/write.js';
import type { QuantMemo } from '../quant/memo.js';
import type { QuantOptions } from '../quant/options.js';
import { quantizeOnnx, type QuantizeOnnxResult } from '../quant/quantize-model.js';
import { siblingPath, writeFileAtomic } from './atomic-write.js';
import { buildCandidateFiles, candidateFilePaths, checkExportOptions, type ExportFileOptions } from './export-files.js';
import { passDebugFromEnv, type PassDebug } from './pass-debug.js';
import { checkOutputs, type NamedPath } from './safe-paths.js';
import { sharedTrainingHelper } from './training-threads.js';

export interface QuantizeFilesInput {
  /** A prepared model (prepareModel). */
  model: Model;
  data: DataSource;
  options: QuantOptions;
  runtime: InferenceRuntime;
  /** Path of the .espdl to write; model.qdq.onnx, .info and .json go beside it. */
  espdlPath: string;
  batchSize: number;
  logger: Logger;
  analysis?: { graphwise?: boolean; layerwise?: boolean };
  export?: ExportFileOptions;
  signal?: AbortSignal;
  /** Pass checks and dumps; default: from ESPDL_PASS_VALIDATE / ESPDL_PASS_DUMP (node/pass-debug.ts). */
  passDebug?: PassDebug;
  /** Work shared with earlier quantizations of the same search. */
  memo?: QuantMemo;
  /**
   * The files this quantization reads (model, data, test input): no output may be one of them. The data
   * source's own files are added.
   */
  inputs?: readonly NamedPath[];
  /** How the user named the output (the flag), for messages. Default 'output'. */
  outputName?: string;
  /** How the user named the encryption key (the flag), for messages. Default 'encryptKey'. */
  keyName?: string;
}

export interface QuantizeFilesResult extends QuantizeOnnxResult {
  files: { qdqOnnx: string; espdl?: string; info?: string; json?: string };
}

/** The four files a quantization writes: model.qdq.onnx beside model.espdl, .info and .json. */
export function outputFilesOf(espdlPath: string): { qdqOnnx: string; espdl: string; info: string; json: string } {
  return { qdqOnnx: siblingPath(espdlPath, '.qdq.onnx'), ...candidateFilePaths(espdlPath) };
}

/**
 * Quantizes and writes the files. Everything that can be refused is checked first (outputs vs inputs, the
 * key), and every file is built in memory before the first one is written, so a failure leaves the old set.
 */
export async function quantizeToFiles(input: QuantizeFilesInput): Promise<QuantizeFilesResult> {
  const debug = input.passDebug ?? passDebugFromEnv(process.env);
  const paths = outputFilesOf(input.espdlPath);
  const name = input.outputName ?? 'output';
  const inputs = [...(input.inputs ?? []), ...input.data.files.map((file) => ({ file, what: 'data file' }))];
  await checkOutputs(Object.values(paths).map((file) => ({ file, what: file === input.espdlPath ? name : `${name} (beside it)` })), inputs);
  const exportOptions = { ...input.export };
  const key = checkExportOptions(exportOptions, input.keyName);
  if (key !== undefined) exportOptions.encryptKey = key;
  const trainingHelper = sharedTrainingHelper();
  const result = await quantizeOnnx({
    model: input.model, data: input.data, options: input.options, runtime: input.runtime, batchSize: input.batchSize,
    logger: input.logger, now: () => performance.now(), debug,
    ...(input.analysis ? { analysis: input.analysis } : {}),
    ...(input.signal ? { signal: input.signal } : {}), ...(input.memo ? { memo: input.memo } : {}),
    ...(trainingHelper ? { trainingHelper } : {}),
  });
  const t0 = performance.now();
  const qdqBytes = encodeModel(result.qdqModel);
  const passHooks = { ...debug, now: () => performance.now(), timings: result.timingsMs };
  const built = await buildCandidateFiles(result, input.espdlPath, { ...exportOptions, passHooks }, input.runtime, input.logger);
  await writeFileAtomic(paths.qdqOnnx, qdqBytes);
  await writeFileAtomic(paths.espdl, built.espdl);
  await writeFileAtomic(paths.info, built.info);
  await writeFileAtomic(paths.json, built.json);
  result.timingsMs.export = performance.now() - t0;
  return { ...result, files: paths };
}
