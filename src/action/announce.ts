/**
 * Announcing a run's results, shared by every mode: the verdict (src/app/verdict.ts), the job summary, the one
 * PR comment, the branch baseline and the outputs. Everything optional (comment, summary, baseline) only
 * warns; the verdict is returned, and main.ts fails the step by it.
 */
import { deploymentCostOf } from '../autoquant/deployment-cost.js';
import { dumps } from '../autoquant/py-json.js';
import { num, isPyReal } from '../autoquant/py-value.js';
import type { RunRecord } from '../autoquant/topk.js';
import type { LatencyGateResult } from '../app/latency-gate.js';
import type { GateResult } from '../app/score-gate.js';
import { judgeRun, type Verdict } from '../app/verdict.js';
import type { RunReport } from '../report/run-report.js';
import { saveBaseline, type BaselineRecord } from './baseline.js';
import { baselineKeys } from './cache-key.js';
import { commentBody, upsertComment, type UpsertAction } from './comment.js';
import type { ActionDeps } from './deps.js';
import type { ActionConfig } from './inputs.js';
import { OUTPUTS } from './outputs.js';
import type { RunFacts } from './run-facts.js';
import { renderResults } from './results-text.js';
import { artifactUrl, type RunContext } from './run-context.js';
import type { ArtifactRef } from './seams.js';
import { commentTarget, type Origin } from './trust.js';

export interface AnnounceInput {
  cfg: ActionConfig;
  ctx: RunContext;
  deps: ActionDeps;
  run: { summary: RunRecord[]; candidates: RunRecord[] };
  /** The same run as src/report reads it (Top-K table, chart). */
  view: RunReport;
  facts: RunFacts;
  /** Where the code or artifact the facts come from: decides where (and whether) the report may comment. */
  origin: Origin;
  artifact: ArtifactRef | undefined;
  /** The run the artifact belongs to (for its link). */
  artifactRunId: string;
  reportPath: string;
  /** Save this run's best as its branch's baseline (search/merge on non-PR events). */
  saveBaseline: boolean;
  /** mode benchmark: the on-device section and the latency gate (its failures join the score gate's). */
  bench?: { markdown: string; latency: LatencyGateResult };
}

/** What a mode did; main.ts fails the step by `verdict`. */
export interface ActionOutcome {
  bestScore?: number;
  bestIndex?: number;
  verdict?: Verdict;
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

async function postComment(inp: AnnounceInput, markdown: string, stable: string): Promise<UpsertAction | undefined> {
  const { cfg, ctx, deps, facts } = inp;
  if (cfg.comment === 'never') return undefined;
  let target;
  try {
    target = await commentTarget(inp.origin, facts, cfg, ctx, deps.repoApi(cfg.githubToken, ctx.owner, ctx.repo));
  } catch (err) {
    deps.log.warn(`No PR comment: could not tell which PR ${inp.origin.describe} belongs to (${text(err)}).`);
    return undefined;
  }
  if ('skip' in target) {
    if (inp.origin.run !== 'this') deps.log.warn(`No PR comment: ${target.skip}.`);
    return undefined;
  }
  const { pr, marker } = target;
  const api = deps.comments(cfg.githubToken, ctx.owner, ctx.repo, pr);
  if (!api) {
    deps.log.warn("No 'github-token': the PR comment is skipped.");
    return undefined;
  }
  try {
    const res = await upsertComment(api, marker, commentBody(marker, markdown, stable, 'see the job summary and the artifact'), cfg.comment);
    deps.log.info(`PR #${pr} comment ${res.action}${res.id ? ` (id ${res.id})` : ''}.`);
    return res.action;
  } catch (err) {
    deps.log.warn(`Could not write the PR comment (${text(err)}). A fork PR's token is read-only: use mode 'report' in a workflow_run workflow.`);
    return undefined;
  }
}

async function keepBaseline(inp: AnnounceInput, best: RunRecord): Promise<void> {
  const { cfg, ctx, deps, facts } = inp;
  // PR runs never save: a PR must not become its own baseline on its next push.
  if (!inp.saveBaseline || facts.shard || !cfg.cache || cfg.baselineScore !== undefined || ctx.prNumber !== undefined) return;
  const est = deploymentCostOf(best)?.estimated;
  const record: BaselineRecord = {
    bestScore: num(best.score), direction: facts.direction, bestIndex: num(best.index), extras: numericExtras(best),
    branch: ctx.branch, sha: ctx.sha, runId: ctx.runId, ...(est ? { estLatencyMs: est.latency_ms, estRamBytes: est.ram_bytes } : {}),
  };
  const key = baselineKeys(cfg, ctx.workflow, ctx.branch, ctx.runId, ctx.runAttempt).save;
  if (await saveBaseline(deps.cache, deps.workspace, key, record)) deps.log.info(`Saved this run's best as the baseline of ${ctx.branch}.`);
}

function setOutputs(inp: AnnounceInput, best: RunRecord | undefined, gate: GateResult | undefined): void {
  const { deps, run, artifact, facts } = inp;
  const set = deps.outputs.set;
  set(OUTPUTS.bestScore, best ? String(num(best.score)) : '');
  set(OUTPUTS.bestIndex, best ? String(num(best.index)) : '');
  set(OUTPUTS.candidates, dumps(run.candidates));
  set(OUTPUTS.regressed, String(gate?.regressed ?? false));
  set(OUTPUTS.artifactId, artifact ? String(artifact.id) : '');
  set(OUTPUTS.artifactUrl, artifact ? artifactUrl(inp.ctx, artifact.id, inp.artifactRunId) : '');
  set(OUTPUTS.reportPath, inp.reportPath);
  set(OUTPUTS.experimentsRun, String(facts.experimentsRun));
  set(OUTPUTS.baselineScore, facts.baseline ? String(facts.baseline.bestScore) : '');
  set(OUTPUTS.scoreDelta, gate?.delta === undefined ? '' : String(gate.delta));
}

/** Verdict, summary, comment, baseline, outputs; the verdict is returned for main.ts to apply. */
export async function announceResults(inp: AnnounceInput): Promise<ActionOutcome> {
  const { cfg, deps, facts, run } = inp;
  const best = run.candidates[0];
  const verdict = judgeRun({
    best: best ? num(best.score) : undefined, direction: facts.direction, ...(facts.baseline ? { baseline: facts.baseline.bestScore } : {}),
    ...(cfg.minScore !== undefined ? { minScore: cfg.minScore } : {}), ...(cfg.maxScoreDrop ? { maxScoreDrop: cfg.maxScoreDrop } : {}),
    ...(inp.bench ? { latency: inp.bench.latency } : {}), ...(facts.shard ? { shard: facts.shard } : {}), failOnRegression: cfg.failOnRegression,
  });
  const link = inp.artifact ? artifactUrl(inp.ctx, inp.artifact.id, inp.artifactRunId) : undefined;
  const { markdown, stable } = renderResults({
    report: inp.view, facts, gate: verdict.gate, artifactLink: link, artifactName: inp.artifact?.name, bench: inp.bench?.markdown,
    ...(inp.origin.run !== 'this' && !inp.origin.sameRepository ? { untrustedOrigin: inp.origin.describe } : {}),
  });
  try {
    await deps.summary.write(markdown);
  } catch (err) {
    deps.log.warn(`Could not write the job summary (${text(err)}).`);
  }
  const comment = await postComment(inp, markdown, stable);
  if (best) await keepBaseline(inp, best);
  setOutputs(inp, best, verdict.gate);
  const out: ActionOutcome = { verdict };
  if (best) Object.assign(out, { bestScore: num(best.score), bestIndex: num(best.index) });
  if (inp.artifact) out.artifact = inp.artifact;
  if (comment) out.comment = comment;
  return out;
}
