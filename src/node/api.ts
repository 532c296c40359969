/**
 * The library API, mirroring ESP-PPQ's Python functions in camelCase:
 * `espdlQuantizeOnnx` ≈ espdl_quantize_onnx and `espdlAutoQuantizeOnnx` ≈ espdl_auto_quantize_onnx.
 */
import path from 'node:path';
import { loaderDataSource, type DataLoader } from '../data/iterable-source.js';
import type { DataSource } from '../data/source.js';
import type { Logger } from '../log.js';
import { nullLogger } from '../log.js';
import { prepareModel } from '../onnx/prepare-model.js';
import { defaultQuantOptions, type QuantOptions } from '../quant/options.js';
import { exponentsOf } from '../quant/report.js';
import { parseBits, parseTarget } from '../quant/targets.js';
import { openDataSource } from './data-files.js';
import { loadOnnxFile } from './onnx-file.js';
import { modelInputs } from './open-inputs.js';
import { ortRuntime } from './ort-runtime.js';
import { quantizeToFiles, type QuantizeFilesResult } from './quantize-files.js';
import type { ExportFileOptions } from './export-files.js';

export interface EspdlQuantizeOnnxParams {
  onnxImportFile: string;
  espdlExportFile: string;
  /** A data file path (.npy/.npz/folder), a DataSource, or a loader (array / function returning an iterable). */
  calibDataloader: string | DataSource | DataLoader;
  calibSteps: number;
  /** Input shape with the batch dim (ESP-PPQ passes [1, C, H, W]); fixes dynamic dims. */
  inputShape?: number[];
  target?: string;
  numOfBits?: 8 | 16;
  /** Overrides of the quantization setting (calibAlgorithm, int16Layers, alignment, …). */
  setting?: Partial<Omit<QuantOptions, 'target' | 'bits' | 'calibSteps'>>;
  /** Batch size when calibDataloader is a file (default 8). */
  batchSize?: number;
  /** Graph-wise and layer-wise error analysis (ESP-PPQ error_report, default true). */
  errorReport?: boolean;
  exportTestValues?: boolean;
  export?: Omit<ExportFileOptions, 'testValues'>;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface EspdlQuantizeOnnxResult extends QuantizeFilesResult {
  exponents: Record<string, number | number[]>;
}

/** A DataSource for a path, a DataSource, or a loader (shared by both library entry points). */
export async function dataFor(d: string | DataSource | DataLoader, inputs: { name: string; dims: number[] }[], logger: Logger): Promise<DataSource> {
  if (typeof d === 'string') return openDataSource(path.resolve(d), inputs, { logger });
  if (typeof d === 'object' && d !== null && 'batches' in d && 'count' in d) return d as DataSource;
  return loaderDataSource(d as DataLoader, inputs.map((i) => i.name));
}

export async function espdlQuantizeOnnx(params: EspdlQuantizeOnnxParams): Promise<EspdlQuantizeOnnxResult> {
  const logger = params.logger ?? nullLogger;
  const target = parseTarget(params.target ?? 'esp32p4');
  const options: QuantOptions = { ...defaultQuantOptions(target, parseBits(params.numOfBits ?? 8)), ...params.setting, calibSteps: params.calibSteps };
  const model = prepareModel(await loadOnnxFile(params.onnxImportFile), params.inputShape ? { inputShapes: params.inputShape } : {}, logger);
  const data = await dataFor(params.calibDataloader, modelInputs(model), logger);
  const report = params.errorReport !== false;
  const result = await quantizeToFiles({
    model, data, options, runtime: ortRuntime(), espdlPath: path.resolve(params.espdlExportFile), batchSize: params.batchSize ?? 8, logger,
    analysis: { graphwise: report, layerwise: report },
    export: { ...params.export, testValues: params.exportTestValues === true },
    ...(params.signal ? { signal: params.signal } : {}),
  });
  return { ...result, exponents: exponentsOf(result.tensors) };
}
