// The kl observer visits only the non-empty histogram bins (int16 histograms have 2^20 bins, mostly empty). These
// tests hold it to the dense formulas it replaced, bit for bit: the dense reference below is the straightforward
// reading of ESP-PPQ's hist_to_scale_offset that the observer computed before (exactness against torch itself is
// checked by observers.test.ts and the parity suites).
import { describe, expect, it } from 'vitest';
import { klBestBinRange, klDivergences } from '../../../../src/quant/observers/kl.js';
import { sparseSumF32, sumF32 } from '../../../../src/quant/observers/torch-ops.js';

const EPS = 1e-30;

function denseKlDivergences(hist: Int32Array, bits: number): Float64Array {
  const bins = hist.length;
  const quantBins = 2 ** (bits - 1);
  const h = Float32Array.from(hist);
  const cut = Math.trunc(bins * 0.002);
  h.fill(0, 0, cut);
  h[cut] = 1;
  const total = sumF32(h);
  const out: number[] = [];
  for (let range = quantBins; range < bins + quantBins - 1; range += quantBins) {
    const tail = sumF32(h, range, bins);
    const expand = range / quantBins;
    const q = new Float32Array(range);
    for (let r = 0; r < quantBins; r++) {
      let sum = 0;
      let cnt = 0;
      for (let i = r * expand; i < (r + 1) * expand; i++) { sum += h[i]!; if (h[i]! > 0) cnt++; }
      const mean = Math.fround(sum / (cnt === 0 ? 1 : cnt));
      for (let i = r * expand; i < (r + 1) * expand; i++) q[i] = h[i]! > 0 ? mean : 0;
    }
    const qSum = sumF32(q);
    let kl = 0;
    for (let i = 0; i < range; i++) {
      const pi = Math.fround((i === range - 1 ? Math.fround(h[i]! + tail) : h[i]!) / total);
      if (pi === 0) continue;
      kl += i === range - 1
        ? pi * (Math.log10(pi + EPS) - Math.log10(Math.fround(q[i]! / qSum) + EPS))
        : pi * Math.log10(pi + EPS) - pi * Math.log10(Math.fround(q[i]! / qSum) + EPS);
    }
    out.push(kl);
  }
  return Float64Array.from(out);
}

/** Deterministic pseudo-random numbers in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A histogram of |activations|: counts decaying away from zero, a share of bins empty, a few outliers. */
function activationHistogram(bins: number, seed: number, opts: { fill: number; scale: number }): Int32Array {
  const rand = lcg(seed);
  const h = new Int32Array(bins);
  for (let i = 0; i < bins; i++) {
    const density = Math.exp((-8 * i) / bins);
    if (rand() < opts.fill * density * 3) h[i] = Math.max(1, Math.round(rand() * opts.scale * density));
  }
  h[bins - 1] = 1;
  return h;
}

const same = (a: Float64Array, b: Float64Array): void => {
  expect(a.length).toBe(b.length);
  for (let j = 0; j < a.length; j++) expect(Object.is(a[j], b[j]), `candidate ${j}: ${a[j]} vs ${b[j]}`).toBe(true);
};

describe('kl divergences over the non-empty bins only', () => {
  it.each([
    ['int8, sparse', 8, 4096, 1, { fill: 0.05, scale: 40 }, false],
    ['int8, dense', 8, 4096, 2, { fill: 1, scale: 1000 }, false],
    ['int8, counts above 2^24 (float32 tail sums)', 8, 4096, 3, { fill: 0.5, scale: 400_000 }, true],
    ['int16, 13 % filled', 16, 1 << 20, 4, { fill: 0.13, scale: 30 }, false],
    ['int16, counts above 2^24 (float32 tail sums)', 16, 1 << 20, 5, { fill: 0.1, scale: 2000 }, true],
    // counts and group sums beyond the observer's small-count tables (4096) take the uncached path
    ['int16, large counts mixed with small ones', 16, 1 << 20, 6, { fill: 0.05, scale: 20_000 }, true],
  ] as const)('%s: the same bits as the dense formulas', (_, bits, bins, seed, opts, above2p24) => {
    const h = activationHistogram(bins, seed, opts);
    expect(h.reduce((a, b) => a + b, 0) >= 2 ** 24).toBe(above2p24);
    same(klDivergences(h, bits), denseKlDivergences(h, bits));
  }, 120_000);

  it('edge cases: a lone spike, the cut bin only, the last bin filled', () => {
    const spike = new Int32Array(4096);
    spike[300] = 1000;
    same(klDivergences(spike, 8), denseKlDivergences(spike, 8));
    const empty = new Int32Array(4096);
    same(klDivergences(empty, 8), denseKlDivergences(empty, 8));
    const ends = new Int32Array(4096);
    for (const i of [127, 128, 255, 4095]) ends[i] = 7;
    same(klDivergences(ends, 8), denseKlDivergences(ends, 8));
  });
});

describe('the winning bin range with estimated candidates pruned', () => {
  // klBestBinRange estimates every candidate per group and computes exactly only those near the smallest
  // estimate (when the histogram has ≥ 2·quant_bins non-empty bins): its choice must be PPQ's, the first
  // candidate with the smallest exact divergence.
  const firstArgmin = (kls: Float64Array) => kls.reduce((best, v, j) => (v < kls[best]! ? j : best), 0);
  it.each([
    ['int8, dense', 8, 4096, 2, { fill: 1, scale: 1000 }],
    ['int8, counts above 2^24', 8, 4096, 3, { fill: 0.5, scale: 400_000 }],
    ['int16, 30 % filled', 16, 1 << 20, 7, { fill: 0.3, scale: 30 }],
    ['int16, 60 % filled, large counts', 16, 1 << 20, 8, { fill: 0.6, scale: 20_000 }],
    ['int16, 20 % filled, counts of one', 16, 1 << 20, 9, { fill: 0.2, scale: 1 }],
  ] as const)('%s: the first exact minimum', (_, bits, bins, seed, opts) => {
    const h = activationHistogram(bins, seed, opts);
    expect(h.filter((c) => c > 0).length).toBeGreaterThanOrEqual(2 * 2 ** (bits - 1));
    expect(klBestBinRange(h, bits)).toBe((firstArgmin(klDivergences(h, bits)) + 1) * 2 ** (bits - 1));
  }, 120_000);

  it('a flat histogram (every bin filled) and a lone spike', () => {
    for (const bits of [8, 16]) {
      const flat = new Int32Array(bits === 8 ? 4096 : 1 << 20).fill(1);
      expect(klBestBinRange(flat, bits)).toBe((firstArgmin(klDivergences(flat, bits)) + 1) * 2 ** (bits - 1));
    }
    const spike = new Int32Array(4096);
    spike[300] = 1000;
    expect(klBestBinRange(spike, 8)).toBe((firstArgmin(klDivergences(spike, 8)) + 1) * 128);
  });
});

describe('sparseSumF32', () => {
  it.each([3, 8, 31, 32, 100, 4096, 5000, 70_001, 1 << 20])('equals sumF32 of the dense array (n = %i)', (n) => {
    const rand = lcg(n);
    const dense = new Float32Array(n);
    for (let i = 0; i < n; i++) if (rand() < 0.2) dense[i] = Math.fround(rand() * 1000);
    const filled = Int32Array.from(dense.keys()).filter((i) => dense[i]! > 0);
    const values = Float32Array.from(filled, (i) => dense[i]!);
    expect(sparseSumF32(values, filled, 0, filled.length, 0, n)).toBe(sumF32(dense));
    const start = Math.floor(n / 3);
    const from = filled.findIndex((i) => i >= start);
    expect(sparseSumF32(values, filled, from < 0 ? filled.length : from, filled.length, start, n)).toBe(sumF32(dense, start, n));
  });
});
