/**
 * After a search or a merge: write the run facts and the HTML report into the run folder (atomically, through
 * its RunStore), upload the artifact, then announce the results (verdict, summary, PR comment, baseline,
 * outputs). announceResults is shared with mode report, which renders the same from a downloaded artifact.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { num } from '../autoquant/py-value.js';
import { BASELINE_GRAPHWISE_FILE, folderName, readRun } from '../autoquant/run-folder.js';
import type { RunRecord } from '../autoquant/topk.js';
import { fsRunStore } from '../node/run-folder.js';
import { renderHtml } from '../report/html.js';
import { loadRunReport } from '../report/run-report.js';
import { baseResultOf, restoreBaseline, type BaselineRecord } from './baseline.js';
import { baselineKeys } from './cache-key.js';
import type { ActionDeps } from './deps.js';
import type { ActionConfig } from './inputs.js';
import { announceResults, type ActionOutcome } from './announce.js';
import { HTML_REPORT_FILE } from '../app/report.js';
import { factsOfTopkBalance, RUN_FACTS_FILE, type RunFacts } from './run-facts.js';
import type { RunContext } from './run-context.js';
import { originOfThisRun } from './trust.js';
import type { SearchResult } from '../app/search.js';

/** What the search (or the merge of shards) tells the announcement; experimentsRun excludes resumed ones. */
export type RunOutcome = Pick<SearchResult, 'stopped' | 'direction' | 'numOfCandidates' | 'balance'> & { experimentsRun: number };

export interface PublishInput {
  cfg: ActionConfig;
  ctx: RunContext;
  deps: ActionDeps;
  /** Absolute run folder. */
  runDir: string;
  outcome: RunOutcome;
}

/** Artifact name of this job: shards get `-shard-<i>-of-<n>` (mode merge finds them by that). */
export function artifactNameFor(cfg: ActionConfig): string {
  return cfg.shard ? `${cfg.artifactName}-shard-${cfg.shard.index}-of-${cfg.shard.count}` : cfg.artifactName;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

/** The artifact's files: the run files, the report, and every Top-K candidate folder. */
function artifactFiles(runDir: string, candidates: RunRecord[]): string[] {
  const top = ['summary.json', 'candidates.json', BASELINE_GRAPHWISE_FILE, HTML_REPORT_FILE, RUN_FACTS_FILE].map((f) => path.join(runDir, f)).filter((f) => existsSync(f));
  return [...top, ...candidates.flatMap((c) => filesUnder(path.join(runDir, folderName(num(c.index)))))];
}

async function findBaseline(inp: PublishInput): Promise<BaselineRecord | undefined> {
  const { cfg, ctx, deps } = inp;
  if (cfg.baselineScore !== undefined) {
    return { bestScore: cfg.baselineScore, direction: inp.outcome.direction, bestIndex: -1, extras: {}, branch: 'baseline-score input', sha: '', runId: '' };
  }
  if (!cfg.cache || cfg.shard) return undefined;
  const keys = baselineKeys(cfg, ctx.workflow, ctx.branch, ctx.runId, ctx.runAttempt);
  const found = await restoreBaseline(deps.cache, deps.workspace, keys.restorePrefix(ctx.baselineBranch));
  if (found && found.direction !== inp.outcome.direction) {
    deps.log.warn(`The baseline of ${ctx.baselineBranch} was scored '${found.direction}', this run '${inp.outcome.direction}': not comparable, ignored.`);
    return undefined;
  }
  deps.log.info(found ? `Baseline: ${ctx.baselineBranch} best score ${found.bestScore} (run ${found.runId})` : `No baseline result of ${ctx.baselineBranch} in the cache.`);
  return found;
}

/** Uploads the artifact and announces the results. */
export async function publish(inp: PublishInput): Promise<ActionOutcome> {
  const { cfg, ctx, deps, runDir, outcome } = inp;
  const store = fsRunStore(runDir, deps.workspace);
  const run = await readRun(store);
  const baseline = await findBaseline(inp);
  const facts: RunFacts = {
    version: 1, workflow: ctx.workflow, model: cfg.model ?? '(merged)', target: cfg.target, direction: outcome.direction,
    numOfCandidates: outcome.numOfCandidates, ...factsOfTopkBalance(outcome.balance), experimentsRun: outcome.experimentsRun,
    stopped: outcome.stopped, branch: ctx.branch, baselineBranch: ctx.baselineBranch, sha: ctx.sha, runId: ctx.runId,
    ...(cfg.shard ? { shard: cfg.shard } : {}), ...(baseline ? { baseline } : {}), ...(ctx.prNumber ? { prNumber: ctx.prNumber } : {}),
  };
  await store.writeTextAtomic(RUN_FACTS_FILE, `${JSON.stringify(facts, null, 2)}\n`);
  const view = await loadRunReport(store);
  if (baseline) view.base = baseResultOf(baseline);
  await store.writeTextAtomic(HTML_REPORT_FILE, renderHtml(view));
  const name = artifactNameFor(cfg);
  const artifact = await deps.log.group(`Upload artifact ${name}`, () =>
    deps.artifacts.upload(name, artifactFiles(runDir, run.candidates), runDir, cfg.retentionDays));
  return announceResults({
    cfg, ctx, deps, run, view, facts, origin: originOfThisRun(ctx), artifact, artifactRunId: ctx.runId,
    reportPath: path.join(runDir, HTML_REPORT_FILE), saveBaseline: true,
  });
}
