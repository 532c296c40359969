/** The simulator's models loaded for batch runs (calibration, analysis and training data collection share it). */
import { activationBytesPerSample, loadBatchSession, type BatchSession } from '../../exec/batches.js';
import type { InferenceRuntime } from '../../exec/runtime.js';
import type { Model } from '../../ir/graph.js';
import type { QuantizedGraph } from '../types.js';
import { buildSimModel, type SimModel, type SimOptions } from './sim-model.js';

/** buildSimModel(qg, opts) in a batch session sized by the graph's working set; `sim` names its gates. */
export async function loadSimSession(runtime: InferenceRuntime, qg: QuantizedGraph, opts: SimOptions = {}): Promise<{ session: BatchSession; sim: SimModel }> {
  const sim = buildSimModel(qg, opts);
  return { session: await loadBuiltSimSession(runtime, qg, sim.model), sim };
}

/** A simulation model already built from `qg` in a batch session sized by the graph's working set. */
export function loadBuiltSimSession(runtime: InferenceRuntime, qg: QuantizedGraph, model: Model): Promise<BatchSession> {
  // A model with QuantizeLinear/DequantizeLinear (SimOptions.qdq) must keep their float semantics.
  const keepQdq = model.graph.nodes.some((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear');
  return loadBatchSession(runtime, model, { workingSetPerSample: activationBytesPerSample(qg.model.graph), ...(keepQdq ? { keepQdq } : {}) });
}
