/**
 * The outside effects of the Action, one small interface each (docs/architecture.md, "Import direction"). Real implementations
 * over @actions/* are in adapters.ts; tests run the same code against the fake GitHub services or fakes.
 * Optional infrastructure never throws: a cache or artifact service that is down is a warning (the
 * implementations log it and return a "did not happen" value).
 */
import type { Logger } from '../log.js';
import type { CommentApi } from './comment.js';

/** Run-folder persistence through the Actions cache. */
export interface CacheStore {
  /** Restores `paths` (workspace-relative) by exact key, then by each restore key as prefix. Returns the matched key. */
  restore(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined>;
  /** Saves `paths` under `key`; false when not saved (exists already, service full or down). */
  save(paths: string[], key: string): Promise<boolean>;
}

/** One uploaded artifact. */
export interface ArtifactRef { id: number; name: string; digest?: string; size?: number }

/** Where to look for artifacts: this run, or another run of the repository (workflow_run reports). */
export interface ArtifactSource { runId: number; owner: string; repo: string; token: string }

export interface ArtifactStore {
  /** Uploads `files` (absolute, under `root`) as one zip artifact; undefined when the upload failed (warned). */
  upload(name: string, files: string[], root: string, retentionDays: number): Promise<ArtifactRef | undefined>;
  /** Artifacts of this run, or of `from`. */
  list(from?: ArtifactSource): Promise<ArtifactRef[]>;
  /** Downloads and unzips into `dir`, checking the digest when known. Throws on failure or digest mismatch. */
  download(ref: ArtifactRef, dir: string, from?: ArtifactSource): Promise<void>;
}

/** The job summary. */
export interface SummarySink { write(markdown: string): Promise<void> }

/** Step outputs. */
export interface OutputSink { set(name: string, value: string): void }

/** Action logging: the core Logger plus error annotations and log groups. */
export interface ActionLogger extends Logger {
  error(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Builds the PR-comment API for one issue/PR (undefined: no token). */
export type CommentApiFactory = (token: string, owner: string, repo: string, issue: number) => CommentApi | undefined;

/** GitHub's record of a workflow run (event payload `workflow_run`, or GET /repos/{o}/{r}/actions/runs/{id}). */
export interface WorkflowRunInfo {
  id: number;
  /** The workflow's name. */
  name: string;
  /** The event that started the run: 'pull_request', 'push', … */
  event: string;
  /** `owner/name` of the repository the run's code came from; null when deleted or not given. */
  headRepository: string | null;
  headOwner: string | null;
  headBranch: string | null;
  headSha: string | null;
  /** The PRs GitHub links to the run (empty for PRs from forks). */
  pullRequests: { number: number; headSha: string | null; baseRepository: string | null }[];
}

/** An open pull request of this repository, as the pulls API lists it. */
export interface PullInfo { number: number; headSha: string; headRepository: string | null }

/** The repository REST calls trust decisions need (real one over Octokit in adapters.ts). */
export interface RepoApi {
  getRun(runId: number): Promise<WorkflowRunInfo>;
  /** Open PRs of this repository whose head is `headOwner:headBranch`. */
  openPullsByHead(headOwner: string, headBranch: string): Promise<PullInfo[]>;
}

/** Builds the RepoApi for this repository (undefined: no token). */
export type RepoApiFactory = (token: string, owner: string, repo: string) => RepoApi | undefined;
