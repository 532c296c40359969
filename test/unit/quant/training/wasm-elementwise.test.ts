import { describe, expect, it } from 'vitest';
import { fakeQuant, quantizeInto, quantizeIntoJs, tqtQuant, type QuantGrid } from '../../../../src/quant/training/fake-quant.js';
import { clampJs, clip, rangeAddJs, relu } from '../../../../src/quant/training/ops/elementwise.js';
import { createWasmElementwise, quantizable, WASM_MIN_ELEMENTS } from '../../../../src/quant/training/ops/wasm-elementwise.js';
import { leaf, Tape } from '../../../../src/quant/training/tape.js';
import { randomArray, rng } from './gradcheck.js';

const grid8: QuantGrid = { qmin: -128, qmax: 127, rounding: 'half_even', channelAxis: undefined };

/** Index of the first element whose float32 bits differ (NaN matches any NaN), or -1. */
function firstBitDiff(a: Float32Array, b: Float32Array): number {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  return a.length === b.length ? -1 : a.length;
}

/** Random x/s values that hit ties (k + 0.5), integers, the range edges and far-outside values. */
function nastyArray(n: number, s: number, R: (lo?: number, hi?: number) => number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const kind = Math.floor(R(0, 6)), k = Math.round(R(-140, 140));
    const v = kind === 0 ? k + 0.5 : kind === 1 ? k : kind === 2 ? R(-3, 3) : kind === 3 ? R(-1e3, 1e3) : kind === 4 ? (k % 2 ? 127.5 : -128.5) : R(-0.6, 0.6);
    x[i] = v * s;
  }
  return x;
}

type Outs = { out: Float32Array; mask: Uint8Array; dyds: Float32Array | undefined };
const outs = (n: number, withDyds: boolean): Outs => ({ out: new Float32Array(n), mask: new Uint8Array(n), dyds: withDyds ? new Float32Array(n) : undefined });

/** quantizeIntoJs vs the raw WASM kernel and the routed quantizeInto: identical bits in all three outputs. */
function expectSameQuant(x: Float32Array, shape: number[], scales: number[], grid: QuantGrid, withDyds: boolean, label: string): number[] {
  const wasm = createWasmElementwise()!, n = x.length, ref = outs(n, withDyds), raw = outs(n, withDyds), routed = outs(n, withDyds);
  quantizeIntoJs(x, shape, scales, grid, ref.out, ref.mask, ref.dyds);
  quantizeInto(x, shape, scales, grid, routed.out, routed.mask, routed.dyds);
  const ax = grid.channelAxis;
  const inner = ax === undefined ? n : shape.slice(ax + 1).reduce((a, b) => a * b, 1);
  const runs = { outer: ax === undefined ? 1 : shape.slice(0, ax).reduce((a, b) => a * b, 1), inner, c: scales.length };
  const redo = wasm.quantize(x, runs, scales, grid.qmin, grid.qmax, raw.out, raw.mask, raw.dyds);
  expect(redo, label).toBeDefined();
  for (const [name, o] of [['routed', routed], ['raw', raw]] as const) {
    if (name === 'raw' && redo!.length) continue; // the caller redoes those runs; checked through `routed`
    expect(firstBitDiff(o.out, ref.out), `${label} ${name} out`).toBe(-1);
    expect(o.mask.findIndex((m, i) => m !== ref.mask[i]), `${label} ${name} mask`).toBe(-1);
    if (withDyds) expect(firstBitDiff(o.dyds!, ref.dyds!), `${label} ${name} dyds`).toBe(-1);
  }
  return redo!;
}

describe('WebAssembly SIMD element-wise kernels', () => {
  it('compiles on this Node (SIMD128 available)', () => {
    expect(createWasmElementwise()).toBeDefined();
  });

  it('half-even fake quantization: bit-identical to the JS quantizer, per tensor (odd sizes, with and without dyds)', () => {
    const R = rng(11);
    [1, 5, 16, 17, 255, 256, 1001, 4099].forEach((n, t) => {
      for (const s of [2 ** -7, 2 ** -3, 1, 8]) {
        const x = nastyArray(n, s, R);
        for (const withDyds of [false, true]) expect(expectSameQuant(x, [n], [s], grid8, withDyds, `n=${n} s=${s} #${t}`)).toEqual([]);
      }
    });
  });

  it('per channel: several channels, inner sizes 1…5001, outer > 1, unsigned and int16 grids', () => {
    const R = rng(12);
    const cases: [number[], number, QuantGrid][] = [
      [[2, 3, 7, 5], 1, grid8], [[8, 3, 3, 3], 0, grid8], [[3, 16], 1, grid8], [[4, 5, 9], 2, grid8], [[6, 4, 50], 1, grid8],
      [[5, 7, 33], 1, { ...grid8, qmin: 0, qmax: 255 }], [[3, 130], 0, { ...grid8, qmin: -32768, qmax: 32767 }],
      [[2, 3, 5001], 1, grid8], [[7, 9, 531], 0, grid8], // runs straddling the 16384-element scratch chunks
    ];
    for (const [shape, axis, g] of cases) {
      const c = shape[axis]!, scales = Array.from({ length: c }, (_, i) => 2 ** (-9 + ((3 * i) % 11)));
      const x = nastyArray(shape.reduce((a, b) => a * b, 1), 2 ** -5, R);
      for (const withDyds of [false, true]) expectSameQuant(x, shape, scales, { ...g, channelAxis: axis }, withDyds, `${shape} axis ${axis}`);
    }
  });

  it('edge values: ties, range edges, |v| ≥ 2^24, ±∞, NaN, −0 → +0, subnormals; exact expected values', () => {
    const edges = [0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 127.5, -128.5, 126.5, 128.5, -129.5, 2 ** 24, -(2 ** 24), 2 ** 25 + 2, 2 ** 52, -(2 ** 60),
      3e38, -3e38, Infinity, -Infinity, Number.NaN, -0, 0, -0.4, 0.4, 1e-45, -1e-45, 1e-40, -1.1754942e-38, 1.1754944e-38];
    for (const s of [2 ** -126, 2 ** -7, 1, 2 ** 3, 2 ** 20, 2 ** 126]) {
      const x = new Float32Array(WASM_MIN_ELEMENTS + 3);
      edges.forEach((v, i) => { x[i] = v; x[i + edges.length] = v * s; });
      for (const withDyds of [false, true]) expectSameQuant(x, [x.length], [s], grid8, withDyds, `edges s=${s}`);
    }
    // Independent expectations (x/s at s = 1): half-even ties, ties at the edges rounded before clamping.
    const x = new Float32Array(WASM_MIN_ELEMENTS);
    x.set([0.5, -0.5, 1.5, -1.5, 2.5, 127.5, -128.5, -0.4, Number.NaN, Infinity, -(2 ** 30)]);
    const o = outs(x.length, true);
    quantizeInto(x, [x.length], [1], grid8, o.out, o.mask, o.dyds);
    expect(Array.from(o.out.subarray(0, 11))).toEqual([0, 0, 2, -2, 2, 127, -128, 0, Number.NaN, 127, -128]);
    expect(Array.from(o.mask.subarray(0, 11))).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0]);
    expect(Array.from(o.dyds!.subarray(0, 11))).toEqual([-0.5, 0.5, 0.5, -0.5, -0.5, 127, 0.5, Math.fround(0.4), Number.NaN, 127, -128]);
    [0, 1, 7].forEach((i) => expect(Object.is(o.out[i], 0), `out[${i}] is +0`).toBe(true));
  });

  it('x·(1/s) underflowing to 0 in float32 (JS float64 keeps a −0 dyds): the run is flagged and redone in JS', () => {
    const n = 300, shape = [3, n / 3], scales = [1, 2 ** 4, 1], x = new Float32Array(n).fill(0.25);
    x[n / 3 + 5] = 2 ** -149; // channel 1: 2^-149 / 16 underflows
    const redo = expectSameQuant(x, shape, scales, { ...grid8, channelAxis: 0 }, true, 'underflow');
    expect(redo).toEqual([1]);
    const o = outs(n, true);
    quantizeInto(x, shape, scales, { ...grid8, channelAxis: 0 }, o.out, o.mask, o.dyds);
    expect(Object.is(o.dyds![n / 3 + 5], -0)).toBe(true); // fround(0 − 2^-153) = −0
    expect(expectSameQuant(x, shape, scales, { ...grid8, channelAxis: 0 }, false, 'underflow, no dyds')).toEqual([]);
  });

  it('declines what it cannot reproduce bit for bit (the router then uses JS)', () => {
    expect(quantizable([0.3], -128, 127)).toBe(false);
    expect(quantizable([2 ** -130], -128, 127)).toBe(false); // s subnormal in float32
    expect(quantizable([2 ** 127], -128, 127)).toBe(false); // 1/s subnormal
    expect(quantizable([1], -(2 ** 31), 2 ** 31 - 1)).toBe(false); // bias grid: qmax not exact in float32
    expect(quantizable([2 ** -7, 2 ** 126], -32768, 32767)).toBe(true);
    const R = rng(13), x = randomArray(600, R, -100, 100);
    expect(createWasmElementwise()!.quantize(x, { outer: 1, inner: 600, c: 1 }, [0.3], -128, 127, new Float32Array(600), new Uint8Array(600))).toBeUndefined();
    const ref = outs(600, true), got = outs(600, true), g32 = { ...grid8, qmin: -(2 ** 31), qmax: 2 ** 31 - 1 };
    quantizeIntoJs(x, [600], [0.3], g32, ref.out, ref.mask, ref.dyds);
    quantizeInto(x, [600], [0.3], g32, got.out, got.mask, got.dyds);
    expect(got).toEqual(ref);
  });

  it('reuses and grows its memory across very different sizes', () => {
    const R = rng(14);
    for (const n of [300, 300000, 513, 70000]) expectSameQuant(nastyArray(n, 2 ** -4, R), [n], [2 ** -4], grid8, true, `n=${n}`);
  });

  it('fakeQuant / tqtQuant backward: masked dy bit-identical, dα equal to the float64 reference', () => {
    const R = rng(15), shape = [4, 6, 5, 7], n = 840, x = nastyArray(n, 2 ** -4, R), dy = randomArray(n, R);
    dy[3] = Number.NaN; dy[4] = -0;
    const alpha = Float32Array.from([-4.2, -3.6, -5, -4.4, -2.9, -4]); // channel axis 1
    const tape = new Tape(), xv = leaf(x, shape, true), a = leaf(alpha, [6], true);
    const g0 = randomArray(n, R);
    xv.grad = g0.slice(); xv.grad[7] = -0;
    const y = tqtQuant(tape, xv, a, { ...grid8, channelAxis: 1 });
    tape.backwardFrom(y, dy);
    const scales = Array.from(alpha, (v) => 2 ** Math.round(v)), ref = outs(n, true);
    quantizeIntoJs(x, shape, scales, { ...grid8, channelAxis: 1 }, ref.out, ref.mask, ref.dyds);
    expect(firstBitDiff(y.data, ref.out)).toBe(-1);
    const gRef = g0.slice(); gRef[7] = -0;
    for (let i = 0; i < n; i++) if (ref.mask[i]) gRef[i] += dy[i]!;
    expect(firstBitDiff(xv.grad!, gRef)).toBe(-1);
    for (let ch = 0; ch < 6; ch++) {
      let acc = 0;
      for (let o = 0; o < 4; o++) for (let i = (o * 6 + ch) * 35; i < (o * 6 + ch + 1) * 35; i++) acc += dy[i]! * ref.dyds![i]!;
      if (ch === 0) expect(Number.isNaN(a.grad![0])).toBe(true); // dy[3] = NaN lies in channel 0
      else expect(a.grad![ch]).toBeCloseTo(Math.fround(acc * scales[ch]! * Math.LN2), 5);
    }
    const t2 = new Tape(), x2 = leaf(x, shape, true), y2 = fakeQuant(t2, x2, [2 ** -4], grid8);
    t2.backwardFrom(y2, dy);
    const m2 = outs(n, false);
    quantizeIntoJs(x, shape, [2 ** -4], grid8, m2.out, m2.mask);
    const g2ref = new Float32Array(n);
    for (let i = 0; i < n; i++) if (m2.mask[i]) g2ref[i] += dy[i]!;
    expect(firstBitDiff(x2.grad!, g2ref)).toBe(-1);
  });

  it('dot: per-channel Σ a·b in float64 within 1e-12 of the sequential sum (inner not a multiple of 4)', () => {
    const R = rng(16), runs = { outer: 3, inner: 2003, c: 5 }, n = 3 * 5 * 2003; // straddles scratch chunks
    const a = randomArray(n, R), b = randomArray(n, R), acc = new Float64Array(5).fill(1);
    expect(createWasmElementwise()!.dot(a, b, runs, acc)).toBe(true);
    for (let ch = 0; ch < 5; ch++) {
      let s = 1, mag = 0;
      for (let o = 0; o < 3; o++) for (let i = (o * 5 + ch) * 2003; i < (o * 5 + ch + 1) * 2003; i++) { s += a[i]! * b[i]!; mag += Math.abs(a[i]! * b[i]!); }
      expect(Math.abs(acc[ch]! - s)).toBeLessThanOrEqual(1e-12 * mag);
    }
  });

  it('clip / relu forward and backward: bit-identical to the JS loops (NaN, −0, ±∞, bounds, subnormals)', () => {
    const R = rng(17), wasm = createWasmElementwise()!;
    const special = [Number.NaN, -0, 0, Infinity, -Infinity, -1, 1, 6, 1e-45, -1e-45, 0.999999, 6.0000005];
    for (const n of [1, 17, 300, 4097, 40001]) {
      const x = randomArray(n, R, -8, 8), dy = randomArray(n, R), g = randomArray(n, R);
      special.forEach((v, i) => { if (3 * i < n) { x[3 * i] = v; g[3 * i + 1] = -0; dy[3 * i + 2] = Number.NaN; } });
      for (const [lo, hi] of [[-1, 1], [0, 6], [0, Infinity], [2 ** -149, Infinity], [-Infinity, 0]]) {
        const o1 = new Float32Array(n), o2 = new Float32Array(n);
        clampJs(x, lo!, hi!, o1);
        expect(wasm.clamp(x, lo!, hi!, o2)).toBe(true);
        expect(firstBitDiff(o2, o1), `clamp n=${n} [${lo}, ${hi}]`).toBe(-1);
        const g1 = g.slice(), g2 = g.slice();
        rangeAddJs(g1, dy, x, lo!, hi!);
        expect(wasm.rangeAdd(g2, dy, x, lo!, hi!)).toBe(true);
        expect(firstBitDiff(g2, g1), `rangeAdd n=${n} [${lo}, ${hi}]`).toBe(-1);
      }
      const m = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : i % 5 === 0 ? 7 : 1)), gm1 = g.slice(), gm2 = g.slice();
      for (let i = 0; i < n; i++) if (m[i]) gm1[i] += dy[i]!;
      expect(wasm.maskAdd(gm2, dy, m)).toBe(true);
      expect(firstBitDiff(gm2, gm1), `maskAdd n=${n}`).toBe(-1);
    }
    expect(wasm.clamp(new Float32Array(4), 0.1, 1, new Float32Array(4))).toBe(false); // 0.1 is not a float32
  });

  it('clip() and relu() on the tape: exact values and torch masks (relu: no gradient at 0)', () => {
    const n = 400, x = new Float32Array(n).fill(3);
    x.set([-2, -0, 0, 0.5, 6, 7, Number.NaN, -1, 1]);
    const t = new Tape(), xv = leaf(x, [n], true);
    const y = clip(t, relu(t, xv), -1, 6);
    expect(Array.from(y.data.subarray(0, 9))).toEqual([0, -0, 0, 0.5, 6, 6, Number.NaN, 0, 1]);
    expect(Object.is(y.data[1], -0)).toBe(true);
    t.backwardFrom(y, new Float32Array(n).fill(1));
    expect(Array.from(xv.grad!.subarray(0, 10))).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 1, 1]);
    const tc = new Tape(), xc = leaf(x, [n], true), yc = clip(tc, xc, 0.1, 0.5); // 0.1 not a float32: JS path
    expect(Array.from(yc.data.subarray(0, 5))).toEqual([0.1, 0.1, 0.1, 0.5, 0.5].map(Math.fround));
    tc.backwardFrom(yc, new Float32Array(n).fill(1));
    expect(Array.from(xc.grad!.subarray(0, 5))).toEqual([0, 0, 0, 1, 0]);
  });
});
