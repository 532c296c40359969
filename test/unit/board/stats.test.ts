import { describe, expect, it } from 'vitest';
import { quantile, sampleStats } from '../../../src/board/stats.js';

describe('sampleStats', () => {
  it('matches numpy (linear) percentiles', () => {
    // numpy.percentile([3,1,4,1,5,9,2,6], 90) = 6.9 ; median 3.5 ; mean 31/8
    expect(sampleStats([3, 1, 4, 1, 5, 9, 2, 6])).toEqual({ min: 1, median: 3.5, mean: 3.875, p90: 6.8999999999999995, max: 9 });
  });
  it('handles a single run', () => {
    expect(sampleStats([42])).toEqual({ min: 42, median: 42, mean: 42, p90: 42, max: 42 });
  });
  it('throws on an empty sample', () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError);
  });
});
