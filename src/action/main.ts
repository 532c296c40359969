/**
 * The Action's composition root: parse the inputs, dispatch on `mode`, and end the step. The step fails in
 * exactly two ways: any thrown value (one line, its message), or the run's verdict (src/app/verdict.ts: the
 * quality gate with fail-on-regression). All effects come in through `deps` (real ones: real-deps.ts), so
 * tests run exactly this code against fake services.
 */
import { describeError } from '../errors.js';
import type { ActionOutcome } from './announce.js';
import type { ActionDeps } from './deps.js';
import { parseInputs, type ActionConfig } from './inputs.js';
import { benchmarkMode } from './benchmark-mode.js';
import { mergeMode } from './merge-mode.js';
import { reportMode } from './report-mode.js';
import { readRunContext, type RunContext } from './run-context.js';
import { searchMode } from './search-mode.js';

export type { ActionDeps } from './deps.js';

function runMode(cfg: ActionConfig, ctx: RunContext, deps: ActionDeps): Promise<ActionOutcome | undefined> {
  if (cfg.mode === 'merge') return mergeMode(cfg, ctx, deps);
  if (cfg.mode === 'report') return reportMode(cfg, ctx, deps);
  if (cfg.mode === 'benchmark') return benchmarkMode(cfg, ctx, deps);
  return searchMode(cfg, ctx, deps);
}

/** Runs the Action once. Never throws: failures end in `deps.setFailed`. */
export async function run(deps: ActionDeps): Promise<ActionOutcome | undefined> {
  try {
    const cfg = parseInputs(deps.inputs);
    const ctx = readRunContext(deps.env);
    deps.log.info(`espdl-autoquant ${deps.toolVersion}: mode ${cfg.mode}, target ${cfg.target}`);
    const outcome = await runMode(cfg, ctx, deps);
    const verdict = outcome?.verdict;
    if (verdict?.step === 'fail') deps.setFailed(verdict.message);
    if (verdict?.step === 'warn') deps.log.warn(`${verdict.message} (fail-on-regression is false: the step passes)`);
    return outcome;
  } catch (err) {
    deps.setFailed(describeError(err));
    return undefined;
  }
}
