/** The Pareto front of (estimated latency, score) and the chart's round ticks; expected values worked out by hand. */
import { describe, expect, it } from 'vitest';
import { niceTicks } from '../../../src/report/charts.js';
import { paretoFront } from '../../../src/report/pareto.js';
import { strategyLabel } from '../../../src/report/run-report.js';

const pts = [
  { id: 0, cost: 1.0, score: 0.30 }, // fastest
  { id: 1, cost: 1.0, score: 0.20 }, // as fast, better when lower is better
  { id: 2, cost: 2.0, score: 0.10 },
  { id: 3, cost: 2.0, score: 0.10 }, // same point as 2
  { id: 4, cost: 3.0, score: 0.10 }, // as good as 2, slower
  { id: 5, cost: 4.0, score: 0.05 },
  { id: 6, cost: 5.0, score: 0.40 },
];

describe('paretoFront', () => {
  it('minimize: the lowest score at each cost that beats every faster point; shared points all count', () => {
    expect(paretoFront(pts, 'minimize')).toEqual([1, 2, 3, 5]);
  });
  it('maximize: only points better than every faster one', () => {
    expect(paretoFront(pts, 'maximize')).toEqual([0, 6]);
  });
  it('empty', () => {
    expect(paretoFront([], 'maximize')).toEqual([]);
  });
});

describe('niceTicks', () => {
  it('1-2-2.5-5 steps covering the range', () => {
    expect(niceTicks(0.3, 0.9)).toEqual({ ticks: [0.2, 0.4, 0.6, 0.8, 1], step: 0.2 }); // 0.6 / 5 = 0.12 → 0.2
    expect(niceTicks(0.955, 1.045)).toEqual({ ticks: [0.94, 0.96, 0.98, 1, 1.02, 1.04, 1.06], step: 0.02 });
    expect(niceTicks(95, 99.5)).toEqual({ ticks: [95, 96, 97, 98, 99, 100], step: 1 });
  });
  it('a single value gets a range around it', () => {
    const { ticks } = niceTicks(2, 2);
    expect(ticks[0]).toBeLessThan(2);
    expect(ticks[ticks.length - 1]).toBeGreaterThan(2);
  });
});

describe('strategyLabel', () => {
  it('a few words per module, top-k kept for int16 and split', () => {
    expect(strategyLabel(
      { num_of_bits: true, calib_algorithm: true, weight_equalization: true, mixed_precision: true, horizontal_layer_split: true, tqt: false },
      { num_of_bits: { value: 8 }, calib_algorithm: { method: 'mse' }, weight_equalization: { iterations: 10, value_threshold: 0.5, opt_level: 2 },
        mixed_precision: { topk: 1 }, horizontal_layer_split: { topk: 2 }, tqt: null },
    )).toBe('int8 · mse · equalize · int16 top-1 · split top-2');
  });
});
