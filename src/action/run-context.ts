/**
 * What the Action needs to know about the workflow run, read once from the runner's environment and the
 * event payload (not from @actions/github's import-time `context`, so each run() call sees its own env).
 */
import { readFileSync } from 'node:fs';
import type { WorkflowRunInfo } from './seams.js';
import { parseWorkflowRun } from './trust.js';

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
  /** workflow_run events: GitHub's record of the triggering run (trust.ts decides from it). */
  triggeringRun?: WorkflowRunInfo;
  /**
   * The code of this run (or of the run that triggered it) is not proven to come from this repository: a pull
   * request (or the workflow_run of one) whose head repository is another one, deleted, missing or unknown.
   * Self-hosted runners must not run it. Fails closed (trust.ts).
   */
  fromFork: boolean;
}

type Repo = { full_name?: string } | null;
type Payload = {
  pull_request?: { number?: number; base?: { ref?: string }; head?: { ref?: string; repo?: Repo } };
  workflow_run?: unknown;
};

/**
 * See RunContext.fromFork. Only a head repository equal to this one is ours: a missing payload of a PR event,
 * a null head repository (deleted fork) or a missing field all count as a fork.
 */
function isFromFork(eventName: string, payload: Payload, repository: string | undefined): boolean {
  const ours = (full: unknown): boolean => typeof full === 'string' && full !== '' && full === repository;
  const pr = payload.pull_request;
  if (pr) return !ours(pr.head?.repo?.full_name);
  if (eventName.startsWith('pull_request')) return true;
  if (payload.workflow_run !== undefined || eventName === 'workflow_run') return !ours(parseWorkflowRun(payload.workflow_run)?.headRepository);
  return false;
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
    fromFork: isFromFork(env['GITHUB_EVENT_NAME'] ?? '', payload, env['GITHUB_REPOSITORY']),
  };
  const pr = payload.pull_request?.number;
  if (typeof pr === 'number') ctx.prNumber = pr;
  const run = parseWorkflowRun(payload.workflow_run);
  if (run) Object.assign(ctx, { triggeringRunId: run.id, triggeringRun: run });
  return ctx;
}

/** Link to a run's artifact (the form actions/upload-artifact prints). */
export function artifactUrl(ctx: RunContext, artifactId: number, runId: string = ctx.runId): string {
  return `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${runId}/artifacts/${artifactId}`;
}
