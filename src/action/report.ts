/**
 * The reporting half shared by every mode: gate, job summary, the one PR comment, the branch baseline,
 * outputs, and finally the step's verdict. Everything optional (comment, summary, baseline) only warns.
 */
import { dumps } from '../autoquant/py-json.js';
import { num, isPyReal } from '../autoquant/py-value.js';
import type { RunRecord } from '../autoquant/topk.js';
import type { RunReport } from '../report/run-report.js';
import { saveBaseline, type BaselineRecord } from './baseline.js';
import { baselineKeys } from './cache-key.js';
import { commentBody, commentMarker, upsertComment, type UpsertAction } from './comment.js';
import type { ActionDeps } from './deps.js';
import { evaluateGate, type GateResult } from './gate.js';
import type { ActionConfig } from './inputs.js';
import { OUTPUTS } from './outputs.js';
import type { ReportData } from './report-data.js';
import { renderActionReport } from './report-text.js';
import { artifactUrl, type RunContext } from './run-context.js';
import type { ArtifactRef } from './seams.js';

export interface ReportInput {
  cfg: ActionConfig;
  ctx: RunContext;
  deps: ActionDeps;
  run: { summary: RunRecord[]; candidates: RunRecord[] };
  /** The same run as src/report reads it (Top-K table, chart). */
  view: RunReport;
  data: ReportData;
  artifact: ArtifactRef | undefined;
  /** The run the artifact belongs to (for its link). */
  artifactRunId: string;
  reportPath: string;
  /** Save this run's best as its branch's baseline (search/merge on non-PR events). */
  saveBaseline: boolean;
  /** mode benchmark: the on-device section and the latency gate's failures (added to the score gate's). */
  bench?: { markdown: string; failures: string[] };
}

export interface ReportOutcome {
  bestScore?: number;
  bestIndex?: number;
  gate?: GateResult;
  artifact?: ArtifactRef;
  comment?: UpsertAction;
}

const text = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function numericExtras(r: RunRecord): Record<string, number> {
  const skip = new Set(['index', 'score', 'hash']);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) if (!skip.has(k) && isPyReal(v) && typeof v !== 'boolean') out[k] = num(v);
  return out;
}

async function postComment(inp: ReportInput, markdown: string, stable: string): Promise<UpsertAction | undefined> {
  const { cfg, ctx, deps, data } = inp;
  const pr = data.prNumber ?? ctx.prNumber;
  if (data.shard || pr === undefined || cfg.comment === 'never') return undefined;
  const api = deps.comments(cfg.githubToken, ctx.owner, ctx.repo, pr);
  if (!api) {
    deps.log.warn("No 'github-token': the PR comment is skipped.");
    return undefined;
  }
  const marker = commentMarker(data.workflow, data.model, data.target);
  try {
    const res = await upsertComment(api, marker, commentBody(marker, markdown, stable, 'see the job summary and the artifact'), cfg.comment);
    deps.log.info(`PR #${pr} comment ${res.action}${res.id ? ` (id ${res.id})` : ''}.`);
    return res.action;
  } catch (err) {
    deps.log.warn(`Could not write the PR comment (${text(err)}). A fork PR's token is read-only: use mode 'report' in a workflow_run workflow.`);
    return undefined;
  }
}

async function keepBaseline(inp: ReportInput, best: RunRecord): Promise<void> {
  const { cfg, ctx, deps, data } = inp;
  // PR runs never save: a PR must not become its own baseline on its next push.
  if (!inp.saveBaseline || data.shard || !cfg.cache || cfg.baselineScore !== undefined || ctx.prNumber !== undefined) return;
  const record: BaselineRecord = {
    bestScore: num(best.score), direction: data.direction, bestIndex: num(best.index), extras: numericExtras(best),
    branch: ctx.branch, sha: ctx.sha, runId: ctx.runId,
  };
  const key = baselineKeys(cfg, ctx.workflow, ctx.branch, ctx.runId, ctx.runAttempt).save;
  if (await saveBaseline(deps.cache, deps.workspace, key, record)) deps.log.info(`Saved this run's best as the baseline of ${ctx.branch}.`);
}

function setOutputs(inp: ReportInput, best: RunRecord | undefined, gate: GateResult | undefined): void {
  const { deps, run, artifact, data } = inp;
  const set = deps.outputs.set;
  set(OUTPUTS.bestScore, best ? String(num(best.score)) : '');
  set(OUTPUTS.bestIndex, best ? String(num(best.index)) : '');
  set(OUTPUTS.candidates, dumps(run.candidates));
  set(OUTPUTS.regressed, String(gate?.regressed ?? false));
  set(OUTPUTS.artifactId, artifact ? String(artifact.id) : '');
  set(OUTPUTS.artifactUrl, artifact ? artifactUrl(inp.ctx, artifact.id, inp.artifactRunId) : '');
  set(OUTPUTS.reportPath, inp.reportPath);
  set(OUTPUTS.experimentsRun, String(data.experimentsRun));
  set(OUTPUTS.baselineScore, data.baseline ? String(data.baseline.bestScore) : '');
  set(OUTPUTS.scoreDelta, gate?.delta === undefined ? '' : String(gate.delta));
}

/** The score gate with the latency gate's failures added (one verdict, one `regressed`). */
function withBench(gate: GateResult, failures: string[]): GateResult {
  if (failures.length === 0) return gate;
  return { ...gate, passed: false, regressed: true, failures: [...gate.failures, ...failures] };
}

/** Gate, summary, comment, baseline, outputs; fails the step when the gate fails (unless told not to). */
export async function report(inp: ReportInput): Promise<ReportOutcome> {
  const { cfg, deps, data, run } = inp;
  const best = run.candidates[0];
  const gate = data.shard ? undefined : withBench(evaluateGate({
    best: best ? num(best.score) : undefined, direction: data.direction,
    ...(data.baseline ? { baseline: data.baseline.bestScore } : {}),
    ...(cfg.minScore !== undefined ? { minScore: cfg.minScore } : {}),
    ...(cfg.maxScoreDrop ? { maxScoreDrop: cfg.maxScoreDrop } : {}),
  }), inp.bench?.failures ?? []);
  const link = inp.artifact ? artifactUrl(inp.ctx, inp.artifact.id, inp.artifactRunId) : undefined;
  const { markdown, stable } = renderActionReport({ report: inp.view, data, gate, artifactLink: link, artifactName: inp.artifact?.name, bench: inp.bench?.markdown });
  try {
    await deps.summary.write(markdown);
  } catch (err) {
    deps.log.warn(`Could not write the job summary (${text(err)}).`);
  }
  const comment = await postComment(inp, markdown, stable);
  if (best) await keepBaseline(inp, best);
  setOutputs(inp, best, gate);
  if (gate && !gate.passed) {
    const msg = `Quality gate failed: ${gate.failures.join('; ')}`;
    if (cfg.failOnRegression) deps.setFailed(msg);
    else deps.log.warn(`${msg} (fail-on-regression is false: the step passes)`);
  }
  const out: ReportOutcome = {};
  if (best) Object.assign(out, { bestScore: num(best.score), bestIndex: num(best.index) });
  if (gate) out.gate = gate;
  if (inp.artifact) out.artifact = inp.artifact;
  if (comment) out.comment = comment;
  return out;
}
