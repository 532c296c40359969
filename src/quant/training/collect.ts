/**
 * The BlockCollector on the simulator (ESP-PPQ TrainingBasedPass.collect): for every calibration batch, the
 * quantized graph's values of the block inputs (the producer's output after its output quantization, which is
 * what the simulator exposes under the original value name) and the float graph's values of the block outputs.
 * Both models are rebuilt per block because earlier blocks may have changed weights and exponents.
 */
import type { DataSource } from '../../data/source.js';
import type { InferenceRuntime } from '../../exec/runtime.js';
import { buildSimModel } from '../../exec/sim-model.js';
import { runBatch } from '../batches.js';
import type { F32, BlockBatch } from './block.js';
import type { BlockCollector } from './run-pass.js';

/** Batch tensors as F32: samples of a batch-1 model ([1, …]) stacked into [n, …]. */
function stacked(values: Map<string, { data: Float32Array; sampleDims: readonly number[] }>, n: number): Map<string, F32> {
  const out = new Map<string, F32>();
  for (const [name, v] of values) {
    const inner = v.sampleDims[0] === 1 ? v.sampleDims.slice(1) : v.sampleDims;
    out.set(name, { dims: [n, ...inner], data: v.data });
  }
  return out;
}

/**
 * A collector over `data` (the whole calibration set, as ESP-PPQ iterates its whole dataloader, `batchSize`
 * samples per cached batch). Memory: every batch's block inputs and outputs stay cached while the block trains.
 */
export function simCollector(runtime: InferenceRuntime, data: DataSource, batchSize: number): BlockCollector {
  return async (qg, block) => {
    const quant = await runtime.load(buildSimModel(qg, { extraOutputs: block.inputs }).model);
    const float = await runtime.load(buildSimModel(qg, { float: true, extraOutputs: block.outputs }).model);
    try {
      const batches: BlockBatch[] = [];
      for await (const batch of data.batches(batchSize)) {
        const n = Object.values(batch)[0]?.dims[0] ?? 1;
        const inputs = stacked(await runBatch(quant, batch, block.inputs), n);
        const reference = stacked(await runBatch(float, batch, block.outputs), n);
        batches.push({ inputs, reference });
      }
      return batches;
    } finally {
      await quant.release();
      await float.release();
    }
  };
}
