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
