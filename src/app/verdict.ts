/**
 * The verdict on a run: whether it passes the quality gate, and what the CI step does about it. This is where
 * the Action decides to fail a PR. The gate combines the score gate (min-score, max-score-drop against the
 * base branch: score-gate.ts) and, after an on-device benchmark, the latency gate (latency-gate.ts); a shard's
 * run has no gate of its own (it runs after `mode: merge`). A failed gate fails the step unless
 * fail-on-regression is false, which turns it into a warning.
 */
import type { Shard } from '../autoquant/search.js';
import type { ScoreDirection } from '../autoquant/settings.js';
import type { LatencyGateResult } from './latency-gate.js';
import { evaluateGate, type GateResult, type ScoreDrop } from './score-gate.js';

export interface VerdictRequest {
  /** Best score of the run; undefined when no candidate was evaluated. */
  best: number | undefined;
  direction: ScoreDirection;
  /** The base branch's best score, when one is known. */
  baseline?: number;
  minScore?: number;
  maxScoreDrop?: ScoreDrop;
  /** mode benchmark: the latency gate on the Top-1 candidate. */
  latency?: LatencyGateResult;
  /** Set for one shard of a sharded search. */
  shard?: Shard;
  /** false: a failed gate is a warning, the step passes. */
  failOnRegression: boolean;
}

export interface Verdict {
  /** Score and latency gate together (one `regressed`); undefined for a shard. */
  gate?: GateResult;
  /** fail: the step fails; warn: the gate failed but fail-on-regression is false; pass: the gate passed (or none). */
  step: 'pass' | 'warn' | 'fail';
  /** "Quality gate failed: …" naming every broken limit; empty when the gate passed. */
  message: string;
}

/** The score gate with the latency gate's failures added (one verdict, one `regressed`). */
function withLatency(gate: GateResult, latency: LatencyGateResult | undefined): GateResult {
  if (!latency || latency.failures.length === 0) return gate;
  return { ...gate, passed: false, regressed: true, failures: [...gate.failures, ...latency.failures] };
}

export function judgeRun(r: VerdictRequest): Verdict {
  if (r.shard) return { step: 'pass', message: '' };
  const gate = withLatency(evaluateGate({
    best: r.best, direction: r.direction,
    ...(r.baseline !== undefined ? { baseline: r.baseline } : {}),
    ...(r.minScore !== undefined ? { minScore: r.minScore } : {}),
    ...(r.maxScoreDrop ? { maxScoreDrop: r.maxScoreDrop } : {}),
  }), r.latency);
  if (gate.passed) return { gate, step: 'pass', message: '' };
  return { gate, step: r.failOnRegression ? 'fail' : 'warn', message: `Quality gate failed: ${gate.failures.join('; ')}` };
}
