/** Summary statistics of repeated latency measurements. */

/** Statistics of a sample, in the sample's unit. */
export interface SampleStats {
  readonly min: number;
  readonly median: number;
  readonly mean: number;
  readonly p90: number;
  readonly max: number;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) with linear interpolation between closest ranks, i.e. numpy's default
 * (`method='linear'`): position (n−1)·q in the sorted sample. Throws on an empty sample.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** min / median / mean / p90 / max of a non-empty sample. */
export function sampleStats(values: readonly number[]): SampleStats {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    min: sorted[0],
    median: quantile(sorted, 0.5),
    mean: sum / sorted.length,
    p90: quantile(sorted, 0.9),
    max: sorted[sorted.length - 1],
  };
}
