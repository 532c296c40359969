/** Everything run() needs from the outside world, injected (real ones in real-deps.ts, fakes in tests). */
import type { BenchRequest, BenchResult } from '../app/bench.js';
import type { ExperimentRunnerFactory } from '../autoquant/runner.js';
import type { InputReader } from './inputs.js';
import type { ActionLogger, ArtifactStore, CacheStore, CommentApiFactory, OutputSink, RepoApiFactory, SummarySink } from './seams.js';

export interface ActionDeps {
  inputs: InputReader;
  env: Readonly<Record<string, string | undefined>>;
  /** The job's workspace (GITHUB_WORKSPACE = the working directory); relative inputs resolve against it. */
  workspace: string;
  /** Scratch space for downloads (RUNNER_TEMP). */
  tempDir: string;
  log: ActionLogger;
  cache: CacheStore;
  artifacts: ArtifactStore;
  comments: CommentApiFactory;
  /** GitHub's records of runs and pull requests (trust.ts decides from them where a report may go). */
  repoApi: RepoApiFactory;
  summary: SummarySink;
  outputs: OutputSink;
  /** The quantization engine of mode search (real: onnxruntime-node after the native-module bootstrap). */
  engine: ExperimentRunnerFactory;
  /** mode benchmark: the bench use case (real: runBench of src/app/bench.ts once serialport loads). */
  bench(req: BenchRequest): Promise<BenchResult>;
  /** Marks the step failed (core.setFailed: exit code 1 and an error annotation). */
  setFailed(message: string): void;
  /** Aborted when the runner cancels the job (SIGINT/SIGTERM) or its timeout hits. */
  signal: AbortSignal;
  /** This tool's version (part of the cache fingerprint). */
  toolVersion: string;
}
