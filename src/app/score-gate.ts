/**
 * The score gate (pure): a run's best score against `min-score` and against the baseline (the base branch's
 * latest best) with `max-score-drop`, respecting the score direction. `min-score` is the worst acceptable
 * score: a floor when maximizing, a ceiling when minimizing (e.g. a noise ratio).
 */
import type { ScoreDirection } from '../autoquant/settings.js';

/** An allowed drop of the best score versus the baseline: absolute units, or percent of |baseline|. */
export interface ScoreDrop { kind: 'absolute' | 'percent'; value: number }

export interface GateInput {
  /** Best score of this run; undefined when no candidate was evaluated. */
  best: number | undefined;
  /** The base branch's best score, when one is known. */
  baseline?: number;
  direction: ScoreDirection;
  minScore?: number;
  maxScoreDrop?: ScoreDrop;
}

export interface GateResult {
  passed: boolean;
  /** true when any limit broke (the `regressed` output). */
  regressed: boolean;
  /** One sentence per broken limit, naming the number and the limit. */
  failures: string[];
  /** best − baseline (signed, raw units) when both exist. */
  delta?: number;
}

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : Number(x.toPrecision(6)).toString());

/** How much worse `best` is than `baseline` in the given direction (negative = better). */
export function scoreDrop(best: number, baseline: number, direction: ScoreDirection): number {
  return direction === 'maximize' ? baseline - best : best - baseline;
}

/** The drop allowed by `limit` relative to `baseline` (percent is of |baseline|). */
export function allowedDrop(limit: ScoreDrop, baseline: number): number {
  return limit.kind === 'percent' ? (Math.abs(baseline) * limit.value) / 100 : limit.value;
}

function limitText(limit: ScoreDrop): string {
  return limit.kind === 'percent' ? `${fmt(limit.value)}%` : fmt(limit.value);
}

/** Evaluates the gate. Without a baseline the drop limit cannot apply and is skipped (not a failure). */
export function evaluateGate(input: GateInput): GateResult {
  const { best, baseline, direction, minScore, maxScoreDrop } = input;
  if (best === undefined) {
    return { passed: false, regressed: true, failures: ['no candidate was evaluated, so there is no best score to gate'] };
  }
  const failures: string[] = [];
  if (minScore !== undefined) {
    const broke = direction === 'maximize' ? best < minScore : best > minScore;
    if (broke) {
      const rel = direction === 'maximize' ? 'below' : 'above';
      failures.push(`best score ${fmt(best)} is ${rel} min-score ${fmt(minScore)} (score direction: ${direction})`);
    }
  }
  const delta = baseline === undefined ? undefined : best - baseline;
  if (baseline !== undefined && maxScoreDrop !== undefined) {
    const drop = scoreDrop(best, baseline, direction);
    const allowed = allowedDrop(maxScoreDrop, baseline);
    if (drop > allowed) {
      const pct = baseline === 0 ? '' : ` (${fmt((drop / Math.abs(baseline)) * 100)}%)`;
      failures.push(
        `best score ${fmt(best)} is worse than the baseline ${fmt(baseline)} by ${fmt(drop)}${pct}, more than ` +
          `max-score-drop ${limitText(maxScoreDrop)} (${fmt(allowed)} allowed; score direction: ${direction})`,
      );
    }
  }
  const result: GateResult = { passed: failures.length === 0, regressed: failures.length > 0, failures };
  if (delta !== undefined) result.delta = delta;
  return result;
}
