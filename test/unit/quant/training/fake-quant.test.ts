import { describe, expect, it } from 'vitest';
import { Adam } from '../../../../src/quant/training/adam.js';
import {
  adaroundFinal, adaroundInit, adaroundQuant, fakeQuant, rectifiedSigmoid, tqtQuant,
} from '../../../../src/quant/training/fake-quant.js';
import { fakeQuantize } from '../../../../src/quant/fake-quant.js';
import { roundWith } from '../../../../src/quant/rounding.js';
import { integerPenalty, meanSquare, mse, roundingRegularizer } from '../../../../src/quant/training/loss.js';
import { regularizerBeta } from '../../../../src/quant/training/adaround.js';
import { leaf, Tape } from '../../../../src/quant/training/tape.js';
import { checkGradients, randomArray, rng } from './gradcheck.js';

const R = rng(3);
const grid8 = { qmin: -128, qmax: 127, rounding: 'half_even' as const, channelAxis: undefined };

describe('fake quantization forward', () => {
  it('is clamp(round(x/s), qmin, qmax)·s with half_even and half_up ties', () => {
    const x = leaf(Float32Array.from([0.625, 0.375, -0.625, -0.375, 40, -40, 0.1]), [7]);
    const s = 0.25; // x/s = 2.5, 1.5, −2.5, −1.5, 160, −160, 0.4
    const even = fakeQuant(new Tape(), x, [s], grid8);
    expect(Array.from(even.data)).toEqual([0.5, 0.5, -0.5, -0.5, 127 * s, -128 * s, 0]);
    const up = fakeQuant(new Tape(), x, [s], { ...grid8, rounding: 'half_up' });
    expect(Array.from(up.data)).toEqual([0.75, 0.5, -0.5, -0.25, 127 * s, -128 * s, 0]);
    // Bit-identical to the simulator's quantizer, including a 32-bit bias range.
    const big = leaf(Float32Array.from([3e9, -3e9, 1234.5678, -0.0001]), [4]);
    const g32 = { qmin: -(2 ** 31), qmax: 2 ** 31 - 1, rounding: 'half_up' as const, channelAxis: undefined };
    expect(Array.from(fakeQuant(new Tape(), big, [2 ** -3], g32).data)).toEqual(Array.from(fakeQuantize(big.data, -3, { dims: [4], ...g32 })));
  });
  it('rounds ties at the range edges to even before clamping, masks accordingly, and never yields −0', () => {
    // x/s = 127.5 → 128 (outside, clamped, gradient masked); −128.5 → −128 (inside); −0.4 → +0; NaN stays NaN.
    const x = leaf(Float32Array.from([127.5, -128.5, -0.4, 126.5, Number.NaN]), [5], true);
    const t = new Tape();
    const y = fakeQuant(t, x, [1], grid8);
    expect(Array.from(y.data.subarray(0, 4))).toEqual([127, -128, 0, 126]);
    expect(Object.is(y.data[2], 0)).toBe(true);
    expect(Number.isNaN(y.data[4])).toBe(true);
    t.backwardFrom(y, Float32Array.from([1, 1, 1, 1, 1]));
    expect(Array.from(x.grad!)).toEqual([0, 1, 1, 1, 0]);
  });
  it('per-channel uses one scale per channel along the axis', () => {
    const x = leaf(Float32Array.from([1.3, 1.3, 1.3, 1.3]), [2, 2]);
    const y = fakeQuant(new Tape(), x, [0.5, 2], { ...grid8, channelAxis: 0 });
    expect(Array.from(y.data)).toEqual([1.5, 1.5, 2, 2]);
  });
});

describe('straight-through gradients', () => {
  it('fakeQuant passes dy inside [qmin, qmax] and zeroes it outside (per-tensor and per-channel)', () => {
    const t = new Tape();
    const x = leaf(Float32Array.from([0.3, 100, -0.2, -100]), [2, 2], true);
    const y = fakeQuant(t, x, [0.5, 0.25], { ...grid8, qmin: -8, qmax: 7, channelAxis: 0 });
    t.backwardFrom(y, Float32Array.from([1, 2, 3, 4]));
    expect(Array.from(x.grad!)).toEqual([1, 0, 3, 0]);
  });
  it('tqtQuant: dα equals the finite difference of the surrogate s·clamp(x/s + δ) with δ frozen', () => {
    const xs = randomArray(30, R, -3, 3);
    xs[0] = 50; xs[1] = -50; // clipped elements
    const alpha0 = -4, s0 = 2 ** alpha0, grid = { ...grid8, qmin: -16, qmax: 15 };
    const delta = Array.from(xs, (v) => roundWith('half_even', v / s0) - v / s0);
    const w = randomArray(30, R);
    const surrogate = (a: number) => {
      const s = 2 ** a;
      return Array.from(xs, (v, i) => s * Math.min(15, Math.max(-16, v / s + delta[i]!))).reduce((acc, v, i) => acc + w[i]! * v, 0);
    };
    const numeric = (surrogate(alpha0 + 1e-4) - surrogate(alpha0 - 1e-4)) / 2e-4;
    const t = new Tape();
    const a = leaf(Float32Array.of(alpha0), [1], true);
    const y = tqtQuant(t, leaf(xs, [30]), a, grid);
    t.backwardFrom(y, w);
    expect(a.grad![0]).toBeCloseTo(numeric, 3);
    // Forward uses 2^round(α): α = −4.3 quantizes exactly like α = −4.
    const y2 = tqtQuant(new Tape(), leaf(xs, [30]), leaf(Float32Array.of(-4.3), [1]), grid);
    expect(Array.from(y2.data)).toEqual(Array.from(y.data));
  });
  it('adaroundQuant: dV matches finite differences; init reproduces W; (V ≥ 0) finalisation', () => {
    const shape = [3, 4], scales = [0.1, 0.05, 0.2];
    const wv = randomArray(12, R, -0.6, 0.6);
    const v0 = adaroundInit(wv, shape, scales, 0);
    const grid = { ...grid8, channelAxis: 0 };
    const init = adaroundQuant(new Tape(), wv, shape, leaf(v0, shape), scales, grid);
    init.data.forEach((v, i) => expect(v).toBeCloseTo(wv[i]!, 5));
    const vStart = { shape, data: randomArray(12, R, -1.5, 1.5) };
    checkGradients((t, [v]) => adaroundQuant(t, wv, shape, v!, scales, grid), [vStart], { h: 1e-3 });
    const fin = adaroundFinal(wv, shape, Float32Array.from(vStart.data), scales, grid);
    fin.forEach((v, i) => {
      const s = scales[Math.floor(i / 4)]!;
      expect(v).toBeCloseTo((Math.floor(wv[i]! / s) + (vStart.data[i]! >= 0 ? 1 : 0)) * s, 6);
    });
    expect(rectifiedSigmoid(-20)).toBe(0);
    expect(rectifiedSigmoid(20)).toBe(1);
  });
});

describe('loss terms', () => {
  it('mse, meanSquare, integerPenalty and the rounding regulariser match finite differences', () => {
    const ref = randomArray(20, R);
    checkGradients((t, [y]) => mse(t, y!, ref), [{ shape: [20], data: randomArray(20, R) }]);
    checkGradients((t, [y]) => meanSquare(t, y!), [{ shape: [20], data: randomArray(20, R) }]);
    checkGradients((t, [a]) => integerPenalty(t, a!), [{ shape: [5], data: Float32Array.from([-3.2, 1.1, 0.4, 2.7, -0.6]) }]);
    checkGradients((t, [v]) => roundingRegularizer(t, v!, 7.5), [{ shape: [12], data: randomArray(12, R, -2, 2) }], { h: 1e-3 });
  });
  it('regulariser schedule: 0 in the first 20 % of steps, β 20 → 2 by cosine', () => {
    expect(regularizerBeta(199, 1000)).toBeUndefined();
    expect(regularizerBeta(200, 1000)).toBeCloseTo(20, 10);
    expect(regularizerBeta(600, 1000)).toBeCloseTo(11, 10);
    expect(regularizerBeta(1000, 1000)).toBeCloseTo(2, 10);
  });
});

describe('Adam (PyTorch semantics)', () => {
  it('matches the bias-corrected update m̂/(√v̂ + eps) step by step', () => {
    const p = leaf(Float32Array.from([1, -2]), [2], true);
    const opt = new Adam([p], { lr: 0.1 });
    const grads = [[0.5, -1], [0.2, 3], [-0.4, 0.1]];
    let m = [0, 0], v = [0, 0];
    const ref = [1, -2];
    grads.forEach((g, t) => {
      p.grad = Float32Array.from(g);
      opt.step();
      m = m.map((x, i) => 0.9 * x + 0.1 * g[i]!);
      v = v.map((x, i) => 0.999 * x + 0.001 * g[i]! ** 2);
      ref.forEach((_, i) => { ref[i] -= (0.1 * (m[i]! / (1 - 0.9 ** (t + 1)))) / (Math.sqrt(v[i]! / (1 - 0.999 ** (t + 1))) + 1e-8); });
      expect(p.data[0]).toBeCloseTo(ref[0]!, 5);
      expect(p.data[1]).toBeCloseTo(ref[1]!, 5);
    });
    // First step moves every coordinate by lr·sign(g).
    const q = leaf(Float32Array.from([0]), [1], true);
    const o2 = new Adam([q], { lr: 0.01 });
    q.grad = Float32Array.of(-123);
    o2.step();
    expect(q.data[0]).toBeCloseTo(0.01, 6);
  });
});
