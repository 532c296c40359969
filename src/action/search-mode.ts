/**
 * mode: search — restore the run folder from the cache, run (or resume) the search use case
 * (src/app/search.ts), save the folder again (in a finally path, so a time budget, a failure or a
 * cancellation still keeps what is done), publish.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runSearch, type SearchRequest, type SearchResult } from '../app/search.js';
import { InputError } from '../errors.js';
import { progressLine, searchEndLine } from '../report/progress.js';
import { runFolderKeys, searchFingerprint } from './cache-key.js';
import { INPUTS, type ActionConfig } from './inputs.js';
import { OUTPUTS } from './outputs.js';
import type { ActionOutcome } from './announce.js';
import { publish } from './publish.js';
import type { RunContext } from './run-context.js';
import type { ActionDeps } from './deps.js';

/** Written into the run folder so a restored folder of other inputs is never resumed. */
export const FINGERPRINT_FILE = '.espdl-autoquant-fingerprint';

function readFingerprint(runDir: string): string | undefined {
  const f = path.join(runDir, FINGERPRINT_FILE);
  return existsSync(f) ? readFileSync(f, 'utf8').trim() : undefined;
}

/** Resume only a folder of the same inputs that has both run files. */
function canResume(runDir: string, fingerprint: string): boolean {
  return readFingerprint(runDir) === fingerprint &&
    existsSync(path.join(runDir, 'summary.json')) && existsSync(path.join(runDir, 'candidates.json'));
}

/** The inputs as a search request; the run folder is the input as written (records' `folder` = run-dir/NNNN). */
export function searchRequest(cfg: ActionConfig, deps: ActionDeps, resume: boolean): SearchRequest {
  if (!cfg.model || !cfg.calib) {
    const name = cfg.model ? INPUTS.calib : INPUTS.model;
    throw new InputError(`Input '${name}' is required when mode is search`);
  }
  return {
    model: cfg.model, calib: cfg.calib, target: cfg.target, config: cfg.config, cwd: deps.workspace,
    overrides: {
      run_dir: cfg.runDir, search_mode: cfg.searchMode, num_of_candidates: cfg.numOfCandidates, score_direction: cfg.scoreDirection,
      resume: resume || undefined, num_of_bits: cfg.bits,
    },
    evaluator: cfg.evaluateCommand ? { command: cfg.evaluateCommand } : cfg.evaluate ? { module: cfg.evaluate } : undefined,
    maxExperiments: cfg.maxExperiments, timeBudgetMinutes: cfg.timeBudgetMinutes, shard: cfg.shard,
    calibSteps: cfg.calibSteps, batchSize: cfg.batchSize, inputShape: cfg.inputShape, inputValues: cfg.inputValues,
    env: deps.env, logger: deps.log, signal: deps.signal, onExperiment: (p) => deps.log.info(progressLine(p)),
  };
}

export async function searchMode(cfg: ActionConfig, ctx: RunContext, deps: ActionDeps): Promise<ActionOutcome | undefined> {
  const { log } = deps;
  const runDir = path.resolve(deps.workspace, cfg.runDir);
  const fingerprint = searchFingerprint(cfg, deps.workspace, deps.toolVersion);
  const keys = runFolderKeys(cfg, fingerprint, ctx.workflow, ctx.runId, ctx.runAttempt);
  if (cfg.cache) {
    const hit = await log.group('Restore the run folder from the Actions cache', () => deps.cache.restore([cfg.runDir], keys.key, keys.restoreKeys));
    log.info(hit ? `Restored ${cfg.runDir} from cache entry ${hit}` : 'No cached run folder: starting a new search.');
  }
  const resume = canResume(runDir, fingerprint);
  if (!resume && existsSync(runDir)) log.info(`${cfg.runDir} holds a search of other inputs (model, data, settings or tool changed): starting fresh.`);
  let result: SearchResult | undefined;
  try {
    result = await runSearch(searchRequest(cfg, deps, resume), deps.engine);
    log.info(searchEndLine(result));
  } finally {
    // Whatever happened, keep what is done: the next run (or a re-run) resumes from it.
    if (existsSync(path.join(runDir, 'summary.json'))) {
      writeFileSync(path.join(runDir, FINGERPRINT_FILE), `${fingerprint}\n`);
      if (cfg.cache) {
        const saved = await deps.cache.save([cfg.runDir], keys.key);
        log.info(saved ? `Saved ${cfg.runDir} to the Actions cache as ${keys.key}` : `Run folder not saved to the cache (see warnings above).`);
      }
    }
  }
  log.info(`Search finished: ${result.newExperiments} new experiment(s)${result.stopped ? `, stopped early (${result.stopped})` : ''}.`);
  if (result.stopped === 'aborted') {
    log.warn('The run was cancelled: the finished experiments are saved in the cache; no report was published.');
    deps.outputs.set(OUTPUTS.experimentsRun, String(result.newExperiments));
    return undefined;
  }
  const { newExperiments: experimentsRun, stopped, direction, numOfCandidates, balance } = result;
  return publish({ cfg, ctx, deps, runDir, outcome: { experimentsRun, stopped, direction, numOfCandidates, balance } });
}
