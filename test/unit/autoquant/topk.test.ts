import { describe, expect, it } from 'vitest';
import { loadSettings, topkBalanceOf } from '../../../src/autoquant/settings.js';
import { balancedTopk, candidateFilterFor, lowLatencyCandidateFilter, sortByScore, updateTopk, type RunRecord } from '../../../src/autoquant/topk.js';

const rec = (index: number, score: number, mp = false): RunRecord => ({ index, score, strategy: { mixed_precision: mp, horizontal_layer_split: false } });
const idx = (rs: RunRecord[]): unknown[] => rs.map((r) => r.index);

// preferred (no int16): idx 0 .1, 2 .3, 4 .5; others (mixed precision): idx 1 .05, 3 .2, 5 .4
const pool = [rec(0, 0.1), rec(1, 0.05, true), rec(2, 0.3), rec(3, 0.2, true), rec(4, 0.5), rec(5, 0.4, true)];

describe('Top-K (candidates.py)', () => {
  it('filter: no int16 promotion and no layer split', () => {
    expect(lowLatencyCandidateFilter(rec(0, 1))).toBe(true);
    expect(lowLatencyCandidateFilter(rec(0, 1, true))).toBe(false);
    expect(lowLatencyCandidateFilter({ strategy: { horizontal_layer_split: true } })).toBe(false);
    expect(lowLatencyCandidateFilter({})).toBe(true);
  });
  it('balances K=5: 2 preferred + 3 others, then re-sorted', () => {
    expect(idx(balancedTopk(pool, 5, lowLatencyCandidateFilter, 'minimize'))).toEqual([1, 0, 3, 2, 5]);
  });
  it('odd K=3 gives the extra slot to the others pool', () => {
    expect(idx(balancedTopk(pool, 3, lowLatencyCandidateFilter, 'minimize'))).toEqual([1, 0, 3]);
    expect(idx(balancedTopk(pool, 3, lowLatencyCandidateFilter, 'maximize'))).toEqual([4, 5, 3]);
  });
  it('a short pool is topped up from the other one', () => {
    const short = [rec(0, 0.1), rec(1, 0.05, true), rec(2, 0.2, true), rec(3, 0.4, true), rec(4, 0.6, true)];
    expect(idx(balancedTopk(short, 4, lowLatencyCandidateFilter, 'minimize'))).toEqual([1, 0, 2, 3]);
    expect(idx(balancedTopk(short, 10, lowLatencyCandidateFilter, 'minimize'))).toEqual([1, 0, 2, 3, 4]);
  });
  it('one empty pool = plain Top-K; K <= 0 = empty', () => {
    expect(idx(balancedTopk([rec(0, 3), rec(1, 1), rec(2, 2)], 2, lowLatencyCandidateFilter, 'minimize'))).toEqual([1, 2]);
    expect(balancedTopk(pool, 0, lowLatencyCandidateFilter, 'minimize')).toEqual([]);
  });
  it('ties break by ascending index in both directions', () => {
    const tied = [rec(7, 1), rec(2, 1), rec(5, 2)];
    expect(idx(sortByScore(tied, 'minimize'))).toEqual([2, 7, 5]);
    expect(idx(sortByScore(tied, 'maximize'))).toEqual([5, 2, 7]);
  });
  it('updateTopk without filter drops records without a numeric score', () => {
    const out = updateTopk([rec(0, 0.3), { index: 1, score: 'x' }], rec(2, 0.1, true), 2, null, 'minimize');
    expect(idx(out)).toEqual([2, 0]);
  });
});

/** A record with an estimated latency (ms) under our extras key; `mp` marks ESP-PPQ's int16 flag. */
const timed = (index: number, score: number, latencyMs: number | undefined, mp = false): RunRecord => ({
  ...rec(index, score, mp),
  ...(latencyMs === undefined ? {} : { espdl_autoquant: { target: 'esp32p4', estimated: { latency_ms: latencyMs, ram_bytes: 1000 } } }),
});

describe('Top-K balanced by estimated latency (ours: deployment_cost: estimated_latency)', () => {
  const byLatency = candidateFilterFor({ cost: 'estimated_latency', latencyTolerance: 0.05 })!;
  it('cheap = within the tolerance of the fastest estimate among the ranked records', () => {
    const ranked = [timed(0, 1, 10), timed(1, 1, 10.5), timed(2, 1, 10.6), timed(3, 1, 20)];
    expect(ranked.map((r) => byLatency(r, ranked))).toEqual([true, true, false, false]);
  });
  it('the flags no longer decide when estimates exist: a slow int8 candidate is costly, a fast int16 one is cheap', () => {
    // ESP-PPQ's flags would put 0 and 2 in the cheap pool; the estimates put 1 (int16 but fast) there with 0.
    const ranked = [timed(0, 0.1, 5), timed(1, 0.05, 5.1, true), timed(2, 0.3, 9), timed(3, 0.2, 12, true)];
    expect(idx(balancedTopk(ranked, 2, lowLatencyCandidateFilter, 'minimize'))).toEqual([1, 0]);
    expect(idx(balancedTopk(ranked, 2, byLatency, 'minimize'))).toEqual([1, 3]);
  });
  it('records without an estimate fall back to ESP-PPQ flags', () => {
    const ranked = [timed(0, 1, 10), timed(1, 1, undefined), timed(2, 1, undefined, true)];
    expect(ranked.map((r) => byLatency(r, ranked))).toEqual([true, true, false]);
  });
  it('the rule follows the settings; candidate_filter none = plain Top-K', () => {
    expect(candidateFilterFor(null)).toBeNull();
    expect(candidateFilterFor({ cost: 'flags', latencyTolerance: 0.05 })).toBe(lowLatencyCandidateFilter);
    expect(topkBalanceOf(loadSettings('deployment_cost: estimated_latency\nlatency_tolerance: 0.1\n'))).toEqual({ cost: 'estimated_latency', latencyTolerance: 0.1 });
    expect(topkBalanceOf(loadSettings(undefined))).toEqual({ cost: 'flags', latencyTolerance: 0.05 });
    expect(topkBalanceOf(loadSettings('candidate_filter: none\n'))).toBeNull();
    expect(() => loadSettings('deployment_cost: size\n', 'aq.yml')).toThrow(/aq.yml: deployment_cost: /);
  });
});
