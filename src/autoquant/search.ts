/**
 * The two searchers of esp_ppq/autoquant/interface.py (_run_exhaustive, _run_fast), driven through an
 * `evalOnce(strategy, params) → score` callback that owns hashing, skip-by-hash, running and bookkeeping.
 * Skipped (already done) experiments return their stored score, so fast-mode decisions replay identically
 * on resume. Budgets/abort are raised by evalOnce as SearchStop and unwind through here untouched.
 */
import { strategyHash } from './hash.js';
import type { Logger } from '../log.js';
import { isBetter, type ScoreDirection } from './settings.js';
import {
  iterParamCombos, samplesEqual, splitParamCandidates, countParamCombos,
  type SampledParams, type Strategy, type StructuralKnobs,
} from './space.js';

/** Scores one experiment (running it or returning the stored score). */
export type EvalOnce = (strategy: Strategy, params: SampledParams) => Promise<number>;

/** Deterministic 1/count of the work: exhaustive by experiment position, fast by strategy position. */
export interface Shard { index: number; count: number }

/** Why a search stopped before the end (thrown by evalOnce, caught by the caller of the searcher). */
export class SearchStop extends Error {
  constructor(readonly reason: 'max-experiments' | 'time-budget' | 'aborted') {
    super(`search stopped: ${reason}`);
  }
}

function inShard(position: number, shard?: Shard): boolean {
  return shard === undefined || position % shard.count === shard.index;
}

/**
 * The unsharded exhaustive position of a shard's `local`-th experiment: shards take positions round-robin
 * (inShard), so merging shard run folders back into one replays this order.
 */
export function unshardedPosition(local: number, shard: Shard): number {
  return local * shard.count + shard.index;
}

/** `i/n` with 0 <= i < n (blanks around the slash allowed) → Shard; undefined when malformed. */
export function parseShardSpec(text: string): Shard | undefined {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index < count ? { index, count } : undefined;
}

/** One exhaustive experiment: its global position in the full (unsharded) enumeration. */
export interface PlannedExperiment { position: number; strategy: Strategy; params: SampledParams }

/** Exhaustive order (strategies in product order, samples in product order), restricted to a shard. */
export function* iterExhaustive(strategies: readonly Strategy[], shard?: Shard): Generator<PlannedExperiment> {
  let position = 0;
  for (const strategy of strategies) {
    for (const params of iterParamCombos(strategy)) {
      if (inShard(position, shard)) yield { position, strategy, params };
      position++;
    }
  }
}

/** Number of experiments iterExhaustive yields. */
export function countShardExhaustive(strategies: readonly Strategy[], shard?: Shard): number {
  const total = strategies.reduce((n, s) => n + countParamCombos(s), 0);
  if (shard === undefined) return total;
  return Math.max(0, Math.ceil((total - shard.index) / shard.count));
}

/** `_run_exhaustive`. */
export async function runExhaustive(strategies: readonly Strategy[], evalOnce: EvalOnce, shard?: Shard): Promise<void> {
  for (const e of iterExhaustive(strategies, shard)) await evalOnce(e.strategy, e.params);
}

export interface FastOptions {
  topStrategy: number;
  earlyStopPatience: number;
  structuralKnobs: StructuralKnobs;
  direction: ScoreDirection;
  shard?: Shard;
  logger?: Logger;
}

/** Strategies a shard owns in fast mode (by strategy position). */
export function shardStrategies(strategies: readonly Strategy[], shard?: Shard): Strategy[] {
  return strategies.filter((_, i) => inShard(i, shard));
}

/**
 * `_run_fast`: stage 1 evaluates each strategy's structural grid; strategies are sorted by their best score
 * (stable) and the first max(top,1) go to stage 2, which sweeps the other knobs with structural knobs pinned,
 * skipping the stage-1 sample, until `early_stop_patience` consecutive non-improvements.
 * With a shard, both stages run over the shard's strategies only (top_strategy applies per shard).
 */
export async function runFast(strategies: readonly Strategy[], evalOnce: EvalOnce, o: FastOptions): Promise<void> {
  const scored: { best: number; s: Strategy; fixed: SampledParams }[] = [];
  for (const s of shardStrategies(strategies, o.shard)) {
    let best: number | undefined;
    let fixed: SampledParams | undefined;
    for (const sample of splitParamCandidates(s, o.structuralKnobs).structuralGrid) {
      const score = await evalOnce(s, sample);
      if (best === undefined || isBetter(score, best, o.direction)) { best = score; fixed = sample; }
    }
    if (best !== undefined) scored.push({ best, s, fixed: fixed! });
  }
  const sign = o.direction === 'maximize' ? -1 : 1;
  scored.sort((a, b) => sign * (a.best - b.best));
  const picked = scored.slice(0, Math.max(Math.trunc(o.topStrategy), 1));
  o.logger?.info(`[fast] picked ${picked.length} of ${scored.length} strategies`);
  const tMax = Math.max(Math.trunc(o.earlyStopPatience), 1);
  for (const { best: stage1Best, s, fixed } of picked) {
    let best = stage1Best;
    let noImprove = 0;
    for (const p of splitParamCandidates(s, o.structuralKnobs).knobIter(fixed)) {
      if (samplesEqual(p, fixed)) continue;
      const score = await evalOnce(s, p);
      if (isBetter(score, best, o.direction)) { best = score; noImprove = 0; } else noImprove++;
      if (noImprove >= tMax) {
        o.logger?.info(`[fast] early stop: ${strategyHash(s, null).slice(0, 8)}`);
        break;
      }
    }
  }
}

/** Fast stage 1 in order (for --dry-run): every structural sample of the shard's strategies. */
export function* iterFastStage1(strategies: readonly Strategy[], structural: StructuralKnobs, shard?: Shard): Generator<PlannedExperiment> {
  let position = 0;
  for (const s of shardStrategies(strategies, shard)) {
    for (const params of splitParamCandidates(s, structural).structuralGrid) yield { position: position++, strategy: s, params };
  }
}
