/** Loads an ONNX file, prepares it (simplify, static shapes) and opens the data that feeds it. */
import path from 'node:path';
import { loaderDataSource, type DataLoader } from '../data/iterable-source.js';
import type { DataSource } from '../data/source.js';
import type { Model } from '../ir/graph.js';
import type { DataType } from '../ir/tensor.js';
import type { Logger } from '../log.js';
import { InputError } from '../errors.js';
import { prepareModel } from '../onnx/prepare-model.js';
import { keptInMemory } from '../data/cached-source.js';
import { openDataSource } from './data-files.js';
import { loadOnnxFile } from './onnx-file.js';

/** Calibration data: a file path (.npy, .npz or a folder of .npy), a DataSource, or a loader (library API). */
export type CalibrationData = string | DataSource | DataLoader;

export interface OpenInputsRequest {
  modelPath: string;
  /** A path is absolute (or relative to the process's working directory). */
  data: CalibrationData;
  /** One shape (with or without the batch dim), or one per input name (PrepareOptions.inputShapes). */
  inputShape?: readonly number[] | Readonly<Record<string, readonly number[]>>;
  /** Inputs frozen to a constant value (PrepareOptions.inputValues). */
  inputValues?: Readonly<Record<string, number | readonly number[]>>;
  logger: Logger;
  limit?: number;
}

/** The model's non-initializer inputs with their (static) dims. */
export function modelInputs(model: Model): { name: string; dims: number[]; dtype: DataType }[] {
  return model.graph.inputs
    .filter((v) => !model.graph.initializers.has(v.name))
    .map((v) => {
      if (!v.shape || v.shape.some((d) => typeof d !== 'number')) throw new InputError(`input "${v.name}" has no static shape`);
      return { name: v.name, dims: v.shape as number[], dtype: v.dtype };
    });
}

/** Calibration data up to this size is read from its files once (data/cached-source.ts). */
const KEEP_IN_MEMORY_BYTES = 64 * 2 ** 20;

const isDataSource = (d: CalibrationData): d is DataSource => typeof d === 'object' && d !== null && 'batches' in d && 'count' in d;

/** A DataSource feeding `model`'s inputs; a data file must hold at least one sample. */
export async function openCalibration(d: CalibrationData, model: Model, logger: Logger, limit?: number): Promise<DataSource> {
  const inputs = modelInputs(model);
  if (isDataSource(d)) return d;
  if (typeof d !== 'string') return loaderDataSource(d, inputs.map((i) => i.name));
  const data = await openDataSource(path.resolve(d), inputs, { logger, ...(limit !== undefined ? { limit } : {}) });
  if (data.count === 0) throw new InputError(`data file ${d} holds no samples`);
  return keptInMemory(data, KEEP_IN_MEMORY_BYTES);
}

export async function openModelAndData(req: OpenInputsRequest): Promise<{ model: Model; data: DataSource }> {
  const raw = await loadOnnxFile(req.modelPath);
  const model = prepareModel(raw, {
    ...(req.inputShape ? { inputShapes: req.inputShape } : {}), ...(req.inputValues ? { inputValues: req.inputValues } : {}),
  }, req.logger);
  return { model, data: await openCalibration(req.data, model, req.logger, req.limit) };
}
