/** The simulator's models loaded for batch runs (calibration, analysis and training data collection share it). */
import { activationBytesPerSample, loadBatchSession, type BatchSession } from '../../exec/batches.js';
import type { InferenceRuntime } from '../../exec/runtime.js';
import type { QuantizedGraph } from '../types.js';
import { buildSimModel, type SimModel, type SimOptions } from './sim-model.js';

/** buildSimModel(qg, opts) in a batch session sized by the graph's working set; `sim` names its gates. */
export async function loadSimSession(runtime: InferenceRuntime, qg: QuantizedGraph, opts: SimOptions = {}): Promise<{ session: BatchSession; sim: SimModel }> {
  const sim = buildSimModel(qg, opts);
  const session = await loadBatchSession(runtime, sim.model, { workingSetPerSample: activationBytesPerSample(qg.model.graph) });
  return { session, sim };
}
