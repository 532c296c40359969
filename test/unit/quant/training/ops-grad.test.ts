import { describe, expect, it } from 'vitest';
import { conv2d, type ConvAttrs } from '../../../../src/quant/training/ops/conv.js';
import { binary, clip, hardSigmoid, hardSwish, relu, sigmoid, swish } from '../../../../src/quant/training/ops/elementwise.js';
import { gemm, matmul } from '../../../../src/quant/training/ops/gemm.js';
import { averagePool, globalAveragePool, maxPool, type PoolAttrs } from '../../../../src/quant/training/ops/pool.js';
import { concat, reshape, transpose } from '../../../../src/quant/training/ops/shape.js';
import { leaf, Tape } from '../../../../src/quant/training/tape.js';
import { checkGradients, randomArray, rng } from './gradcheck.js';

const R = rng(42);
const input = (shape: number[], lo = -1, hi = 1) => ({ shape, data: randomArray(shape.reduce((a, b) => a * b, 1), R, lo, hi) });
/** Values kept ≥ `gap` away from every kink in `kinks`, so central differences do not straddle one. */
const awayFrom = (shape: number[], kinks: number[], gap = 0.05, lo = -4, hi = 4) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    do v = R(lo, hi); while (kinks.some((k) => Math.abs(v - k) < gap));
    data[i] = v;
  }
  return { shape, data };
};
const convA = (s: number, p: [number, number, number, number], d: number, g: number): ConvAttrs => ({ strides: [s, s], pads: p, dilations: [d, d], group: g });
const poolA = (k: number, s: number, p: number, ceil = false, cip = false): PoolAttrs =>
  ({ kernel: [k, k], strides: [s, s], pads: [p, p, p, p], dilations: [1, 1], ceilMode: ceil, countIncludePad: cip });

describe('backward rules match central finite differences', () => {
  it('Conv: 3×3, stride 2, asymmetric padding, bias, batch 2', () => {
    expect(checkGradients((t, [x, w, b]) => conv2d(t, x!, w!, b, convA(2, [1, 0, 1, 1], 1, 1)),
      [input([2, 3, 7, 6]), input([4, 3, 3, 3]), input([4])])).toBeGreaterThan(0);
  });
  it('Conv: dilation 2 and 1×1 fast path', () => {
    checkGradients((t, [x, w]) => conv2d(t, x!, w!, undefined, convA(1, [2, 2, 2, 2], 2, 1)), [input([1, 2, 6, 6]), input([3, 2, 3, 3])]);
    checkGradients((t, [x, w, b]) => conv2d(t, x!, w!, b, convA(1, [0, 0, 0, 0], 1, 1)), [input([2, 5, 4, 3]), input([6, 5, 1, 1]), input([6])]);
  });
  it('Conv: depthwise and grouped', () => {
    checkGradients((t, [x, w, b]) => conv2d(t, x!, w!, b, convA(1, [1, 1, 1, 1], 1, 4)), [input([2, 4, 5, 5]), input([4, 1, 3, 3]), input([4])]);
    checkGradients((t, [x, w]) => conv2d(t, x!, w!, undefined, convA(2, [1, 1, 1, 1], 1, 2)), [input([1, 4, 6, 6]), input([6, 2, 3, 3])]);
    checkGradients((t, [x, w, b]) => conv2d(t, x!, w!, b, convA(2, [2, 1, 0, 2], 2, 3)), [input([2, 3, 7, 8]), input([3, 1, 3, 3]), input([3])]);
    checkGradients((t, [x, w]) => conv2d(t, x!, w!, undefined, convA(1, [1, 1, 1, 1], 1, 2)), [input([1, 2, 4, 4]), input([4, 1, 3, 3])]);
  });
  it('Gemm: every transA/transB combination with alpha, beta and a broadcast C', () => {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const A = tA ? input([4, 3]) : input([3, 4]), B = tB ? input([5, 4]) : input([4, 5]);
      checkGradients((t, [a, b, c]) => gemm(t, a!, b!, c, { transA: tA, transB: tB, alpha: 0.7, beta: 1.3 }), [A, B, input([5])]);
    }
  });
  it('MatMul: batched with broadcasting', () => {
    checkGradients((t, [a, b]) => matmul(t, a!, b!), [input([2, 3, 4]), input([4, 5])]);
    checkGradients((t, [a, b]) => matmul(t, a!, b!), [input([2, 1, 3, 4]), input([3, 4, 2])]);
  });
  it('Add/Sub/Mul with broadcasting', () => {
    for (const k of ['Add', 'Sub', 'Mul'] as const) {
      checkGradients((t, [a, b]) => binary(t, k, a!, b!), [input([2, 3, 4, 4]), input([1, 3, 1, 1])]);
      checkGradients((t, [a, b]) => binary(t, k, a!, b!), [input([4]), input([3, 1])]);
    }
  });
  it('Relu', () => { checkGradients((t, [x]) => relu(t, x!), [awayFrom([3, 20], [0])]); });
  it('Clip', () => { checkGradients((t, [x]) => clip(t, x!, -1, 2.5), [awayFrom([3, 20], [-1, 2.5])]); });
  it('Sigmoid', () => { checkGradients((t, [x]) => sigmoid(t, x!), [input([40], -4, 4)]); });
  it('HardSigmoid', () => { checkGradients((t, [x]) => hardSigmoid(t, x!, 0.2, 0.5), [awayFrom([40], [-2.5, 2.5])]); });
  it('HardSwish', () => { checkGradients((t, [x]) => hardSwish(t, x!), [awayFrom([40], [-3, 3])]); });
  it('Swish', () => { checkGradients((t, [x]) => swish(t, x!, 1.5), [input([40], -4, 4)]); });
  it('MaxPool: 3×3 stride 2 padding 1, ceil mode', () => {
    // Distinct values so the window maximum is unique and stable under ±h.
    const n = 2 * 2 * 7 * 7, perm = [...Array(n).keys()].sort(() => R() );
    const x = { shape: [2, 2, 7, 7], data: Float32Array.from(perm, (p) => p * 0.01) };
    checkGradients((t, [v]) => maxPool(t, v!, poolA(3, 2, 1, true)), [x], { h: 1e-3 });
  });
  it('AveragePool: with and without count_include_pad', () => {
    checkGradients((t, [x]) => averagePool(t, x!, poolA(3, 2, 1, false, true)), [input([1, 2, 6, 6])]);
    checkGradients((t, [x]) => averagePool(t, x!, poolA(2, 2, 0, true, false)), [input([1, 2, 5, 5])]);
  });
  it('GlobalAveragePool', () => { checkGradients((t, [x]) => globalAveragePool(t, x!), [input([2, 3, 4, 5])]); });
  it('Concat', () => { checkGradients((t, [a, b]) => concat(t, [a!, b!], 1), [input([2, 3, 2, 2]), input([2, 1, 2, 2])]); });
  it('Reshape/Flatten', () => { checkGradients((t, [x]) => reshape(t, x!, [2, 12]), [input([2, 3, 2, 2])]); });
  it('Transpose', () => { checkGradients((t, [x]) => transpose(t, x!, [0, 2, 3, 1]), [input([2, 3, 2, 4])]); });
});

describe('forward values against independent computations', () => {
  it('Conv depthwise 3×3 on a ones input gives 9·w at the centre and 4·w at a corner', () => {
    const w = Float32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    const y = conv2d(new Tape(), leaf(new Float32Array(18).fill(1), [1, 2, 3, 3]), leaf(w, [2, 1, 3, 3]), undefined, convA(1, [1, 1, 1, 1], 1, 2));
    expect(Array.from(y.data)).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4, 8, 12, 8, 12, 18, 12, 8, 12, 8]);
  });
  it('Gemm with transB and beta matches a hand computation', () => {
    const y = gemm(new Tape(), leaf(Float32Array.from([1, 2, 3, 4]), [2, 2]), leaf(Float32Array.from([1, 0, 1, 1, 0, 1]), [3, 2]),
      leaf(Float32Array.from([10]), [1]), { transA: false, transB: true, alpha: 2, beta: 0.5 });
    // A·Bᵀ = [[1,3,2],[3,7,4]] → ·2 + 5
    expect(Array.from(y.data)).toEqual([7, 11, 9, 11, 19, 13]);
  });
  it('MaxPool ceil mode and AveragePool count_include_pad on a 3×3 ramp', () => {
    const x = leaf(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), [1, 1, 3, 3]);
    expect(Array.from(maxPool(new Tape(), x, poolA(2, 2, 0, true)).data)).toEqual([5, 6, 8, 9]);
    // pads 1, kernel 3, stride 2 → corners see 4 valid taps of 9 padded ones.
    expect(Array.from(averagePool(new Tape(), x, poolA(3, 2, 1, false, true)).data)).toEqual([12 / 9, 16 / 9, 24 / 9, 28 / 9].map((v) => Math.fround(v)));
  });
});
