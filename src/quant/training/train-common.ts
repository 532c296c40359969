/**
 * Shared pieces of the training passes (ESP-PPQ TrainingBasedPass, esp_ppq/quantization/optim/training.py):
 * block loss, eligibility, finiteness checks and the result type.
 */
import { InternalError } from '../../errors.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Logger } from '../../log.js';
import type { TensorQuantConfig } from '../types.js';
import type { Block, BlockBatch } from './block.js';
import { paramVars, runBlock, staticQuant, type QuantHook } from './executor.js';
import { mse } from './loss.js';
import { OP_RULES } from './op-rules.js';
import type { ShardHelper } from './shards.js';
import { BufferPool, Tape, type Var } from './tape.js';

/** What a pass did to one block. Passes are pure: nothing is changed unless the caller applies `updated`. */
export type TrainOutcome =
  | {
    readonly status: 'updated'; readonly block: string; readonly preLoss: number; readonly postLoss: number;
    /** New float values of changed parameters (same dims as before). */
    readonly params: ReadonlyMap<string, Tensor>;
    /** New exponents of self-dominated configs (TQT only); per-channel configs get an array. */
    readonly exponents: ReadonlyMap<TensorQuantConfig, number | number[]>;
    readonly steps: number;
    /** Wall time of the run, when the caller gave a clock (`Clock`). */
    readonly seconds?: number;
  }
  | {
    readonly status: 'restored'; readonly block: string; readonly reason: string;
    readonly preLoss: number; readonly postLoss: number | undefined; readonly steps: number; readonly seconds?: number;
  }
  | { readonly status: 'ineligible'; readonly block: string; readonly reason: string };

/** A monotonic millisecond clock. The core reads none itself: the caller passes one (a shell: performance.now). */
export type Clock = () => number;

/** What a shell lends a training pass: a clock for the outcomes' `seconds`, a helper thread for sample shards. */
export interface TrainingContext {
  readonly now?: Clock;
  readonly helper?: ShardHelper;
  /** Batch elements from which steps are split into sample shards (default SPLIT_MIN_ELEMENTS; results depend on it). */
  readonly splitMinElements?: number;
}

/** Seconds since the start of a run, from the caller's clock; undefined without one. */
export function stopwatch(now: Clock | undefined): () => number | undefined {
  if (!now) return () => undefined;
  const t0 = now();
  return () => (now() - t0) / 1000;
}

/** `{ seconds }` for an outcome, or nothing without a clock. */
export function secondsOf(seconds: () => number | undefined): { seconds?: number } {
  const s = seconds();
  return s === undefined ? {} : { seconds: s };
}

/**
 * The outcome of a training run that gives up and keeps the block as it was (ESP-PPQ restores the block's
 * parameters), with the warning that says why. `pass` names the pass in the warning (`TQT`, `AdaRound`).
 */
export function restoredOutcome(
  pass: string, block: Block, preLoss: number, log: Logger, seconds: () => number | undefined,
): (reason: string, postLoss: number | undefined, steps: number) => TrainOutcome {
  return (reason, postLoss, steps) => {
    log.warn(`${pass} ${block.name}: restored, ${reason}`);
    return { status: 'restored', block: block.name, reason, preLoss, postLoss, steps, ...secondsOf(seconds) };
  };
}

/**
 * compute_block_loss: for each block output, the mean over batches of torch_mean_square_error between the
 * (quantized) block output and the float reference; summed over outputs. `visit` sees each batch's block values
 * (a caller that needs more from the same forward pass than the loss; it must not keep them: the batch's buffers
 * are reused for the next batch).
 */
export function blockLoss(
  block: Block, batches: readonly BlockBatch[], params: ReadonlyMap<string, Var>, quant: QuantHook | undefined,
  visit?: (values: ReadonlyMap<string, Var>) => void, pool = new BufferPool(),
): number {
  const sums = block.outputs.map(() => 0);
  for (const b of batches) {
    const tape = new Tape(pool);
    const values = runBlock(tape, block, b.inputs, params, quant);
    visit?.(values);
    block.outputs.forEach((name, k) => { sums[k] += mse(tape, outputOf(values, name), refOf(b, name)).data[0]!; });
    tape.release();
  }
  return sums.reduce((s, v) => s + v / batches.length, 0);
}

export function outputOf(values: ReadonlyMap<string, Var>, name: string): Var {
  const v = values.get(name);
  if (!v) throw new InternalError(`block output ${name} was not computed`);
  return v;
}

export function refOf(b: BlockBatch, name: string): Float32Array {
  const r = b.reference.get(name);
  if (!r) throw new InternalError(`no float reference cached for block output ${name}`);
  return r.data;
}

/** A value some op reads that is neither a block input, a constant, nor produced earlier in the block. */
function externalInput(block: Block): string | undefined {
  const known = new Set<string>([...block.inputs, ...block.params.keys()]);
  for (const op of block.ops) {
    const ext = op.node.inputs.find((i) => i !== '' && !known.has(i));
    if (ext) return `${op.node.opType} ${op.node.name} reads ${ext} from outside the block`;
    for (const o of op.node.outputs) known.add(o);
  }
  return undefined;
}

/**
 * Why the block cannot be trained, or undefined. Checks rules, block closure and cached data, then runs the
 * quantized block once on the first batch so unsupported attributes or uncalibrated configs surface here.
 */
export function ineligibility(block: Block, batches: readonly BlockBatch[]): string | undefined {
  const missing = block.ops.filter((o) => !OP_RULES[o.node.opType]).map((o) => `${o.node.opType} ${o.node.name}`);
  if (missing.length > 0) return `no gradient rule for ${missing.join(', ')}`;
  const ext = externalInput(block);
  if (ext) return ext;
  if (batches.length === 0) return 'no cached calibration batches';
  for (const name of block.inputs) if (!batches[0]!.inputs.has(name)) return `block input ${name} is not cached`;
  for (const name of block.outputs) if (!batches[0]!.reference.has(name)) return `no float reference for ${name}`;
  try {
    const values = runBlock(new Tape(), block, batches[0]!.inputs, paramVars(block, new Set()), staticQuant);
    for (const name of block.outputs) outputOf(values, name);
  } catch (e) {
    return `cannot run the block: ${e instanceof Error ? e.message : String(e)}`;
  }
  return undefined;
}

/** True when every element is finite. */
export function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

/** The first trainable tensor whose gradient is not finite, by label, or undefined. */
export function nonFiniteGrad(vars: ReadonlyMap<string, Var>): string | undefined {
  for (const [name, v] of vars) if (v.grad && !allFinite(v.grad)) return name;
  return undefined;
}

/** A float32 Tensor of a Var's current values (copied). */
export function tensorOf(v: Var): Tensor {
  return { dtype: 'float32', dims: [...v.shape], data: v.data.slice() };
}
