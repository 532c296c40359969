/**
 * The refinement stage (ours, not in ESP-PPQ): after the search, the best candidate runs once more with a
 * gradient-trained module switched on at its first param_space values (TQT: lr 1e-5, 500 steps, block 4).
 *
 * Why: on the bundled example TQT lowered the best `quick` candidate's error by 24 % for 24 s, about what the
 * whole 24-experiment search costs (scripts/training-benefit.mjs, README "Search spaces"), while searching TQT
 * in the product space would multiply the search time by ~15. On a MobileNetV2-sized model the same pass takes
 * far longer than a default budget, so the stage is skipped when the runner's estimate exceeds
 * `refine_max_minutes`.
 *
 * The refined candidate is an ordinary experiment of the space's format (ESP-PPQ hash, run folder, Top-K), so
 * resume skips it by hash like any other and ESP-PPQ can read the run folder.
 */
import type { Logger } from '../log.js';
import { num, type PyDict } from './py-value.js';
import type { ExperimentRunner } from './runner.js';
import type { EvalOnce } from './search.js';
import { canEnable, isBetter, type AutoQuantSettings, type RefineModule, type ScoreDirection } from './settings.js';
import { expandParam, type ParamSpace, type SampledParams, type Strategy } from './space.js';
import type { RunRecord } from './topk.js';

/** A refinement the search will run after the space is covered. */
export interface PlannedRefinement { module: RefineModule; params: PyDict; estimatedSeconds?: number }

/**
 * Which refinements will run: modules of `refine_with` the space does not search already, whose estimated
 * training time fits `refine_max_minutes`. Skips are logged with the reason. Sharded runs refine nothing
 * (no shard sees the global best).
 */
export function planRefinements(
  s: AutoQuantSettings, paramSpace: ParamSpace, runner: ExperimentRunner, sharded: boolean, log: Logger,
): PlannedRefinement[] {
  const out: PlannedRefinement[] = [];
  for (const module of s.refine_with) {
    if (canEnable(s, module)) continue; // the search itself tries the module
    if (sharded) {
      log.info(`Refinement with ${module} skipped: sharded runs have no global best (run it unsharded after merging).`);
      continue;
    }
    const params = expandParam(paramSpace, module)[0]!;
    const estimatedSeconds = runner.estimateTrainingSeconds?.(num(params.steps));
    if (estimatedSeconds !== undefined && estimatedSeconds > s.refine_max_minutes * 60) {
      // A warning, not info: the search command hides info lines, and this tells the user how to get it.
      log.warn(`Refinement with ${module} skipped: about ${minutes(estimatedSeconds)} of training estimated for ` +
        `${num(params.steps)} steps on this model, over refine_max_minutes (${s.refine_max_minutes}). Raise it, or add ${module} to strategy_space.`);
      continue;
    }
    out.push({ module, params, ...(estimatedSeconds !== undefined ? { estimatedSeconds } : {}) });
  }
  return out;
}

function minutes(seconds: number): string {
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

/** The best summary record that did not use `module` (first one on ties, as Top-K keeps the earlier). */
export function bestWithout(summary: readonly RunRecord[], module: string, direction: ScoreDirection): RunRecord | undefined {
  let best: RunRecord | undefined;
  for (const r of summary) {
    const strategy = r.strategy as PyDict | undefined;
    if (!strategy || strategy[module] === true || r.score === undefined) continue;
    if (best === undefined || isBetter(num(r.score), num(best.score), direction)) best = r;
  }
  return best;
}

/** The record's experiment with `module` switched on at `params`. */
export function refinedExperiment(record: RunRecord, module: string, params: PyDict): { strategy: Strategy; params: SampledParams } {
  const values = record.strategy as Record<string, boolean>;
  const sampled: SampledParams = { ...(record.params as SampledParams), [module]: params };
  const strategy: Strategy = Object.fromEntries(Object.keys(values).map((m) => {
    const on = m === module ? true : values[m]!;
    const p = sampled[m];
    return [m, { value: on, paramCandidates: on && p ? [p] : null }];
  }));
  return { strategy, params: sampled };
}

/** Runs the planned refinements on the current best candidates (after the search covered its space). */
export async function runRefinements(
  planned: readonly PlannedRefinement[], summary: () => readonly RunRecord[], direction: ScoreDirection, evalOnce: EvalOnce, log: Logger,
): Promise<void> {
  for (const r of planned) {
    const best = bestWithout(summary(), r.module, direction);
    if (!best) continue;
    const eta = r.estimatedSeconds !== undefined ? ` (about ${minutes(r.estimatedSeconds)} of training estimated)` : '';
    log.info(`Refining the best candidate (experiment ${num(best.index)}, score ${num(best.score)}) with ${r.module}${eta}.`);
    const { strategy, params } = refinedExperiment(best, r.module, r.params);
    await evalOnce(strategy, params);
  }
}
