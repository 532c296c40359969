import { describe, expect, it } from 'vitest';
import { batchFetch, lcgIndices, noiseSignalRatio, snrMean, WeightedMean } from '../../../src/quant/measure.js';
import { gen, loadVectors, type Json } from './observers/vectors.js';

const V = loadVectors();

describe('measure', () => {
  it.each(V.measure.indices as Json[])('lcgIndices($count, $numel, $seed) = generate_indexer', (c) => {
    const idx = lcgIndices(c.count, c.numel, c.seed);
    expect(Array.from(idx.subarray(0, 16))).toEqual(c.head);
    expect(idx.reduce((a, b) => a + b, 0)).toBe(c.sum);
    expect(idx[c.count - 1]).toBe(c.last);
  });

  it('lcgIndices defaults to seed 10086', () => {
    expect(lcgIndices(1, 1000)[0]).toBe(86);
  });

  it.each(V.measure.snr as Json[])('torch_snr_error float32: batch $batch × $features', (c) => {
    const real = gen(900 + c.features, c.batch * c.features, 'normal', 0);
    const noise = gen(901 + c.features, c.batch * c.features, 'normal', -6);
    const pred = new Float32Array(real.length);
    for (let i = 0; i < real.length; i++) pred[i] = real[i]! + noise[i]!;
    expect(Array.from(noiseSignalRatio(pred, real, c.batch))).toEqual(c.per);
    expect(snrMean(pred, real, c.batch)).toBe(c.mean);
  });

  it('WeightedMean = MeasureRecorder(reduce=mean)', () => {
    const m = new WeightedMean();
    const seen: number[] = [];
    for (const [r, n] of [[0.25, 8], [0.125, 8], [0.3, 3], [1e-3, 1]] as const) { m.update(r, n); seen.push(m.value); }
    expect(seen).toEqual(V.measure.recorder);
    expect(m.elements).toBe(20);
  });

  it('batchFetch gathers the same indices from every sample', () => {
    const data = Float32Array.from([0, 1, 2, 3, 10, 11, 12, 13]);
    expect(Array.from(batchFetch(data, 2, Uint32Array.from([3, 0, 3])))).toEqual([3, 0, 3, 13, 10, 13]);
  });
});
