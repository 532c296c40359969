/**
 * The data term of a training step (Σ block-output MSE against the float reference) computed in two shards of
 * the batch's samples, so that a second thread can take one of them.
 *
 * Why shards: ESP-PPQ's PyTorch steps use both cores; ours were single-threaded. Every op of a shardable block
 * keeps samples apart, so the batch's MSE is Σₖ (nₖ/n)·MSEₖ over sample ranges and its gradient the same sum of
 * the shards' gradients. The split is the same with or without a helper thread (two shards whenever the batch has
 * two samples), and the gradients are added in one fixed order: the same inputs give the same bits whether the
 * second shard ran on a helper or on the calling thread, on any machine. (The sum is ordered differently than an
 * unsharded pass: float noise against PyTorch, which gradient passes are allowed.)
 *
 * The core starts no thread: a shell injects a `ShardHelper` (src/node/training-threads.ts).
 */
import { InternalError } from '../../errors.js';
import { attrInt } from '../../ir/graph.js';
import { opInfo } from '../../ops/registry.js';
import type { TensorQuantConfig } from '../types.js';
import type { Block, BlockBatch, F32 } from './block.js';
import { gridOf, paramVars, runBlock, scalesOf, staticQuant, type QuantHook } from './executor.js';
import { adaroundQuant, tqtQuant } from './fake-quant.js';
import { mse, scale, sum } from './loss.js';
import { BufferPool, leaf, Tape, type Var } from './tape.js';

/** TQT's hook: configs with a trained log2 scale use it (tqtQuant), the others their calibrated one. */
export function tqtHook(alphas: ReadonlyMap<TensorQuantConfig, Var>): QuantHook {
  return (tape, cfg, x, slot) => {
    const a = alphas.get(cfg);
    return a ? tqtQuant(tape, x, a, gridOf(cfg)) : staticQuant(tape, cfg, x, slot);
  };
}

/** A weight AdaRound rounds: its float values W, its config and the trained rounding variables V. */
export interface Rounding { readonly name: string; readonly w: Float32Array; readonly shape: readonly number[]; readonly v: Var; readonly cfg: TensorQuantConfig }

/** AdaRound's hook: rounded weights through h(V), everything else with its calibrated scale. */
export function roundingHook(rs: readonly Rounding[]): QuantHook {
  return (tape, cfg, x, slot) => {
    const r = slot.isParam ? rs.find((q) => q.name === slot.value && q.cfg === cfg) : undefined;
    return r ? adaroundQuant(tape, r.w, r.shape, r.v, scalesOf(cfg), gridOf(cfg)) : staticQuant(tape, cfg, x, slot);
  };
}

/**
 * The trainable state a shard needs, as plain data (it crosses to a helper thread by structured clone, which
 * keeps the identity of configs shared with `block`): trained float parameters by name, and TQT's log2 scales
 * or AdaRound's rounding variables.
 */
export type ShardState =
  | { readonly kind: 'tqt'; readonly params: readonly (readonly [string, Float32Array])[]; readonly alphas: readonly (readonly [TensorQuantConfig, Float32Array])[] }
  | {
    readonly kind: 'adaround'; readonly params: readonly (readonly [string, Float32Array])[];
    readonly roundings: readonly { readonly name: string; readonly w: Float32Array; readonly shape: readonly number[]; readonly cfg: TensorQuantConfig; readonly v: Float32Array }[];
  };

/** One shard's work: the block, its samples' inputs and references, its weight nₖ/n, the trainable state. */
export interface ShardJob {
  readonly block: Block;
  readonly batch: BlockBatch;
  readonly weight: number;
  readonly state: ShardState;
}

/**
 * A shard's weighted loss and the gradient of every trainable tensor in `ShardState` order (params, then alphas
 * or roundings); null where the loss does not reach the tensor. A helper may hand the job's batch arrays back in
 * `batch` for the next step's copy (a helper thread owns them while it runs: they cross by transfer, not copy).
 */
export interface ShardResult { readonly loss: number; readonly grads: readonly (Float32Array | null)[]; readonly batch?: BlockBatch }

/** A helper thread that runs shard jobs (injected by a shell; the core starts none). */
export interface ShardHelper {
  /**
   * Starts `job` on the helper, which owns the job's batch arrays from then on (each is a whole buffer of its
   * own); `wait` blocks until its result, or returns undefined when the helper failed or gave up (the caller then
   * computes the shard itself: same bits).
   */
  start(job: ShardJob): { wait(): ShardResult | undefined };
}

/**
 * Elements (block inputs + references of one batch) from which a step is split into shards. Below it a step
 * takes a few ms (the bundled example's blocks: ≤ 14 k elements, 2–8 ms a step): the round trip to another
 * thread (a copy of the block, a wake-up) costs about what it saves, and two shards on one thread only add
 * per-op overhead. The synthetic MobileNetV2 block (5.6 M elements, 0.4–1 s a step) gains. The split depends on
 * this size only, never on whether a helper is there: the same inputs give the same bits everywhere.
 */
export const SPLIT_MIN_ELEMENTS = 1 << 18;

/** Computes one shard (on whichever thread calls it). `pool` reuses its buffers across steps. */
export function runShard(job: ShardJob, pool?: BufferPool): ShardResult {
  const { block, batch, state } = job;
  const tape = new Tape(pool);
  const params = paramVars(block, new Set());
  const trained: Var[] = [];
  for (const [name, data] of state.params) {
    const v = leaf(data, block.params.get(name)?.dims ?? [data.length], true);
    params.set(name, v);
    trained.push(v);
  }
  let hook: QuantHook;
  if (state.kind === 'tqt') {
    const alphas = new Map(state.alphas.map(([cfg, a]) => [cfg, leaf(a, [a.length], true)] as const));
    trained.push(...alphas.values());
    hook = tqtHook(alphas);
  } else {
    const rs = state.roundings.map((r) => ({ ...r, v: leaf(r.v, r.shape, true) }));
    trained.push(...rs.map((r) => r.v));
    hook = roundingHook(rs);
  }
  const values = runBlock(tape, block, batch.inputs, params, hook);
  const terms = block.outputs.map((n) => {
    const y = values.get(n), ref = batch.reference.get(n);
    if (!y || !ref) throw new InternalError(`shard: block output ${n} or its reference is missing`);
    return mse(tape, y, ref.data);
  });
  const loss = scale(tape, sum(tape, terms), job.weight);
  tape.backward(loss);
  const result = { loss: loss.data[0]!, grads: trained.map((v) => (v.grad ? v.grad.slice() : null)) };
  tape.release();
  return result;
}

/** Ops whose every output sample depends only on the same input sample (with the conditions in `keepsSamples`). */
const SAMPLE_WISE = new Set([
  'Conv', 'Relu', 'Clip', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Swish', 'MaxPool', 'AveragePool', 'GlobalAveragePool',
  'Identity', 'Add', 'Sub', 'Mul', 'Concat', 'Flatten', 'Gemm',
]);

/** Whether an op keeps the samples (axis 0) of its non-constant inputs apart. */
function keepsSamples(block: Block, op: Block['ops'][number]): boolean {
  const { node } = op;
  if (!SAMPLE_WISE.has(node.opType)) return false;
  // Concat along a sample axis ≥ 1 only (a negative axis could be 0 for a rank we do not know here).
  if (node.opType === 'Concat') return attrInt(node, 'axis', 0) >= 1;
  if (node.opType === 'Flatten') return attrInt(node, 'axis', 1) >= 1;
  if (node.opType === 'Gemm') return attrInt(node, 'transA', 0) === 0 && node.inputs.slice(1).every((i) => !i || block.params.has(i));
  if (opInfo(node.opType).computing) return node.inputs.slice(1).every((i) => !i || block.params.has(i));
  // Element-wise: a constant operand must broadcast over the samples whatever the activation's rank (a scalar, a
  // vector along the last axis, or a leading dim of 1); a [C,1,1] constant would be safe on NCHW but is declined.
  return node.inputs.every((i) => {
    const t = block.params.get(i);
    return !t || t.dims.length <= 1 || t.dims[0] === 1;
  });
}

/** Whether the block's data term may be computed in sample shards (every op keeps samples apart). */
export function shardable(block: Block): boolean {
  return block.ops.every((op) => keepsSamples(block, op));
}

/**
 * Rows [r0, r1) of a value whose axis 0 is the sample axis: a view, or (`into` given: a spare array, reused when
 * its length fits, else a new one) a copy with a buffer of its own, to hand to a helper thread.
 */
function rows(v: F32, r0: number, r1: number, into?: Map<string, Float32Array>, key?: string): F32 {
  const inner = v.data.length / v.dims[0]!;
  const view = v.data.subarray(r0 * inner, r1 * inner);
  const spare = into && key !== undefined ? into.get(key) : undefined;
  const data = !into ? view : spare && spare.length === view.length ? (spare.set(view), spare) : view.slice();
  return { dims: [r1 - r0, ...v.dims.slice(1)], data };
}

function sliceBatch(batch: BlockBatch, r0: number, r1: number, spare?: BlockBatch): BlockBatch {
  const arrays = (m: ReadonlyMap<string, F32> | undefined): Map<string, Float32Array> => new Map([...(m ?? [])].map(([k, v]) => [k, v.data]));
  const cut = (m: ReadonlyMap<string, F32>, into: Map<string, Float32Array> | undefined): Map<string, F32> =>
    new Map([...m].map(([k, v]) => [k, rows(v, r0, r1, into, k)]));
  const copy = spare !== undefined;
  return { inputs: cut(batch.inputs, copy ? arrays(spare.inputs) : undefined), reference: cut(batch.reference, copy ? arrays(spare.reference) : undefined) };
}

const NO_SPARE: BlockBatch = { inputs: new Map(), reference: new Map() };

function elementsOf(batch: BlockBatch): number {
  let n = 0;
  for (const v of batch.inputs.values()) n += v.data.length;
  for (const v of batch.reference.values()) n += v.data.length;
  return n;
}

/** Samples of a batch (axis 0 of its inputs; every input and reference must agree). */
function samplesOf(batch: BlockBatch): number | undefined {
  const n = new Set([...batch.inputs.values(), ...batch.reference.values()].map((v) => v.dims[0]));
  return n.size === 1 ? [...n][0] : undefined;
}

/**
 * Runs the data term of one step over a block: in two sample shards when the block and batch allow it (the
 * second on the helper when there is one), else in one. Owns the buffer pools of the shards it runs.
 */
export class ShardedDataTerm {
  private readonly pools = [new BufferPool(), new BufferPool()];
  private readonly split: boolean;
  /** The arrays the helper handed back after the last step, refilled for the next one. */
  private spare: BlockBatch = NO_SPARE;

  constructor(private readonly block: Block, private readonly helper?: ShardHelper, private readonly minElements = SPLIT_MIN_ELEMENTS) {
    this.split = shardable(block);
  }

  /** The weighted loss and gradients of the batch (Σ over shards in shard order). */
  run(batch: BlockBatch, state: ShardState): ShardResult {
    const n = samplesOf(batch);
    if (!this.split || n === undefined || n < 2 || elementsOf(batch) < this.minElements) return runShard({ block: this.block, batch, weight: 1, state }, this.pools[0]);
    const half = Math.ceil(n / 2);
    const second = { block: this.block, weight: (n - half) / n, state };
    const remote = this.helper?.start({ ...second, batch: sliceBatch(batch, half, n, this.spare) });
    this.spare = NO_SPARE;
    const a = runShard({ block: this.block, batch: sliceBatch(batch, 0, half), weight: half / n, state }, this.pools[0]);
    const b = remote?.wait() ?? runShard({ ...second, batch: sliceBatch(batch, half, n) }, this.pools[1]);
    if (b.batch) this.spare = b.batch;
    return { loss: a.loss + b.loss, grads: a.grads.map((g, k) => sumInto(g, b.grads[k] ?? null)) };
  }
}

function sumInto(a: Float32Array | null, b: Float32Array | null): Float32Array | null {
  if (!a || !b) return a ?? b;
  for (let i = 0; i < a.length; i++) a[i] += b[i]!;
  return a;
}

/**
 * Adds a data term's gradients (ShardState order) to the trainable Vars, after the parameter-only terms'
 * backward: the same order every step. A Var the data term does not reach keeps what it had (none: Adam skips it).
 */
export function addGrads(vars: readonly Var[], grads: readonly (Float32Array | null)[]): void {
  vars.forEach((v, k) => {
    const g = grads[k];
    if (!g) return;
    if (!v.grad) v.grad = g;
    else sumInto(v.grad, g);
  });
}
