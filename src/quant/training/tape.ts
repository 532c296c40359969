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

/** Records backward closures in forward order and replays them in reverse. */
export class Tape {
  private readonly steps: (() => void)[] = [];

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
