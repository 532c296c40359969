import { describe, expect, it } from 'vitest';
import { createObserver, klBinsFor } from '../../../../src/quant/observers/index.js';
import { HistogramCollector } from '../../../../src/quant/observers/histogram.js';
import { klBestBinRange, klDivergences, klExponent } from '../../../../src/quant/observers/kl.js';
import { mseLoss } from '../../../../src/quant/observers/mse.js';
import { percentileRanks } from '../../../../src/quant/observers/percentile.js';
import { histcInto, kthSmallestPair } from '../../../../src/quant/observers/torch-ops.js';
import { quantRange } from '../../../../src/quant/pot.js';
import { gen, loadVectors, type Json } from './vectors.js';

const V = loadVectors();

describe('minmax observer', () => {
  it('per-tensor over batches', () => {
    const o = createObserver('minmax', { bits: 8, qmin: -128, qmax: 127 });
    o.observe(Float32Array.from([0.5, -1]), 1);
    o.observe(Float32Array.from([3.1875]), 1); // 2·3.1875/255 = 0.025 → 2^-5.32 → ceil −5
    expect(o.render()).toBe(-5);
  });

  it.each(V.minmaxChannel as { dims: number[]; axis: number; exps: number[] }[])('per-channel $dims axis $axis', (c) => {
    const n = c.dims.reduce((a, b) => a * b, 1);
    const o = createObserver('minmax', { bits: 8, qmin: -128, qmax: 127, perChannel: { dims: c.dims, axis: c.axis } });
    for (let b = 0; b < 2; b++) o.observe(gen(300 + c.axis + b, n, 'cube', -2), 1);
    expect(o.render()).toEqual(c.exps);
  });
});

describe('percentile observer (torch.kthvalue + float32 mean)', () => {
  it.each(V.percentile as Json[])('$name', (c) => {
    const { qmin, qmax } = quantRange(c.bits);
    const o = createObserver('percentile', { bits: c.bits, qmin, qmax });
    (c.sizes as number[]).forEach((n, b) => {
      const data = gen(1000 + 17 * b + c.name.length, n, c.kind, c.shift);
      const { kLow, kHigh } = percentileRanks(n);
      expect([kLow, kHigh]).toEqual(c.ranks[b]);
      const [lo, hi] = kthSmallestPair(data, kLow, kHigh);
      expect([hi, lo]).toEqual(c.kth[b]);
      o.observe(data, 1);
    });
    expect(o.render()).toBe(c.exp);
  });

  it.each(V.percentile as Json[])('$name, each batch in uneven parts (as the runtime calls return it)', (c) => {
    const { qmin, qmax } = quantRange(c.bits);
    const o = createObserver('percentile', { bits: c.bits, qmin, qmax });
    (c.sizes as number[]).forEach((n, b) => {
      const data = gen(1000 + 17 * b + c.name.length, n, c.kind, c.shift);
      const cuts = [0, Math.floor(n / 7), Math.floor(n / 2), n - 1, n];
      const parts = cuts.slice(1).map((end, i) => data.subarray(cuts[i]!, end));
      const { kLow, kHigh } = percentileRanks(n);
      const [lo, hi] = kthSmallestPair(parts, kLow, kHigh);
      expect([hi, lo]).toEqual(c.kth[b]);
      o.observeParts!(parts, 1);
    });
    expect(o.render()).toBe(c.exp);
  });

  it('rejects NaN', () => {
    const o = createObserver('percentile', { bits: 8, qmin: -128, qmax: 127 });
    expect(() => o.observe(Float32Array.from([1, NaN]), 1)).toThrow(/NaN/);
  });
});

function runTwoPass(kind: 'kl' | 'mse', c: Json, seedBase: number): number | number[] {
  const { qmin, qmax } = quantRange(c.bits);
  const o = createObserver(kind, { bits: c.bits, qmin, qmax, klBins: klBinsFor(c.bits) });
  expect(o.passes).toBe(2);
  const batches = Array.from({ length: c.batches }, (_, b) => gen(seedBase + b + c.bits, c.n, c.kind, c.shift));
  for (const b of batches) o.observe(b, 1);
  for (const b of batches) o.observe(b, 2);
  return o.render();
}

/** torch.histc's bin by its definition: one float32 division per value. */
function histcByDivision(bins: number, values: Float32Array, lo: number, hi: number, transform: 'abs' | 'none' = 'abs'): Int32Array {
  const out = new Int32Array(bins);
  const left = Math.fround(lo), right = Math.fround(hi), width = Math.fround(right - left), fbins = Math.fround(bins);
  for (const x of values) {
    const v = transform === 'abs' ? Math.abs(x) : x;
    if (v >= left && v <= right) out[Math.min(bins - 1, Math.trunc(Math.fround(Math.fround(Math.fround(v - left) * fbins) / width)))]!++;
  }
  return out;
}

/** The float32 neighbours of x (next below, x, next above). */
function around(x: number): number[] {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  const below = new Float32Array(new Uint32Array([u[0]! - 1]).buffer)[0]!;
  const above = new Float32Array(new Uint32Array([u[0]! + 1]).buffer)[0]!;
  return [below, f[0]!, above];
}

// Histograms up to WASM_MAX_BINS are counted in WebAssembly, longer ones by the JS loop: both are checked.
describe('histcInto (WebAssembly up to 2^16 bins, else a table of bin edges)', () => {
  it.each([[4096, 6], [4096, 0.1234567], [2048, 3.3e-3], [1 << 20, 17.25], [4096, 1e30]])('bins %i, range [0, %f]: the counts of the float32 division', (bins, hi) => {
    const r = Math.fround(hi);
    const values: number[] = [];
    // Every bin edge and its float32 neighbours (the values whose bin depends on the division's rounding).
    const step = Math.max(1, Math.floor(bins / 4096));
    for (let k = 0; k <= bins; k += step) for (const v of around((k * r) / bins)) values.push(v, -v);
    // The range ends, outside values, zeros, NaN, and a ReLU6-like spread.
    values.push(0, -0, r, -r, ...around(r), 2 * r, NaN, Infinity);
    for (let i = 0; i < 20000; i++) values.push(Math.min(r, Math.max(0, Math.sin(i * 12.9898) * r * 1.2)));
    const data = Float32Array.from(values);
    const hist = new Int32Array(bins);
    histcInto(hist, data, 0, hi, 'abs');
    expect(Array.from(hist)).toEqual(Array.from(histcByDivision(bins, data, 0, hi)));
  });

  it.each([2048, 1 << 17])('bins %i: signed values over a range that is not [0, hi], and one histogram given another range later', (bins) => {
    const ranges: [number, number][] = [[-3.7, 5.25], [-0.01, 0.02]];
    const hist = new Int32Array(bins);
    const expected = new Int32Array(bins);
    for (const [lo, hi] of ranges) {
      const values: number[] = [];
      const width = Math.fround(Math.fround(hi) - Math.fround(lo));
      for (let k = 0; k <= bins; k += Math.max(1, bins >> 12)) values.push(...around(Math.fround(lo) + (k * width) / bins));
      for (let i = 0; i < 5000; i++) values.push(Math.sin(i * 78.233) * Math.max(-lo, hi) * 1.1);
      const data = Float32Array.from(values);
      histcInto(hist, data, lo, hi, 'none');
      histcByDivision(bins, data, lo, hi, 'none').forEach((c, i) => { expected[i]! += c; });
      expect(Array.from(hist)).toEqual(Array.from(expected));
    }
  });
});

describe('kl observer', () => {
  it.each((V.kl as Json[]).filter((c) => c.bits === 8))('$name: observer exponent', (c) => {
    expect(runTwoPass('kl', c, 500)).toBe(c.exp);
  });

  it.each(V.kl as Json[])('$name: torch.histc counts and the KL curve', (c) => {
    const col = new HistogramCollector(klBinsFor(c.bits));
    const batches = Array.from({ length: c.batches }, (_, b) => gen(500 + b + c.bits, c.n, c.kind, c.shift));
    for (const b of batches) col.observe(b, 1);
    for (const b of batches) col.observe(b, 2);
    expect(col.histScale).toBe(c.histScale);
    let count = 0;
    let weighted = 0;
    const nonzero: number[] = [];
    col.hist.forEach((v, i) => { count += v; weighted += v * i; if (v > 0 && nonzero.length < 50) nonzero.push(i); });
    expect([count, weighted, nonzero]).toEqual([c.histCount, c.histWeighted, c.histNonzero]);
    const kls = klDivergences(col.hist, c.bits);
    expect(kls.length).toBe(32);
    // float64 dot summed in another order than torch's: agreement to ~1e-12 relative, far below the gaps
    // between candidates.
    const tol = c.bits === 8 ? 1e-12 : 1e-10;
    kls.forEach((kl, j) => expect(Math.abs(kl - c.kl[j]) / Math.abs(c.kl[j])).toBeLessThan(tol));
    const argmin = kls.indexOf(Math.min(...kls));
    expect((argmin + 1) * 2 ** (c.bits - 1)).toBe(c.best);
    expect(klExponent(col.hist, col.histScale, c.bits)).toBe(c.exp);
  });

  it('a single spike: the first range that holds it wins', () => {
    const h = new Int32Array(4096);
    h[300] = 1000;
    expect(klBestBinRange(h, 8)).toBe(384);
  });

  it('render before pass 2 is an error', () => {
    const o = createObserver('kl', { bits: 8, qmin: -128, qmax: 127, klBins: 4096 });
    o.observe(Float32Array.from([1, 2]), 1);
    expect(() => o.render()).toThrow(/pass-2/);
  });
});

describe('mse observer', () => {
  it.each(V.mse as Json[])('$name', (c) => {
    expect(runTwoPass('mse', c, 700)).toBe(c.exp);
  });

  it('mseLoss matches the Python loss values exactly', () => {
    const c = (V.mse as Json[])[0];
    const h = new Int32Array(2048);
    h[0] = 5; h[100] = 7; h[2047] = 1;
    // Hand-computed: step 9, end 2304: idx 0 → l = 0, r = 8 → 0.5; idx 100 → l = 1, r = 7 → 1.5; 2047 → l = 4 = r → 4.25
    expect(mseLoss(h, 0, 9, 2304)).toBe((5 * 0.5 * 0.5) / 13 + (7 * 1.5 * 1.5) / 13 + (1 * 4.25 * 4.25) / 13);
    expect(c.losses.length).toBe(9);
  });

  it('per-channel mse is unsupported (as in PPQ)', () => {
    expect(() => createObserver('mse', { bits: 8, qmin: -128, qmax: 127, perChannel: { dims: [2], axis: 0 } }))
      .toThrow(/per-channel/);
  });
});
