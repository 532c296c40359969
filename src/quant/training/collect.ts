/**
 * The BlockCollector on the simulator (ESP-PPQ TrainingBasedPass.collect): for every calibration batch, the
 * quantized graph's values of the block inputs (the producer's output after its output quantization, which is
 * what the simulator exposes under the original value name) and the float graph's values of the block outputs.
 * Both models are rebuilt per block because earlier blocks may have changed weights and exponents.
 *
 * The float reference uses the parameters as they were before any training pass, not the trained ones: ESP-PPQ's
 * collect() runs a dequantized graph, and QuantableOperation.dequantize() swaps every parameter's value with its
 * `stored_value`, the copy store_parameter_value() took when the op was quantized (esp_ppq/IR/quantize.py;
 * restore_quantize_state() swaps the trained value back). So every block of TQT / AdaRound / bias correction is
 * fitted to the ORIGINAL float model, never to a float model that already holds earlier blocks' trained weights.
 */
import type { DataSource } from '../../data/source.js';
import type { InferenceRuntime } from '../../exec/runtime.js';
import { loadSimSession } from '../simulate/sim-session.js';
import type { Tensor } from '../../ir/tensor.js';
import type { BatchValue } from '../../exec/batches.js';
import type { QuantizedGraph } from '../types.js';
import type { F32, BlockBatch } from './block.js';
import type { BlockCollector } from './run-pass.js';

/** Batch tensors as F32: samples of a batch-1 model ([1, …]) stacked into [n, …]. */
function stacked(values: ReadonlyMap<string, BatchValue>, n: number): Map<string, F32> {
  const out = new Map<string, F32>();
  for (const [name, v] of values) {
    const inner = v.sampleDims[0] === 1 ? v.sampleDims.slice(1) : v.sampleDims;
    out.set(name, { dims: [n, ...inner], data: v.data });
  }
  return out;
}

/** `qg` seen with other parameter values (ESP-PPQ's dequantized graph); configs and nodes are shared. */
function withParams(qg: QuantizedGraph, params: ReadonlyMap<string, Tensor>): QuantizedGraph {
  const graph = { ...qg.model.graph, initializers: new Map(params) };
  return { ...qg, model: { ...qg.model, graph } };
}

/**
 * A collector over `data` (the whole calibration set, as ESP-PPQ iterates its whole dataloader, `batchSize`
 * samples per cached batch). Memory: every batch's block inputs and outputs stay cached while the block trains.
 *
 * `floatParams` are the float reference's parameters (ESP-PPQ's stored values). When omitted, the collector
 * snapshots each graph's initializers on its first call for that graph — which is before any block was applied
 * as long as one collector serves all training passes of a quantization (quantize.ts does so).
 */
export function simCollector(
  runtime: InferenceRuntime, data: DataSource, batchSize: number, floatParams?: ReadonlyMap<string, Tensor>,
): BlockCollector {
  const stored = new WeakMap<QuantizedGraph, ReadonlyMap<string, Tensor>>();
  return async (qg, block) => {
    let params = floatParams ?? stored.get(qg);
    if (!params) { params = new Map(qg.model.graph.initializers); stored.set(qg, params); }
    const { session: quant } = await loadSimSession(runtime, qg, { extraOutputs: block.inputs });
    const { session: float } = await loadSimSession(runtime, withParams(qg, params), { float: true, extraOutputs: block.outputs });
    try {
      const batches: BlockBatch[] = [];
      for await (const batch of data.batches(batchSize)) {
        const n = Object.values(batch)[0]?.dims[0] ?? 1;
        const inputs = stacked(await quant.run(batch, block.inputs), n);
        const reference = stacked(await float.run(batch, block.outputs), n);
        batches.push({ inputs, reference });
      }
      return batches;
    } finally {
      await quant.release();
      await float.release();
    }
  };
}
