/**
 * The latency gate (pure), for `espdl-autoquant bench --max-latency-ms` and the Action's mode benchmark
 * alike: the Top-1 candidate must have a measured median latency (of the firmware's timed runs, warm-up
 * excluded) at most the limit. The Top-1 is looked up by name (bench.json lists candidates in folder order,
 * not by score: see topCandidateName in bench.ts). A candidate that was not measured fails the gate, because
 * an unmeasured model cannot be shown to be fast enough.
 */
import type { CandidateResult } from '../board/bench-report.js';

export interface LatencyGateResult {
  passed: boolean;
  /** One sentence naming the candidate, its median and the limit (empty when passed). */
  failures: string[];
  /** The Top-1 candidate's median latency, ms (undefined: not measured). */
  medianMs?: number;
}

/** Median latency in ms of a bench result, when it was measured. */
export function medianMs(r: CandidateResult | undefined): number | undefined {
  return r?.latency_us ? r.latency_us.median / 1000 : undefined;
}

const fmtMs = (ms: number): string => Number(ms.toPrecision(6)).toString();

/** Gates `top` (the Top-1 candidate's result, undefined when bench.json has none) against `limitMs`. */
export function evaluateLatencyGate(topName: string, top: CandidateResult | undefined, limitMs: number | undefined): LatencyGateResult {
  const median = medianMs(top);
  const base = median === undefined ? {} : { medianMs: median };
  if (limitMs === undefined) return { passed: true, failures: [], ...base };
  if (median === undefined) {
    const why = top ? `${top.status}${top.reason ? `: ${top.reason}` : ''}` : 'not in bench.json';
    return { passed: false, failures: [`candidate ${topName} has no measured latency (${why}), so max-latency-ms ${fmtMs(limitMs)} cannot be met`] };
  }
  if (median > limitMs) {
    return { passed: false, failures: [`candidate ${topName} median latency ${fmtMs(median)} ms is above max-latency-ms ${fmtMs(limitMs)} ms`], ...base };
  }
  return { passed: true, failures: [], ...base };
}
