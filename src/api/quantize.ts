/**
 * The library API, mirroring ESP-PPQ's Python functions in camelCase:
 * `espdlQuantizeOnnx` ≈ espdl_quantize_onnx (here) and `espdlAutoQuantizeOnnx` ≈ espdl_auto_quantize_onnx
 * (auto-quantize.ts). Both map ESP-PPQ's parameters onto the use cases in src/app.
 */
import { quantizeModel, type QuantizeResult } from '../app/quantize.js';
import type { DataLoader } from '../data/iterable-source.js';
import type { DataSource } from '../data/source.js';
import type { Logger } from '../log.js';
import { nullLogger } from '../log.js';
import type { ExportFileOptions } from '../node/export-files.js';
import type { QuantOptions } from '../quant/options.js';
import { exponentsOf } from '../quant/report.js';
import { parseBits, parseTarget } from '../quant/targets.js';

/** The parameters both of ESP-PPQ's entry points share. */
export interface OnnxFileParams {
  onnxImportFile: string;
  espdlExportFile: string;
  /** A data file path (.npy/.npz/folder), a DataSource, or a loader (array / function returning an iterable). */
  calibDataloader: string | DataSource | DataLoader;
  calibSteps: number;
  /**
   * Our addition (ESP-PPQ has none): inputs frozen to a constant, e.g. { sr: 16000 } for a model that branches on
   * its sample rate with an If; the input is no longer fed.
   */
  inputValues?: Readonly<Record<string, number | readonly number[]>>;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface EspdlQuantizeOnnxParams extends OnnxFileParams {
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
}

export interface EspdlQuantizeOnnxResult extends QuantizeResult {
  exponents: Record<string, number | number[]>;
}

export async function espdlQuantizeOnnx(params: EspdlQuantizeOnnxParams): Promise<EspdlQuantizeOnnxResult> {
  const report = params.errorReport !== false;
  const result = await quantizeModel({
    model: params.onnxImportFile, calib: params.calibDataloader, target: parseTarget(params.target ?? 'esp32p4'),
    bits: parseBits(params.numOfBits ?? 8), options: { ...params.setting, calibSteps: params.calibSteps },
    ...(params.inputShape ? { inputShape: params.inputShape } : {}), ...(params.inputValues ? { inputValues: params.inputValues } : {}), out: params.espdlExportFile, batchSize: params.batchSize ?? 8,
    analysis: { graphwise: report, layerwise: report }, export: { ...params.export, testValues: params.exportTestValues === true },
    cwd: process.cwd(), logger: params.logger ?? nullLogger, ...(params.signal ? { signal: params.signal } : {}),
  });
  return { ...result, exponents: exponentsOf(result.tensors) };
}
