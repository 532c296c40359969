/**
 * The Action's composition root: parse the inputs, dispatch on `mode`, turn any thrown value into one failed
 * step with a one-line message. All effects come in through `deps` (real ones: real-deps.ts), so tests run
 * exactly this code against fake services.
 */
import { describeError } from '../errors.js';
import type { ActionDeps } from './deps.js';
import { parseInputs } from './inputs.js';
import { benchmarkMode } from './benchmark-mode.js';
import { mergeMode } from './merge-mode.js';
import type { ReportOutcome } from './report.js';
import { reportMode } from './report-mode.js';
import { readRunContext } from './run-context.js';
import { searchMode } from './search-mode.js';

export type { ActionDeps } from './deps.js';

/** Runs the Action once. Never throws: failures end in `deps.setFailed`. */
export async function run(deps: ActionDeps): Promise<ReportOutcome | undefined> {
  try {
    const cfg = parseInputs(deps.inputs);
    const ctx = readRunContext(deps.env);
    deps.log.info(`espdl-autoquant ${deps.toolVersion}: mode ${cfg.mode}, target ${cfg.target}`);
    if (cfg.mode === 'merge') return await mergeMode(cfg, ctx, deps);
    if (cfg.mode === 'report') return await reportMode(cfg, ctx, deps);
    if (cfg.mode === 'benchmark') return await benchmarkMode(cfg, ctx, deps);
    return await searchMode(cfg, ctx, deps);
  } catch (err) {
    deps.setFailed(describeError(err));
    return undefined;
  }
}
