import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../../fakes/recording-logger.js';
import { runAdaround } from '../../../../src/quant/training/adaround.js';
import { biasCorrect } from '../../../../src/quant/training/bias-correction.js';
import { runTqt } from '../../../../src/quant/training/tqt.js';
import { tinyBlock } from './tiny-block.js';

// lr is TQTSetting's default (1e-5): with STE weight updates larger rates flip too many 4-bit weights.
const TQT = { lr: 1e-5, steps: 300, isScaleTrainable: true, gamma: 0, intLambda: 0 };
const ADA = { lr: 1e-2, steps: 300, gamma: 1, isScaleTrainable: false };

function withNaN(setup: ReturnType<typeof tinyBlock>) {
  const bad = setup.batches[1]!;
  const data = bad.inputs.get('x')!.data.slice();
  data[5] = Number.NaN;
  setup.batches[1] = { ...bad, inputs: new Map([['x', { dims: bad.inputs.get('x')!.dims, data }]]) };
  return setup;
}

describe('TQT on a crudely quantized conv block', () => {
  it('lowers the block MSE and returns integer exponents for the trainable configs', () => {
    const { block, batches, configs } = tinyBlock(11, { wBits: 4 });
    const out = runTqt(block, batches, TQT);
    expect(out.status).toBe('updated');
    if (out.status !== 'updated') return;
    expect(out.postLoss).toBeLessThan(out.preLoss * 0.9);
    // ACTIVATED self-dominated: x, w1, c1, r1, w2, y (not the PASSIVE biases, not the OVERLAPPED followers).
    expect([...out.exponents.keys()].map((c) => c.value).sort()).toEqual(['c1', 'r1', 'w1', 'w2', 'x', 'y']);
    for (const e of out.exponents.values()) expect(Number.isInteger(e)).toBe(true);
    expect([...out.params.keys()].sort()).toEqual(['b1', 'b2', 'w1', 'w2']);
    expect(configs[1]!.exponent).toBe(-4); // the pass is pure: configs keep their calibrated exponents
  });
  it('a planted NaN input stops training, restores the block and says so', () => {
    const log = recordingLogger();
    const { block, batches } = withNaN(tinyBlock(12, { wBits: 4 }));
    const out = runTqt(block, batches, TQT, log);
    expect(out.status).toBe('restored');
    if (out.status !== 'restored') return;
    expect(out.reason).toBe('non-finite loss at step 1');
    expect(log.lines.some((l) => l.level === 'warn' && l.message.includes('restored, non-finite loss at step 1'))).toBe(true);
  });
  it('times the run with the clock it is given, and reads none without one', () => {
    const { block, batches } = tinyBlock(14, { wBits: 4 });
    let t = 1000;
    const timed = runTqt(block, batches, { ...TQT, steps: 3 }, undefined, { now: () => (t += 250) });
    expect(timed.status).toBe('updated');
    if (timed.status === 'updated') expect(timed.seconds).toBe(0.25); // start and end: one tick of the fake clock
    const untimed = runTqt(block, batches, { ...TQT, steps: 3 });
    expect(untimed.status === 'updated' && untimed.seconds).toBeUndefined();
  });
  it('an op without a gradient rule makes the block ineligible with the reason', () => {
    const { block, batches } = tinyBlock(13);
    const odd = { ...block, ops: [...block.ops, { node: { ...block.ops[1]!.node, name: 'sm', opType: 'Softmax' }, inputs: [], outputs: [] }] };
    const out = runTqt(odd, batches, TQT);
    expect(out).toEqual({ status: 'ineligible', block: 'conv1 -> conv2', reason: 'no gradient rule for Softmax sm' });
  });
});

describe('eligibility', () => {
  it('a block reading a value from outside, or an uncalibrated config, is ineligible with the reason', () => {
    const { block, batches, configs } = tinyBlock(14);
    const conv2 = block.ops[2]!;
    const leaky = { ...block, ops: [...block.ops.slice(0, 2), { ...conv2, node: { ...conv2.node, inputs: ['elsewhere', 'w2', 'b2'] } }] };
    expect(runAdaround(leaky, batches, ADA)).toEqual({ status: 'ineligible', block: 'conv1 -> conv2', reason: 'Conv conv2 reads elsewhere from outside the block' });
    configs[4]!.exponent = undefined; // r1
    const out = runTqt(block, batches, TQT);
    expect(out).toEqual({ status: 'ineligible', block: 'conv1 -> conv2', reason: 'cannot run the block: config ' + configs[4]!.id + ' (r1) has no exponent (not calibrated)' });
  });
});

describe('blockwise reconstruction (AdaRound) on a crudely quantized conv block', () => {
  it('lowers the block MSE; finalised weights lie on the quantization grid', () => {
    const { block, batches, configs } = tinyBlock(21, { wBits: 4 });
    const out = runAdaround(block, batches, ADA);
    expect(out.status).toBe('updated');
    if (out.status !== 'updated') return;
    expect(out.postLoss).toBeLessThan(out.preLoss);
    expect([...out.params.keys()].sort()).toEqual(['w1', 'w2']);
    const s = 2 ** (configs[1]!.exponent as number);
    for (const v of out.params.get('w1')!.data as Float32Array) {
      expect(Number.isInteger(v / s)).toBe(true);
      expect(v / s).toBeGreaterThanOrEqual(-8);
      expect(v / s).toBeLessThanOrEqual(7);
    }
  });
  it('a planted NaN input stops training and restores', () => {
    const { block, batches } = withNaN(tinyBlock(22, { wBits: 4 }));
    const out = runAdaround(block, batches, ADA);
    expect(out.status).toBe('restored');
    if (out.status === 'restored') expect(out.reason).toBe('non-finite loss at step 1');
  });
});

describe('bias correction core', () => {
  it('shifts biases by mean_fp − mean_qt and lowers the block loss of a 3-bit-weight block', () => {
    const { block, batches } = tinyBlock(31, { wBits: 3 });
    const out = biasCorrect(block, batches);
    expect(out.status).toBe('updated');
    if (out.status !== 'updated') return;
    expect(out.postLoss).toBeLessThan(out.preLoss);
    expect([...out.params.keys()].sort()).toEqual(['b1', 'b2']);
    const before = block.params.get('b2')!.data as Float32Array, after = out.params.get('b2')!.data as Float32Array;
    expect(after.some((v, i) => v !== before[i])).toBe(true);
  });
  it('restores on non-finite data', () => {
    const { block, batches } = withNaN(tinyBlock(32, { wBits: 3 }));
    const out = biasCorrect(block, batches);
    expect(out.status).toBe('restored');
    if (out.status === 'restored') expect(out.reason).toBe('non-finite result');
  });
});

describe('P4-style per-channel block (synthetic MobileNetV2 shape, 8×8)', () => {
  it('TQT returns one exponent per channel for per-channel weight configs; AdaRound keeps weights on the per-channel grid', async () => {
    const { mobilenetV2Block } = await import('../../../../src/quant/training/synthetic-block.js');
    const { block, batches } = mobilenetV2Block(1, 8);
    const t = runTqt(block, batches, { ...TQT, steps: 5 });
    expect(t.status).toBe('updated');
    if (t.status === 'updated') {
      const w0 = [...t.exponents].find(([c]) => c.value === 'w0')!;
      expect(Array.isArray(w0[1]) && w0[1].length).toBe(192);
    }
    const a = runAdaround(block, batches, { ...ADA, steps: 50 });
    expect(a.status).toBe('updated');
    if (a.status === 'updated') {
      expect(a.postLoss).toBeLessThan(a.preLoss);
      // synthetic weight exponents are −5 on every channel
      for (const v of a.params.get('w1')!.data as Float32Array) expect(Number.isInteger(v * 32)).toBe(true);
    }
  });
});
