/**
 * mode: report — the fork-safe half of the two-workflow pattern (github-actions.md §5): a `workflow_run`
 * workflow with a write token downloads the artifact the PR's run uploaded and reports from it (summary,
 * comment, gate). The artifact is untrusted data: it is validated and only rendered; the PR number comes from
 * the event when GitHub provides it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { readRun } from '../autoquant/run-folder.js';
import { fsRunStore } from '../node/run-folder.js';
import { loadRunReport } from '../report/run-report.js';
import type { ActionDeps } from './deps.js';
import type { ActionConfig } from './inputs.js';
import { parseReportData, REPORT_DATA_FILE } from './report-data.js';
import { report, type ReportOutcome } from './report.js';
import { HTML_REPORT_FILE } from './report-text.js';
import type { RunContext } from './run-context.js';
import type { ArtifactSource } from './seams.js';

export async function reportMode(cfg: ActionConfig, ctx: RunContext, deps: ActionDeps): Promise<ReportOutcome> {
  const runId = cfg.reportRunId ?? ctx.triggeringRunId;
  if (runId === undefined) {
    throw new InputError(`mode report needs the run to report on: run it on a workflow_run event, or set input 'report-run-id'`);
  }
  const from: ArtifactSource = { runId, owner: ctx.owner, repo: ctx.repo, token: cfg.githubToken };
  const ref = (await deps.artifacts.list(from)).find((a) => a.name === cfg.artifactName);
  if (!ref) throw new InputError(`mode report: run ${runId} has no artifact named '${cfg.artifactName}' (input 'artifact-name')`);
  const dir = mkdtempSync(path.join(deps.tempDir, 'espdl-autoquant-report-'));
  await deps.artifacts.download(ref, dir, from);
  const parsed = parseReportData(readFileSync(path.join(dir, REPORT_DATA_FILE), 'utf8'), `${ref.name}/${REPORT_DATA_FILE}`);
  const prNumber = ctx.triggeringPrNumber ?? parsed.prNumber;
  const data = { ...parsed, ...(prNumber !== undefined ? { prNumber } : {}) };
  const store = fsRunStore(dir);
  const run = await readRun(store);
  const view = await loadRunReport(store);
  return report({
    cfg, ctx, deps, run, view, data, artifact: ref, artifactRunId: String(runId), reportPath: path.join(dir, HTML_REPORT_FILE), saveBaseline: false,
  });
}
