import { describe, expect, it } from 'vitest';
import { runBlock, paramVars, staticQuant } from '../../../../src/quant/training/executor.js';
import { mse } from '../../../../src/quant/training/loss.js';
import { BufferPool, Tape } from '../../../../src/quant/training/tape.js';
import { runTqt } from '../../../../src/quant/training/tqt.js';
import { tinyBlock } from './tiny-block.js';

describe('BufferPool', () => {
  it('hands a returned buffer out again, zeroed, and only for the same length', () => {
    const pool = new BufferPool();
    const f = pool.floats(40), b = pool.bytes(40);
    f.fill(7); b.fill(3);
    pool.giveBack([f], [b]);
    expect(pool.floats(41)).not.toBe(f);
    const again = pool.floats(40), bagain = pool.bytes(40);
    expect(again).toBe(f);
    expect(bagain).toBe(b);
    expect([...again].every((v) => v === 0)).toBe(true);
    expect([...bagain].every((v) => v === 0)).toBe(true);
    expect(pool.floats(40)).not.toBe(f); // handed out once only
  });
});

describe('a step on a pooled tape', () => {
  /** Loss and gradients of every parameter for one forward + backward of the tiny block's first batch. */
  function step(tape: Tape, setup: ReturnType<typeof tinyBlock>) {
    const { block, batches } = setup;
    const params = paramVars(block, new Set([...block.params.keys()].filter((k) => block.params.get(k)!.dtype === 'float32')));
    const values = runBlock(tape, block, batches[0]!.inputs, params, staticQuant);
    const loss = mse(tape, values.get(block.outputs[0]!)!, batches[0]!.reference.get(block.outputs[0]!)!.data);
    tape.backward(loss);
    return { loss: loss.data[0], grads: [...params].map(([k, v]) => [k, Array.from(v.grad ?? [])]) };
  }

  it('gives the same bits as a fresh tape after the pool took back a dirty step', () => {
    const setup = tinyBlock(21);
    const fresh = step(new Tape(), setup);
    const pool = new BufferPool();
    const first = new Tape(pool);
    step(first, setup);
    first.release(); // every buffer of the first step, values and gradients, now holds non-zero data
    const second = new Tape(pool);
    const again = step(second, setup);
    expect(again).toEqual(fresh);
  });

  it('TQT with pooled steps is repeatable to the bit', () => {
    const o = { lr: 1e-5, steps: 5, isScaleTrainable: true, gamma: 0, intLambda: 0 };
    const { block, batches } = tinyBlock(22, { wBits: 4 });
    const a = runTqt(block, batches, o), b = runTqt(block, batches, o); // pure: the block is unchanged between
    expect(a.status).toBe('updated');
    expect(b).toEqual(a);
  });
});
