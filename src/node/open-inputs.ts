/** Loads an ONNX file, prepares it (simplify, static shapes) and opens the data that feeds it. */
import type { DataSource } from '../data/source.js';
import type { Model } from '../ir/graph.js';
import type { Logger } from '../log.js';
import { InputError } from '../errors.js';
import { prepareModel } from '../onnx/prepare-model.js';
import { openDataSource } from './data-files.js';
import { loadOnnxFile } from './onnx-file.js';

export interface OpenInputsRequest {
  modelPath: string;
  dataPath: string;
  /** One shape, or one per input name (PrepareOptions.inputShapes). */
  inputShape?: readonly number[] | Readonly<Record<string, readonly number[]>>;
  logger: Logger;
  limit?: number;
}

/** The model's non-initializer inputs with their (static) dims. */
export function modelInputs(model: Model): { name: string; dims: number[] }[] {
  return model.graph.inputs
    .filter((v) => !model.graph.initializers.has(v.name))
    .map((v) => {
      if (!v.shape || v.shape.some((d) => typeof d !== 'number')) throw new InputError(`input "${v.name}" has no static shape`);
      return { name: v.name, dims: v.shape as number[] };
    });
}

export async function openModelAndData(req: OpenInputsRequest): Promise<{ model: Model; data: DataSource }> {
  const raw = await loadOnnxFile(req.modelPath);
  const model = prepareModel(raw, req.inputShape ? { inputShapes: req.inputShape } : {}, req.logger);
  const data = await openDataSource(req.dataPath, modelInputs(model), {
    logger: req.logger, ...(req.limit !== undefined ? { limit: req.limit } : {}),
  });
  if (data.count === 0) throw new InputError(`data file ${req.dataPath} holds no samples`);
  return { model, data };
}
