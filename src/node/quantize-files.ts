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
import { exportCandidateFiles, type ExportFileOptions } from './export-files.js';
import { passDebugFromEnv, type PassDebug } from './pass-debug.js';

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
}

export interface QuantizeFilesResult extends QuantizeOnnxResult {
  files: { qdqOnnx: string; espdl?: string; info?: string; json?: string };
}


export async function quantizeToFiles(input: QuantizeFilesInput): Promise<QuantizeFilesResult> {
  const debug = input.passDebug ?? passDebugFromEnv(process.env);
  const result = await quantizeOnnx({
    model: input.model, data: input.data, options: input.options, runtime: input.runtime, batchSize: input.batchSize,
    logger: input.logger, now: () => performance.now(), debug,
    ...(input.analysis ? { analysis: input.analysis } : {}),
    ...(input.signal ? { signal: input.signal } : {}), ...(input.memo ? { memo: input.memo } : {}),
  });
  const qdqOnnx = siblingPath(input.espdlPath, '.qdq.onnx');
  const t0 = performance.now();
  await writeFileAtomic(qdqOnnx, encodeModel(result.qdqModel));
  const passHooks = { ...debug, now: () => performance.now(), timings: result.timingsMs };
  const exported = await exportCandidateFiles(result, input.espdlPath, { ...input.export, passHooks }, input.runtime, input.logger);
  result.timingsMs.export = performance.now() - t0;
  return { ...result, files: { qdqOnnx, ...exported } };
}
