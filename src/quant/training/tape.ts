/**
 * A compact reverse-mode autodiff tape on Float32Array tensors (NCHW, row-major).
 *
 * Why our own engine: the maintained JS autodiff library is TensorFlow.js; tfjs-node downloads a native binary at
 * install time (fails offline) and the pure-JS CPU backend runs the same kind of scalar loops inside a large
 * framework (README, architecture). Blocks hold a handful of ops, so a closure tape with hand-written backward
 * rules is small and dependency-free.
 *
 * Usage: create a Tape per step, build the forward with op functions (which record backward closures when any
 * input requires a gradient), call `tape.backward(loss)`, read `v.grad`.
 */

import { InternalError } from '../../errors.js';
import { numel } from '../../ir/tensor.js';

/** A tensor in the graph. `grad` is allocated lazily during backward (same length as `data`). */
export interface Var {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  grad: Float32Array | undefined;
  readonly requiresGrad: boolean;
}

/** A leaf tensor. Trainable leaves set `requiresGrad` so ops record their backward rules. */
export function leaf(data: Float32Array, shape: readonly number[], requiresGrad = false): Var {
  if (data.length !== numel(shape)) {
    throw new InternalError(`leaf: data length ${data.length} does not match shape [${shape.join(',')}]`);
  }
  return { data, shape: [...shape], grad: undefined, requiresGrad };
}

/** The gradient buffer of `v`, allocated (zeros) on first use. */
export function gradOf(v: Var): Float32Array {
  if (!v.grad) v.grad = new Float32Array(v.data.length);
  return v.grad;
}

/**
 * Buffers handed back by finished tapes, by length, for the next step's tape. Why: a training step allocates the
 * same multi-MB activations, masks and gradients every step, and a fresh large typed array costs its page faults
 * on first touch (measured 46 ms to allocate and fill a 19 MB array against 4 ms to zero and fill a reused one).
 */
export class BufferPool {
  private readonly floatBufs = new Map<number, Float32Array[]>();
  private readonly byteBufs = new Map<number, Uint8Array[]>();

  /** A Float32Array of length n (reused when one is free): zeroed, or (`zeroed` false) holding anything. */
  floats(n: number, zeroed = true): Float32Array {
    const b = this.floatBufs.get(n)?.pop();
    return b ? (zeroed ? b.fill(0) : b) : new Float32Array(n);
  }

  /** A Uint8Array of length n (reused when one is free): zeroed, or (`zeroed` false) holding anything. */
  bytes(n: number, zeroed = true): Uint8Array {
    const b = this.byteBufs.get(n)?.pop();
    return b ? (zeroed ? b.fill(0) : b) : new Uint8Array(n);
  }

  /** Makes buffers available again; nothing may read or write them afterwards. */
  giveBack(floats: readonly Float32Array[], bytes: readonly Uint8Array[]): void {
    for (const b of floats) pushTo(this.floatBufs, b);
    for (const b of bytes) pushTo(this.byteBufs, b);
  }
}

function pushTo<T extends { length: number }>(m: Map<number, T[]>, b: T): void {
  const list = m.get(b.length);
  if (list) list.push(b);
  else m.set(b.length, [b]);
}

/**
 * Records backward closures in forward order and replays them in reverse. With a pool, the buffers its ops take
 * (`floats`, `bytes`, `grad`) come from the pool and go back to it on `release`, after which no Var of this tape
 * (its values or gradients, trainable leaves' gradients included) may be used.
 */
export class Tape {
  private readonly steps: (() => void)[] = [];
  private readonly takenFloats: Float32Array[] = [];
  private readonly takenBytes: Uint8Array[] = [];

  constructor(private readonly pool?: BufferPool) {}

  /**
   * A zeroed Float32Array for an op's result or scratch (from the pool when the tape has one). An op that writes
   * every element before reading any passes `zeroed` false and skips the pass that zeroes a reused buffer.
   */
  floats(n: number, zeroed = true): Float32Array {
    if (!this.pool) return new Float32Array(n);
    const b = this.pool.floats(n, zeroed);
    this.takenFloats.push(b);
    return b;
  }

  /** A zeroed Uint8Array (masks), from the pool when the tape has one; `zeroed` as for `floats`. */
  bytes(n: number, zeroed = true): Uint8Array {
    if (!this.pool) return new Uint8Array(n);
    const b = this.pool.bytes(n, zeroed);
    this.takenBytes.push(b);
    return b;
  }

  /** The gradient buffer of `v`, allocated (zeros, from the pool when the tape has one) on first use. */
  grad(v: Var): Float32Array {
    if (!v.grad) v.grad = this.floats(v.data.length);
    return v.grad;
  }

  /** Hands every buffer this tape took back to its pool (see the class comment). */
  release(): void {
    this.pool?.giveBack(this.takenFloats.splice(0), this.takenBytes.splice(0));
  }

  /** A result of an op on `inputs`: requires a gradient when any input does. */
  result(data: Float32Array, shape: readonly number[], inputs: readonly Var[]): Var {
    return leaf(data, shape, inputs.some((v) => v.requiresGrad));
  }

  /** Registers the backward rule of `out` (skipped when nothing upstream needs a gradient). */
  record(out: Var, backward: (dy: Float32Array) => void): void {
    if (!out.requiresGrad) return;
    this.steps.push(() => {
      if (out.grad) backward(out.grad);
    });
  }

  /** Seeds d(loss)/d(loss) = 1 for a scalar loss and runs every recorded rule in reverse order. */
  backward(loss: Var): void {
    if (loss.data.length !== 1) throw new InternalError('backward: loss must be a scalar');
    this.backwardFrom(loss, Float32Array.of(1));
  }

  /** Vector-Jacobian product: seeds `out.grad = seed` and runs every recorded rule in reverse order. */
  backwardFrom(out: Var, seed: Float32Array): void {
    if (seed.length !== out.data.length) throw new InternalError('backwardFrom: seed length differs from the output');
    if (!out.requiresGrad) return;
    gradOf(out).set(seed);
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]!();
  }
}
