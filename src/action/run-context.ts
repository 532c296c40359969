/**
 * What the Action needs to know about the workflow run, read once from the runner's environment and the
 * event payload (not from @actions/github's import-time `context`, so each run() call sees its own env).
 */
import { readFileSync } from 'node:fs';

export interface RunContext {
  eventName: string;
  owner: string;
  repo: string;
  /** GITHUB_RUN_ID / GITHUB_RUN_ATTEMPT as strings (cache keys, artifact links). */
  runId: string;
  runAttempt: string;
  workflow: string;
  serverUrl: string;
  sha: string;
  /** The branch this run's results belong to: the PR head branch, else the pushed branch. */
  branch: string;
  /** Where the baseline comes from: the PR base branch, else this branch's previous run. */
  baselineBranch: string;
  /** The PR this run reports on (pull_request events). */
  prNumber?: number;
  /** workflow_run events: the run that produced the artifact to report. */
  triggeringRunId?: number;
  /** workflow_run events: the PR of the triggering run, when GitHub lists it (it does not for fork PRs). */
  triggeringPrNumber?: number;
  /**
   * The code of this run comes from another repository: a pull request (or the workflow_run of one) whose
   * head repository is not this one, or whose head repository was deleted. Self-hosted runners must not run it.
   */
  fromFork: boolean;
}

type Repo = { full_name?: string } | null;
type Payload = {
  pull_request?: { number?: number; base?: { ref?: string }; head?: { ref?: string; repo?: Repo } };
  workflow_run?: { id?: number; pull_requests?: { number?: number }[]; head_repository?: Repo };
};

/** See RunContext.fromFork: an unknown head repository of a PR counts as a fork (fail safe). */
function isFromFork(payload: Payload, repository: string | undefined): boolean {
  const pr = payload.pull_request;
  if (pr) return pr.head?.repo?.full_name === undefined || pr.head.repo.full_name !== repository;
  const head = payload.workflow_run?.head_repository?.full_name;
  return head !== undefined && head !== repository;
}

function readPayload(eventPath: string | undefined): Payload {
  if (!eventPath) return {};
  try {
    return JSON.parse(readFileSync(eventPath, 'utf8')) as Payload;
  } catch {
    return {};
  }
}

/** Reads the run context from the runner's environment (GITHUB_* variables and the event payload file). */
export function readRunContext(env: Readonly<Record<string, string | undefined>>): RunContext {
  const payload = readPayload(env['GITHUB_EVENT_PATH']);
  const [owner = '', repo = ''] = (env['GITHUB_REPOSITORY'] ?? '/').split('/');
  const branch = env['GITHUB_HEAD_REF'] || payload.pull_request?.head?.ref || env['GITHUB_REF_NAME'] || 'unknown';
  const ctx: RunContext = {
    eventName: env['GITHUB_EVENT_NAME'] ?? '',
    owner, repo,
    runId: env['GITHUB_RUN_ID'] ?? '0',
    runAttempt: env['GITHUB_RUN_ATTEMPT'] ?? '1',
    workflow: env['GITHUB_WORKFLOW'] ?? 'workflow',
    serverUrl: env['GITHUB_SERVER_URL'] ?? 'https://github.com',
    sha: env['GITHUB_SHA'] ?? '',
    branch,
    baselineBranch: env['GITHUB_BASE_REF'] || payload.pull_request?.base?.ref || branch,
    fromFork: isFromFork(payload, env['GITHUB_REPOSITORY']),
  };
  const pr = payload.pull_request?.number;
  if (typeof pr === 'number') ctx.prNumber = pr;
  const wr = payload.workflow_run?.id;
  if (typeof wr === 'number') ctx.triggeringRunId = wr;
  const wrPr = payload.workflow_run?.pull_requests?.[0]?.number;
  if (typeof wrPr === 'number') ctx.triggeringPrNumber = wrPr;
  return ctx;
}

/** Link to a run's artifact (the form actions/upload-artifact prints). */
export function artifactUrl(ctx: RunContext, artifactId: number, runId: string = ctx.runId): string {
  return `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${runId}/artifacts/${artifactId}`;
}
