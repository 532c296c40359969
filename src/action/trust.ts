/**
 * The one place that decides whether what a run of this Action works on may reach a board or a PR comment
 * (docs/security.md). It looks at where the code or the artifact came from — GitHub's own record of the
 * workflow run (the event payload or the REST API) — never at the artifact's content, and it fails closed:
 * anything not proven to come from this repository is untrusted.
 *
 * - Boards (mode benchmark): only code and models of this repository run on a self-hosted runner, unless the
 *   workflow opts in with allow-fork-prs.
 * - PR comments: the PR is the one GitHub links to the run (its pull_requests, for same-repository PRs) or the
 *   one open PR whose head is the run's head repository, branch and commit (fork PRs, which GitHub does not
 *   link); the comment marker is built from trusted values only.
 */
import { InputError } from '../errors.js';
import { commentMarker } from './comment.js';
import type { ActionConfig } from './inputs.js';
import { INPUTS } from './inputs.js';
import type { RunContext } from './run-context.js';
import type { RunFacts } from './run-facts.js';
import type { PullInfo, RepoApi, WorkflowRunInfo } from './seams.js';

/** Where the code or artifact a mode uses comes from. */
export interface Origin {
  /** 'this run' or the other workflow run whose artifact is used. */
  run: 'this' | WorkflowRunInfo;
  /** Proven to come from this repository (not a fork, not a deleted fork, not unknown). */
  sameRepository: boolean;
  /** Why, in words, for messages: "run 42 of fork mallory/r". */
  describe: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** `https://api.github.com/repos/o/r` → `o/r` (the form pull_requests[].base.repo carries: id, url, name). */
function repoOfApiUrl(url: unknown): string | null {
  const m = typeof url === 'string' ? /\/repos\/([^/]+\/[^/]+)$/.exec(url) : null;
  return m ? m[1]! : null;
}

/**
 * A workflow run object as GitHub sends it (the `workflow_run` of the event payload and the REST API's run
 * have the same shape). Missing or malformed fields become null, which every decision below treats as unknown.
 */
export function parseWorkflowRun(raw: unknown): WorkflowRunInfo | undefined {
  const r = obj(raw);
  if (!r || typeof r['id'] !== 'number') return undefined;
  const head = obj(r['head_repository']);
  const prs = Array.isArray(r['pull_requests']) ? r['pull_requests'] : [];
  return {
    id: r['id'], name: str(r['name']) ?? '', event: str(r['event']) ?? '',
    headRepository: str(head?.['full_name']), headOwner: str(obj(head?.['owner'])?.['login']),
    headBranch: str(r['head_branch']), headSha: str(r['head_sha']),
    pullRequests: prs.flatMap((p) => {
      const pr = obj(p);
      if (!pr || typeof pr['number'] !== 'number') return [];
      const base = obj(obj(pr['base'])?.['repo']);
      return [{ number: pr['number'], headSha: str(obj(pr['head'])?.['sha']), baseRepository: str(base?.['full_name']) ?? repoOfApiUrl(base?.['url']) }];
    }),
  };
}

const thisRepo = (ctx: RunContext): string => `${ctx.owner}/${ctx.repo}`;

/** The origin of a run's artifact, from GitHub's record of that run. */
export function originOfRun(run: WorkflowRunInfo, ctx: RunContext): Origin {
  const same = run.headRepository !== null && run.headRepository === thisRepo(ctx);
  const from = run.headRepository === null ? 'whose head repository is deleted or unknown' : same ? 'of this repository' : `of fork ${run.headRepository}`;
  return { run, sameRepository: same, describe: `run ${run.id} (${run.event || 'unknown event'}) ${from}` };
}

/** The origin of this run's own code (search, merge, or a benchmark of this run's artifact). */
export function originOfThisRun(ctx: RunContext): Origin {
  return { run: 'this', sameRepository: !ctx.fromFork, describe: ctx.fromFork ? `this ${ctx.eventName} run of a fork's pull request` : `this ${ctx.eventName || 'workflow'} run` };
}

/**
 * The origin of the run `runId` refers to: the triggering workflow_run from the event payload, anything else
 * (report-run-id) from the REST API. A run GitHub cannot describe is refused.
 */
export async function originOf(runId: number, ctx: RunContext, api: RepoApi | undefined): Promise<Origin> {
  if (ctx.triggeringRun && ctx.triggeringRun.id === runId) return originOfRun(ctx.triggeringRun, ctx);
  if (!api) throw new InputError(`run ${runId}: no '${INPUTS.githubToken}' to ask GitHub where that run came from`);
  let run: WorkflowRunInfo;
  try {
    run = await api.getRun(runId);
  } catch (err) {
    throw new InputError(`run ${runId}: GitHub does not describe it (${(err as Error).message}); input '${INPUTS.reportRunId}' must be a run of this repository`, { cause: err });
  }
  return originOfRun(run, ctx);
}

/** Boards: throws unless the code and the models come from this repository (or the workflow opted in). */
export function refuseUntrustedBoardRun(origin: Origin, cfg: ActionConfig): void {
  if (origin.sameRepository || cfg.allowForkPrs) return;
  throw new InputError(
    `mode benchmark refuses to run for a pull request from a fork: ${origin.describe} is not proven to come from this repository, ` +
      'and a self-hosted runner with boards attached must not run untrusted code or models. Benchmark after merging, or set input ' +
      `'${INPUTS.allowForkPrs}: true' only on runners that are isolated and wiped after each job.`,
  );
}

/** Where a report's comment goes: the PR and the marker, or why there is none. */
export type CommentTarget = { pr: number; marker: string } | { skip: string };

/**
 * The PR a run belongs to, from GitHub's data only: the run's pull_requests (same-repository PRs: the one into
 * this repository at the run's commit), else the open PR of this repository whose head is the run's head
 * repository, branch and commit (fork PRs). None or several: no PR (a stale or ambiguous report comments nowhere).
 */
export async function prOfRun(run: WorkflowRunInfo, ctx: RunContext, api: RepoApi | undefined): Promise<{ pr?: number; why: string }> {
  if (run.event !== 'pull_request' && run.event !== 'pull_request_target') return { why: `run ${run.id} is a ${run.event || 'non-PR'} run, not a pull request's` };
  const linked = run.pullRequests.filter((p) => p.baseRepository === thisRepo(ctx) && (p.headSha === null || p.headSha === run.headSha));
  if (linked.length === 1) return { pr: linked[0]!.number, why: 'linked by GitHub' };
  if (run.headRepository === null || run.headOwner === null || run.headBranch === null || run.headSha === null) {
    return { why: `run ${run.id} has no head repository (the fork was deleted): its PR cannot be identified` };
  }
  if (!api) return { why: `no '${INPUTS.githubToken}' to look up the PR of run ${run.id}` };
  const open: PullInfo[] = await api.openPullsByHead(run.headOwner, run.headBranch);
  const match = open.filter((p) => p.headSha === run.headSha && p.headRepository === run.headRepository);
  if (match.length === 1) return { pr: match[0]!.number, why: `the open PR from ${run.headRepository}:${run.headBranch}` };
  if (match.length === 0) return { why: `no open PR of this repository has head ${run.headRepository}:${run.headBranch} at ${run.headSha.slice(0, 7)} (closed, or pushed again since)` };
  return { why: `${match.length} open PRs have head ${run.headRepository}:${run.headBranch}: not commenting on any` };
}

/**
 * The comment target of a report. This run (search, merge, benchmark of its own artifact): its own PR and
 * facts. Another run: the PR GitHub links to it (prOfRun) and a marker of that run's workflow name as GitHub
 * records it; the model and target come from the artifact only when it is of this repository, else from this
 * job's inputs — never the artifact's PR number or marker fields.
 */
export async function commentTarget(origin: Origin, facts: RunFacts, cfg: ActionConfig, ctx: RunContext, api: RepoApi | undefined): Promise<CommentTarget> {
  if (facts.shard) return { skip: 'a shard does not comment (mode merge does)' };
  if (origin.run === 'this') {
    if (ctx.prNumber === undefined) return { skip: 'not a pull request run' };
    return { pr: ctx.prNumber, marker: commentMarker(ctx.workflow, facts.model, facts.target) };
  }
  const found = await prOfRun(origin.run, ctx, api);
  if (found.pr === undefined) return { skip: found.why };
  const model = origin.sameRepository ? facts.model : cfg.model ?? 'model';
  const target = origin.sameRepository ? facts.target : cfg.target;
  return { pr: found.pr, marker: commentMarker(origin.run.name || 'workflow', model, target) };
}
