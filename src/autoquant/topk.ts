/**
 * Top-K bookkeeping, a port of esp_ppq/autoquant/candidates.py (docs/esp-ppq.md §1.9).
 */
import { estimatedLatencyOf, type TopkBalance } from './deployment-cost.js';
import { isPyDict, isPyReal, num, type PyDict, type PyValue } from './py-value.js';
import type { ScoreDirection } from './settings.js';

/** A summary/candidates record (ESP-PPQ shape: index, folder, files, strategy, params, score, extras…). */
export type RunRecord = PyDict;

/**
 * Decides which pool a record belongs to when balancing Top-K (true = cheap to deploy). `ranked` is every record
 * being ranked with it (ESP-PPQ's filters look at the record alone; ours compares estimated latencies).
 */
export type CandidateFilter = (record: RunRecord, ranked: readonly RunRecord[]) => boolean;

/** ESP-PPQ low_latency_candidate_filter: no int16 promotion and no layer split (they cost latency on device). */
export function lowLatencyCandidateFilter(record: RunRecord): boolean {
  const s = isPyDict(record.strategy) ? record.strategy : {};
  return !truthy(s.mixed_precision) && !truthy(s.horizontal_layer_split);
}

/**
 * Ours: a record is cheap when its estimated latency is within `tolerance` (a fraction) of the fastest estimate
 * among the records ranked with it. A record without an estimate (one ESP-PPQ wrote, or a target the latency
 * model does not know) is judged by ESP-PPQ's flags.
 */
export function estimatedLatencyFilter(tolerance: number): CandidateFilter {
  return (record, ranked) => {
    const own = estimatedLatencyOf(record);
    if (own === undefined) return lowLatencyCandidateFilter(record);
    const fastest = Math.min(...ranked.map(estimatedLatencyOf).filter((l): l is number => l !== undefined));
    return own <= fastest * (1 + tolerance);
  };
}

/**
 * The Top-K selection of a search: balanced between cheap and costly candidates (ESP-PPQ's
 * `candidate_filter: low_latency`, with the cost rule of `balance`), or plain Top-K (`balance` null).
 */
export function candidateFilterFor(balance: TopkBalance | null): CandidateFilter | null {
  if (balance === null) return null;
  return balance.cost === 'estimated_latency' ? estimatedLatencyFilter(balance.latencyTolerance) : lowLatencyCandidateFilter;
}

function truthy(v: PyValue | undefined): boolean {
  if (v === undefined || v === null || v === false || v === '') return false;
  if (isPyReal(v)) return num(v) !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** `_sort_by_score`: stable sort by index ascending (missing = 10**12), then by score in `direction`. */
export function sortByScore(records: readonly RunRecord[], direction: ScoreDirection): RunRecord[] {
  const idx = (r: RunRecord): number => (r.index === undefined ? 1e12 : num(r.index));
  const out = [...records].sort((a, b) => idx(a) - idx(b));
  const sign = direction === 'maximize' ? -1 : 1;
  return out.sort((a, b) => sign * (num(a.score) - num(b.score)));
}

function valid(records: readonly RunRecord[]): RunRecord[] {
  return records.filter((r) => 'score' in r && isPyReal(r.score));
}

/** `_balanced_topk`: half the slots for filter-true records, the rest (the extra slot for odd K) for the others. */
export function balancedTopk(records: readonly RunRecord[], k: number, filter: CandidateFilter, direction: ScoreDirection): RunRecord[] {
  if (k <= 0) return [];
  const v = valid(records);
  if (v.length === 0) return [];
  const target = Math.min(k, v.length);
  const preferred = sortByScore(v.filter((r) => filter(r, v)), direction);
  const others = sortByScore(v.filter((r) => !filter(r, v)), direction);
  if (others.length === 0) return preferred.slice(0, target);
  if (preferred.length === 0) return others.slice(0, target);
  const nPref = Math.floor(target / 2);
  const nOther = target - nPref;
  const pickedPref = preferred.slice(0, nPref);
  const pickedOther = others.slice(0, nOther);
  const selected = [...pickedPref, ...pickedOther];
  if (pickedPref.length < nPref) selected.push(...others.slice(nOther, nOther + nPref - pickedPref.length));
  if (pickedOther.length < nOther) selected.push(...preferred.slice(nPref, nPref + nOther - pickedOther.length));
  return sortByScore(selected, direction).slice(0, target);
}

/** `update_topk_candidates` without the IO: the new Top-K after adding `record` to `current`. */
export function updateTopk(current: readonly RunRecord[], record: RunRecord, k: number,
  filter: CandidateFilter | null, direction: ScoreDirection): RunRecord[] {
  const all = [...current, record];
  if (filter === null) return sortByScore(valid(all), direction).slice(0, Math.max(Math.trunc(k), 0));
  return balancedTopk(all, Math.trunc(k), filter, direction);
}
