/**
 * mode: report — the fork-safe half of the two-workflow pattern (docs/github-actions.md §5): a `workflow_run`
 * workflow with a write token downloads the artifact the PR's run uploaded and reports from it (summary,
 * comment, gate). The artifact is untrusted data: it is validated and only rendered. Where the report may
 * comment — which PR, which marker — trust.ts decides from GitHub's record of that run, never from the artifact.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { readRun } from '../autoquant/run-folder.js';
import { fsRunStore } from '../node/run-folder.js';
import { renderHtml } from '../report/html.js';
import { loadRunReport } from '../report/run-report.js';
import { baseResultOf } from './baseline.js';
import type { ActionDeps } from './deps.js';
import type { ActionConfig } from './inputs.js';
import { announceResults, type ActionOutcome } from './announce.js';
import { HTML_REPORT_FILE } from '../app/report.js';
import { parseRunFacts, RUN_FACTS_FILE, type RunFacts } from './run-facts.js';
import type { RunContext } from './run-context.js';
import type { ArtifactRef, ArtifactSource } from './seams.js';
import { originOf } from './trust.js';

/** A search artifact downloaded and read: its folder, run facts, run files and report view. */
export interface ArtifactRun {
  dir: string;
  facts: RunFacts;
  run: Awaited<ReturnType<typeof readRun>>;
  view: Awaited<ReturnType<typeof loadRunReport>>;
}

/**
 * The largest search artifact (zipped, as GitHub lists it) mode report and mode benchmark download. Another run's
 * artifact — a fork's, maybe — is untrusted: unbounded, it could fill the runner's disk. A run folder's Top-K
 * (a few .espdl files of at most tens of MB each, and their records) stays far below it.
 */
export const MAX_ARTIFACT_BYTES = 1024 ** 3;

/** Downloads a search artifact into a new temp folder and reads it as untrusted data. */
export async function loadArtifactRun(deps: ActionDeps, ref: ArtifactRef, from: ArtifactSource | undefined, prefix: string): Promise<ArtifactRun> {
  if (ref.size !== undefined && ref.size > MAX_ARTIFACT_BYTES) {
    const mb = (n: number): string => `${Math.round(n / 1024 ** 2)} MB`;
    throw new InputError(`artifact '${ref.name}' (id ${ref.id}) is ${mb(ref.size)}, above the ${mb(MAX_ARTIFACT_BYTES)} a search artifact may have: not downloaded`);
  }
  const dir = mkdtempSync(path.join(deps.tempDir, prefix));
  await deps.artifacts.download(ref, dir, from);
  const facts = parseRunFacts(readFileSync(path.join(dir, RUN_FACTS_FILE), 'utf8'), `${ref.name}/${RUN_FACTS_FILE}`);
  return { dir, facts, ...(await readArtifactRun(dir, facts)) };
}

/** The run files and report view of an artifact folder (again after bench recorded its measurements there); report.html rendered anew. */
export async function readArtifactRun(dir: string, facts: RunFacts): Promise<Pick<ArtifactRun, 'run' | 'view'>> {
  const store = fsRunStore(dir);
  const view = await loadRunReport(store);
  if (facts.baseline) view.base = baseResultOf(facts.baseline);
  // The artifact's own report.html is the uploading run's HTML (a fork's, maybe: any script). Output
  // report-path must name a page we rendered, escaped, from the validated run files: replace it.
  await store.writeTextAtomic(HTML_REPORT_FILE, renderHtml(view));
  return { run: await readRun(store), view };
}

export async function reportMode(cfg: ActionConfig, ctx: RunContext, deps: ActionDeps): Promise<ActionOutcome> {
  const runId = cfg.reportRunId ?? ctx.triggeringRunId;
  if (runId === undefined) {
    throw new InputError(`mode report needs the run to report on: run it on a workflow_run event, or set input 'report-run-id'`);
  }
  // First where the run came from (a run GitHub cannot describe is refused before anything is downloaded).
  const origin = await originOf(runId, ctx, deps.repoApi(cfg.githubToken, ctx.owner, ctx.repo));
  if (!origin.sameRepository) deps.log.info(`Reporting ${origin.describe}: its artifact is shown as untrusted data.`);
  const from: ArtifactSource = { runId, owner: ctx.owner, repo: ctx.repo, token: cfg.githubToken };
  const ref = (await deps.artifacts.list(from)).find((a) => a.name === cfg.artifactName);
  if (!ref) throw new InputError(`mode report: run ${runId} has no artifact named '${cfg.artifactName}' (input 'artifact-name')`);
  const { dir, facts, run, view } = await loadArtifactRun(deps, ref, from, 'espdl-autoquant-report-');
  return announceResults({
    cfg, ctx, deps, run, view, facts, origin, artifact: ref, artifactRunId: String(runId), reportPath: path.join(dir, HTML_REPORT_FILE), saveBaseline: false,
  });
}
