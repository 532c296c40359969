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
import { loadBuiltSimSession, loadSimSession } from './simulate/sim-session.js';
import type { Tensor } from '../ir/tensor.js';
import { opInfo } from '../ops/registry.js';
import { lcgIndices, snrMean, WeightedMean } from './measure.js';
import type { QuantizedGraph } from './types.js';
import { batchLength, loadBatchSession, type BatchSession, type BatchValue } from '../exec/batches.js';
import { ensureShapes } from '../exec/infer-shapes.js';
import { layerwiseChain, stateTensor, type LayerwiseChain } from './layerwise-stages.js';

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
 * model (its gathered samples are kept), a quantized model met before gives its result again, and the quantized
 * model's session (activation scales fed as inputs) serves every candidate with the same graph and parameters.
 */
export async function graphwiseError(qg: QuantizedGraph, input: AnalysisInput): Promise<Map<string, number>> {
  const ops = measuredOps(qg);
  const gather = new Map(ops.map((o) => [o.output, lcgIndices(4096, sampleNumel(qg, o.output))]));
  const fetch = ops.map((o) => probeName.sample(o.output));
  const steps = input.steps ?? 8;
  const memo = input.memo;
  memo?.checkData(input.data);
  const floatModel = buildSimModel(qg, { float: true, probes: { gather } }).model;
  // A shared session (scales fed as inputs) pays for a large model, whose session is costly to make and to warm up;
  // on a small one the inputs' per-call cost outweighs it (digits: 1.2× the constant form's CPU per pass).
  const share = memo !== undefined && parameterBytes(qg) >= SHARED_SESSION_MIN_BYTES;
  const quant = buildSimModel(qg, { probes: { gather }, feedQuantParams: share, qdq: true });
  const quantDigest = memo ? modelDigest(quant.model) : '';
  const floatKey = memo ? `${modelDigest(floatModel)}|batch ${input.batchSize}|steps ${steps}` : '';
  const resultKey = memo ? `${floatKey}|${quantDigest}|${Object.values(quant.feeds).map((t) => t.data[0]).join(',')}` : '';
  const known = memo?.graphwise.get(resultKey);
  if (known) return new Map(known);
  const reference = memo?.references.get(floatKey);
  const recorded: ReferenceBatch[] = [];
  const floatSession = reference ? undefined : await loadBuiltSimSession(input.runtime, qg, floatModel);
  const quantSession = await (share ? sharedSession(memo!, quantDigest, () => loadBuiltSimSession(input.runtime, qg, quant.model))
    : loadBuiltSimSession(input.runtime, qg, quant.model));
  const recorders = new Map(ops.map((o) => [o.name, new WeightedMean()]));
  try {
    let index = 0;
    for await (const batch of analysisBatches(input.data, input.batchSize, steps)) {
      input.signal?.throwIfAborted();
      const n = batchLength(batch);
      const real = reference?.[index]?.values ?? new Map([...(await floatSession!.run(batch, fetch))].map(([k, v]) => [k, v.data]));
      if (reference && reference[index]?.samples !== n) throw new InternalError('graph-wise analysis: the float reference has other batches');
      if (memo && !reference) recorded.push({ samples: n, values: real });
      const pred = await quantSession.run(batch, fetch, quant.feeds);
      for (const op of ops) {
        const name = probeName.sample(op.output);
        recorders.get(op.name)!.update(snrMean(pred.get(name)!.data, real.get(name)!, n), n);
      }
      index++;
    }
  } finally {
    await floatSession?.release();
    if (!share) await quantSession.release();
  }
  if (memo && !reference) memo.references.set(floatKey, recorded);
  const result = new Map([...recorders].map(([k, v]) => [k, v.value]));
  memo?.graphwise.set(resultKey, result);
  return new Map(result);
}

/** Parameter bytes from which graph-wise analysis in a search shares its sessions between candidates. */
const SHARED_SESSION_MIN_BYTES = 1 << 20;

function parameterBytes(qg: QuantizedGraph): number {
  let bytes = 0;
  for (const t of qg.model.graph.initializers.values()) bytes += (t.data as { byteLength?: number }).byteLength ?? 0;
  return bytes;
}

/** The memo's session for a simulation model (by digest), loaded on first use; the memo releases it. */
function sharedSession(memo: QuantMemo, digest: string, load: () => Promise<BatchSession>): Promise<BatchSession> {
  const known = memo.simSessions.get(digest);
  if (known) return known;
  const loading = load();
  memo.simSessions.set(digest, loading);
  loading.catch(() => { if (memo.simSessions.get(digest) === loading) memo.simSessions.delete(digest); });
  return loading;
}

/**
 * Bytes of float state (values live at a cut, layerwise-stages.ts) the layer-wise analysis holds for the batches it
 * runs together; more data runs the chain again per group of batches, so the peak stays flat in the data.
 */
const LAYERWISE_STATE_BUDGET = 192 * 2 ** 20;

/**
 * Layer-wise error: for each quantizing op, the graph outputs of a model in which only that op is quantized, against
 * the float model's. The ops run as a chain of stages (layerwise-stages.ts): each starts at the op's inputs, fed
 * with the float values the previous stage computed, and recomputes only what follows the op; one float pass gives
 * the graph outputs to compare with and the first stage's inputs.
 */
export async function layerwiseError(
  source: QuantizedGraph, input: AnalysisInput, opts: { stateBudgetBytes?: number } = {},
): Promise<Map<string, number>> {
  const qg = await withStaticShapes(source, input.runtime);
  const ops = measuredOps(qg);
  const quantizing = ops.filter((o) => { const q = qg.ops.get(o.name); return q !== undefined && quantizesAny(q); });
  const recorders = new Map(ops.map((o) => [o.name, new WeightedMean()]));
  const chain = layerwiseChain(qg, quantizing.map((o) => o.name));
  if (chain) {
    const perGroup = Math.max(1, Math.floor((opts.stateBudgetBytes ?? LAYERWISE_STATE_BUDGET) / Math.max(1, chain.stateBytesPerSample * input.batchSize)));
    let group: Record<string, Tensor>[] = [];
    for await (const batch of analysisBatches(input.data, input.batchSize, input.steps ?? 8)) {
      group.push(batch);
      if (group.length === perGroup) { await runLayerwiseChain(qg, chain, group, input, recorders); group = []; }
    }
    if (group.length > 0) await runLayerwiseChain(qg, chain, group, input, recorders);
  }
  return new Map([...recorders].map(([k, v]) => [k, v.value]));
}

/**
 * The graph with every value's static shape (the stages' cuts need them), traced on a copy when missing: the
 * caller's graph is left as it is.
 */
async function withStaticShapes(qg: QuantizedGraph, runtime: InferenceRuntime): Promise<QuantizedGraph> {
  const g = qg.model.graph;
  const model = { ...qg.model, graph: { ...g, outputs: [...g.outputs], valueInfo: new Map(g.valueInfo) } };
  await ensureShapes(model, runtime);
  return { ...qg, model };
}

/** The chain over a group of batches: recorders get each op's batches in data order. */
async function runLayerwiseChain(
  qg: QuantizedGraph, chain: LayerwiseChain, group: readonly Record<string, Tensor>[], input: AnalysisInput,
  recorders: ReadonlyMap<string, WeightedMean>,
): Promise<void> {
  const outputs = qg.model.graph.outputs.map((o) => o.name);
  const reals: Map<string, BatchValue>[] = [];
  // Each batch's float state at the current cut; replaced batch by batch, so two cuts' states of one batch at most coexist.
  const states: Map<string, Tensor>[] = [];
  const { session: floatSession } = await loadSimSession(input.runtime, qg, { float: true, extraOutputs: chain.initial });
  try {
    for (const batch of group) {
      input.signal?.throwIfAborted();
      const n = batchLength(batch);
      const out = await floatSession.run(batch, [...new Set([...outputs, ...chain.initial])]);
      reals.push(new Map(outputs.map((name) => [name, out.get(name)!])));
      states.push(new Map([...Object.entries(batch), ...chain.initial.map((v): [string, Tensor] => [v, stateTensor(out.get(v)!.data, out.get(v)!.sampleDims, n)])]));
    }
  } finally {
    await floatSession.release();
  }
  for (const stage of chain.stages) {
    input.signal?.throwIfAborted();
    const fetch = [...new Set([...stage.outputs, ...stage.advance.values()])];
    const { model, workingSetPerSample } = stage.build();
    const session = fetch.length > 0 ? await loadBatchSession(input.runtime, model, { workingSetPerSample }) : undefined;
    try {
      for (const [b, state] of states.entries()) {
        input.signal?.throwIfAborted();
        const n = batchLength(group[b]!);
        if (stage.reads.length === 0 && session) throw new InternalError(`layer-wise analysis: the stage of ${stage.op} reads no value`);
        const out = session ? await session.run(Object.fromEntries(stage.reads.map((v) => [v, state.get(v)!])), fetch) : new Map<string, BatchValue>();
        for (const name of outputs) {
          const real = reals[b]!.get(name)!.data;
          recorders.get(stage.op)!.update(batchRatio(out.get(name)?.data ?? real, real, n), n);
        }
        const carried = new Map(stage.keep.map((v): [string, Tensor] => [v, state.get(v)!]));
        for (const [v, from] of stage.advance) carried.set(v, stateTensor(out.get(from)!.data, out.get(from)!.sampleDims, n));
        states[b] = carried;
      }
    } finally {
      await session?.release();
    }
  }
}

/** Mean of the `n` largest values (AutoQuant's default score with n = 3). */
export function topNMean(errors: ReadonlyMap<string, number>, n = 3): number {
  const top = [...errors.values()].sort((a, b) => b - a).slice(0, n);
  return top.length === 0 ? NaN : top.reduce((s, v) => s + v, 0) / top.length;
}
