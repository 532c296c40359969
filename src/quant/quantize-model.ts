/**
 * One quantization end to end, without file IO: quantize a prepared (simplified) model for the target, build the fake-quant model, measure graph-wise (and optionally layer-wise) error. The shells (CLI,
 * library API, search runner) add files around it.
 */
import type { DataSource } from '../data/source.js';
import type { InferenceRuntime } from '../exec/runtime.js';
import { buildSimModel } from './simulate/sim-model.js';
import type { Model } from '../ir/graph.js';
import type { Logger } from '../log.js';
import { graphwiseError, layerwiseError, topNMean } from './analysis.js';
import type { QuantOptions } from './options.js';
import { quantizeGraph, type QuantizeContext } from './quantize.js';
import { tensorReport, type TensorReport } from './report.js';
import type { QuantizedGraph } from './types.js';
import { ensureShapes } from '../exec/infer-shapes.js';

export interface QuantizeOnnxInput {
  /** A model already through prepareModel (simplified, static shapes): done once per search, not per candidate. */
  model: Model;
  data: DataSource;
  options: QuantOptions;
  runtime: InferenceRuntime;
  batchSize: number;
  logger: Logger;
  /** Which analyses to run after quantization (graph-wise by default; layer-wise on request). */
  analysis?: { graphwise?: boolean; layerwise?: boolean };
  now?: () => number;
  signal?: AbortSignal;
  /** Graph checks and dumps after every pass (debugging). */
  debug?: QuantizeContext['debug'];
  /** Work shared with earlier quantizations of the same search (QuantMemo). */
  memo?: QuantizeContext['memo'];
  /** A second thread for the training passes (QuantizeContext). */
  trainingHelper?: QuantizeContext['trainingHelper'];
}

export interface QuantizeOnnxResult {
  /** The simplified float model everything refers to. */
  model: Model;
  graph: QuantizedGraph;
  /** The fake-quantized model (written as model.qdq.onnx). */
  qdqModel: Model;
  tensors: Record<string, TensorReport>;
  graphwise?: Map<string, number>;
  top3Mean?: number;
  layerwise?: Map<string, number>;
  fp32Nodes: string[];
  timingsMs: Record<string, number>;
}

export async function quantizeOnnx(input: QuantizeOnnxInput): Promise<QuantizeOnnxResult> {
  const now = input.now ?? (() => 0);
  const model = input.model;
  const timingsMs: Record<string, number> = {};
  await ensureShapes(model, input.runtime);
  const { graph, timingsMs: qt } = await quantizeGraph(model, input.options, {
    runtime: input.runtime, data: input.data, batchSize: input.batchSize, logger: input.logger, now,
    ...(input.signal ? { signal: input.signal } : {}), ...(input.debug ? { debug: input.debug } : {}),
    ...(input.memo ? { memo: input.memo } : {}), ...(input.trainingHelper ? { trainingHelper: input.trainingHelper } : {}),
  });
  Object.assign(timingsMs, qt);
  const t1 = now();
  const qdqModel = buildSimModel(graph).model;
  timingsMs.simulate = now() - t1;
  const result: QuantizeOnnxResult = { model, graph, qdqModel, tensors: tensorReport(graph), fp32Nodes: graph.fp32Nodes, timingsMs };
  const analysisInput = {
    runtime: input.runtime, data: input.data, batchSize: input.batchSize, ...(input.signal ? { signal: input.signal } : {}),
    ...(input.memo ? { memo: input.memo } : {}),
  };
  if (input.analysis?.graphwise !== false) {
    const t2 = now();
    result.graphwise = await graphwiseError(graph, analysisInput);
    result.top3Mean = topNMean(result.graphwise, 3);
    timingsMs.graphwise = now() - t2;
  }
  if (input.analysis?.layerwise) {
    const t3 = now();
    result.layerwise = await layerwiseError(graph, analysisInput);
    timingsMs.layerwise = now() - t3;
  }
  return result;
}
