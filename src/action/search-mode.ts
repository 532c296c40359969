/**
 * mode: search — restore the run folder from the cache, run (or resume) the search, save the folder again
 * (in a finally path, so a time budget, a failure or a cancellation still keeps what is done), publish.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runFolderKeys, searchFingerprint } from './cache-key.js';
import type { ActionConfig } from './inputs.js';
import { OUTPUTS } from './outputs.js';
import { publish, type PublishResult } from './publish.js';
import type { RunContext } from './run-context.js';
import type { ActionDeps } from './deps.js';
import type { SearchOutcome } from './search-seam.js';

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

export async function searchMode(cfg: ActionConfig, ctx: RunContext, deps: ActionDeps): Promise<PublishResult | undefined> {
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
  let outcome: SearchOutcome | undefined;
  try {
    outcome = await deps.search({
      config: cfg, runDir, workspace: deps.workspace, resume, signal: deps.signal, logger: log,
      ...(cfg.shard ? { shard: cfg.shard } : {}),
    });
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
  log.info(`Search finished: ${outcome.experimentsRun} new experiment(s)${outcome.stopped ? `, stopped early (${outcome.stopped})` : ''}.`);
  if (outcome.stopped === 'aborted') {
    log.warn('The run was cancelled: the finished experiments are saved in the cache; no report was published.');
    deps.outputs.set(OUTPUTS.experimentsRun, String(outcome.experimentsRun));
    return undefined;
  }
  return publish({ cfg, ctx, deps, runDir, outcome });
}
