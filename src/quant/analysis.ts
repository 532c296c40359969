/**
 * Error analysis as ESP-PPQ defines it (esp_ppq/quantization/analyse/graphwise.py, layerwise.py; docs/esp-ppq.md §4):
 * noise/signal power ratio per sample, averaged per batch, weighted over batches.
 *  - graph-wise: each quantable computing op's first output, float graph vs fully quantized graph, 4096
 *    elements per sample picked by PPQ's LCG (seed 10086); the error accumulated from the input up to that op.
 *  - layer-wise: the graph outputs with only one computing op quantized (its own configs), float elsewhere.
 * Both process `steps + 1` batches, as PPQ's loop does (it breaks after idx >= steps).
 */
import type { DataSource } from '../data/source.js';
import type { InferenceRuntime } from '../exec/runtime.js';
import { buildSimModel, probeName, quantizesAny } from './simulate/sim-model.js';
import { modelDigest } from '../ir/fingerprint.js';
import { InternalError } from '../errors.js';
import type { QuantMemo, ReferenceBatch } from './memo.js';
import { loadSimSession } from './simulate/sim-session.js';
import type { Tensor } from '../ir/tensor.js';
import { opInfo } from '../ops/registry.js';
import { lcgIndices, snrMean, WeightedMean } from './measure.js';
import type { QuantizedGraph } from './types.js';
import { batchLength, type BatchValue } from '../exec/batches.js';

export interface AnalysisInput {
  runtime: InferenceRuntime;
  data: DataSource;
  batchSize: number;
  /** PPQ's `steps` (default 8): steps + 1 batches are used when the data has them. */
  steps?: number;
  signal?: AbortSignal;
  /** Work shared with earlier analyses of the same search (same data and batch size). */
  memo?: QuantMemo;
}

/** Measured ops: quantized computing ops, in graph order, with the value their first output writes. */
export function measuredOps(qg: QuantizedGraph): { name: string; output: string }[] {
  const out: { name: string; output: string }[] = [];
  for (const node of qg.model.graph.nodes) {
    const op = qg.ops.get(node.name);
    if (op && opInfo(node.opType).computing && node.outputs[0]) out.push({ name: node.name, output: node.outputs[0] });
  }
  return out;
}

async function* analysisBatches(data: DataSource, batchSize: number, steps: number): AsyncIterable<Record<string, Tensor>> {
  let idx = 0;
  for await (const batch of data.batches(batchSize)) {
    yield batch;
    if (idx >= steps) return;
    idx++;
  }
}

/** Mean of per-sample noise/signal ratios of one batch (full tensors). */
function batchRatio(pred: Float32Array, real: Float32Array, samples: number): number {
  return snrMean(pred, real, samples);
}

/** Elements per sample of a value (its static shape without the batch dim). */
function sampleNumel(qg: QuantizedGraph, value: string): number {
  const g = qg.model.graph;
  const shape = g.valueInfo.get(value)?.shape ?? g.outputs.find((o) => o.name === value)?.shape;
  if (!shape || shape.some((d) => typeof d !== 'number')) throw new Error(`graph-wise analysis: no static shape for ${value}`);
  return (shape as number[]).slice(1).reduce((a, b) => a * b, 1);
}

/**
 * The 4096 LCG-picked elements per sample are gathered inside the model (a Reshape + Gather per op), so both
 * runs return 4096 numbers per op instead of whole activations. With a memo, the float run is made once per float
 * model (its gathered samples are kept) and a quantized model met before gives its result again.
 */
export async function graphwiseError(qg: QuantizedGraph, input: AnalysisInput): Promise<Map<string, number>> {
  const ops = measuredOps(qg);
  const gather = new Map(ops.map((o) => [o.output, lcgIndices(4096, sampleNumel(qg, o.output))]));
  const fetch = ops.map((o) => probeName.sample(o.output));
  const steps = input.steps ?? 8;
  const memo = input.memo;
  memo?.checkData(input.data);
  const floatKey = memo ? `${modelDigest(buildSimModel(qg, { float: true, probes: { gather } }).model)}|batch ${input.batchSize}|steps ${steps}` : '';
  const resultKey = memo ? `${floatKey}|${modelDigest(buildSimModel(qg, { probes: { gather } }).model)}` : '';
  const known = memo?.graphwise.get(resultKey);
  if (known) return new Map(known);
  const reference = memo?.references.get(floatKey);
  const recorded: ReferenceBatch[] = [];
  const floatSession = reference ? undefined : (await loadSimSession(input.runtime, qg, { float: true, probes: { gather } })).session;
  const { session: quantSession } = await loadSimSession(input.runtime, qg, { probes: { gather } });
  const recorders = new Map(ops.map((o) => [o.name, new WeightedMean()]));
  try {
    let index = 0;
    for await (const batch of analysisBatches(input.data, input.batchSize, steps)) {
      input.signal?.throwIfAborted();
      const n = batchLength(batch);
      const real = reference?.[index]?.values ?? new Map([...(await floatSession!.run(batch, fetch))].map(([k, v]) => [k, v.data]));
      if (reference && reference[index]?.samples !== n) throw new InternalError('graph-wise analysis: the float reference has other batches');
      if (memo && !reference) recorded.push({ samples: n, values: real });
      const pred = await quantSession.run(batch, fetch);
      for (const op of ops) {
        const name = probeName.sample(op.output);
        recorders.get(op.name)!.update(snrMean(pred.get(name)!.data, real.get(name)!, n), n);
      }
      index++;
    }
  } finally {
    await floatSession?.release();
    await quantSession.release();
  }
  if (memo && !reference) memo.references.set(floatKey, recorded);
  const result = new Map([...recorders].map(([k, v]) => [k, v.value]));
  memo?.graphwise.set(resultKey, result);
  return new Map(result);
}

/**
 * Layer-wise error: for each quantizing op, the graph outputs of a model in which only that op is quantized, against
 * the float model's. One model (and runtime session) per op, so each run costs about one float forward pass; the
 * float outputs of every batch are kept from one float run (graph outputs only: steps + 1 batches at most).
 */
export async function layerwiseError(qg: QuantizedGraph, input: AnalysisInput): Promise<Map<string, number>> {
  const ops = measuredOps(qg);
  const outputs = qg.model.graph.outputs.map((o) => o.name);
  const steps = input.steps ?? 8;
  const reals: { samples: number; values: Map<string, BatchValue> }[] = [];
  const { session: floatSession } = await loadSimSession(input.runtime, qg, { float: true });
  try {
    for await (const batch of analysisBatches(input.data, input.batchSize, steps)) {
      input.signal?.throwIfAborted();
      reals.push({ samples: batchLength(batch), values: await floatSession.run(batch, outputs) });
    }
  } finally {
    await floatSession.release();
  }
  const recorders = new Map(ops.map((o) => [o.name, new WeightedMean()]));
  for (const op of ops) {
    const opQuant = qg.ops.get(op.name);
    if (!opQuant || !quantizesAny(opQuant)) continue;
    input.signal?.throwIfAborted();
    const { session } = await loadSimSession(input.runtime, qg, { only: op.name });
    try {
      let index = 0;
      for await (const batch of analysisBatches(input.data, input.batchSize, steps)) {
        const real = reals[index++];
        if (!real || real.samples !== batchLength(batch)) throw new InternalError('layer-wise analysis: the data gave other batches than in the float run');
        const pred = await session.run(batch, outputs);
        for (const name of outputs) recorders.get(op.name)!.update(batchRatio(pred.get(name)!.data, real.values.get(name)!.data, real.samples), real.samples);
      }
    } finally {
      await session.release();
    }
  }
  return new Map([...recorders].map(([k, v]) => [k, v.value]));
}

/** Mean of the `n` largest values (AutoQuant's default score with n = 3). */
export function topNMean(errors: ReadonlyMap<string, number>, n = 3): number {
  const top = [...errors.values()].sort((a, b) => b - a).slice(0, n);
  return top.length === 0 ? NaN : top.reduce((s, v) => s + v, 0) / top.length;
}
