/**
 * The real dependencies of run(): the @actions/* adapters, the runner's environment, cancellation on
 * SIGINT/SIGTERM (the runner sends them on cancel and on timeout-minutes), and the quantization engine behind
 * the native-module bootstrap. Nothing here runs at import time.
 */
import * as core from '@actions/core';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBench, type BenchRequest, type BenchResult } from '../app/bench.js';
import type { ExperimentRunnerFactory } from '../autoquant/runner.js';
import { InternalError } from '../errors.js';
import { actionsArtifacts, actionsCache, actionsComments, actionsLogger, actionsOutputs, actionsRepoApi, actionsSummary } from './adapters.js';
import { useOnnxRuntimeFrom } from '../node/ort-runtime.js';
import { detectLibc, ensureNativeModules } from './bootstrap.js';
import { downloadToFile } from './download.js';
import { INPUTS } from './inputs.js';
import type { ActionDeps } from './deps.js';
import type { ActionLogger, CacheStore } from './seams.js';
import { packageVersion } from '../node/package-info.js';

/** The action checkout: dist/action/index.js (bundle) and src/action/real-deps.ts (source) are both two levels down. */
function actionRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/**
 * serialport is a native module the bundle keeps external (scripts/package-action.mjs): fail with the cause
 * here rather than as every board "cannot open".
 */
async function assertSerialport(): Promise<void> {
  try {
    await import('serialport');
  } catch (err) {
    throw new InternalError(`mode benchmark cannot load the serialport package (${err instanceof Error ? err.message : String(err)}): ` +
      'it must resolve from the Action\'s folder (e.g. `uses: ./` after `npm ci`)', { cause: err });
  }
}

/** The bench use case, once the serial port module is known to load. */
export async function boardBench(req: BenchRequest): Promise<BenchResult> {
  await assertSerialport();
  return runBench(req);
}

/** The engine `makeRunner`, with onnxruntime-node installed first when missing. */
function bootstrappedEngine(makeRunner: ExperimentRunnerFactory | undefined, root: string, cache: CacheStore, log: ActionLogger, tempDir: string): ExperimentRunnerFactory {
  return async (spec) => {
    if (!makeRunner) {
      throw new InternalError('this build of the Action has no quantization engine wired in (src/action/index.ts → realDeps(makeRunner))');
    }
    const given = core.getInput(INPUTS.onnxruntimePath);
    const libc = process.platform === 'linux' ? detectLibc(process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined) : undefined;
    const res = await ensureNativeModules({
      actionRoot: root, resolveFrom: fileURLToPath(import.meta.url), platform: process.platform, arch: process.arch,
      ...(libc ? { libc } : {}), ...(given ? { runtimePath: path.resolve(process.cwd(), given) } : {}),
      registry: process.env['npm_config_registry'] || 'https://registry.npmjs.org', tempDir, cache, log,
      download: (url, file) => downloadToFile(url, file, { onRetry: (n, why) => log.warn(`Download attempt ${n} of ${url} failed (${why}); retrying.`) }),
    });
    if (res.how === 'given') useOnnxRuntimeFrom(res.dir);
    return makeRunner(spec);
  };
}

/** Real dependencies; `makeRunner` is the quantization engine (src/node/search-runner-factory.ts). */
export async function realDeps(makeRunner?: ExperimentRunnerFactory): Promise<ActionDeps> {
  const log = actionsLogger();
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    log.warn(`Received ${sig}: stopping after the current experiment and saving the run folder.`);
    controller.abort(new Error(`cancelled by ${sig}`));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const root = actionRoot();
  const cache = actionsCache(log);
  const tempDir = process.env['RUNNER_TEMP'] || tmpdir();
  return {
    inputs: (name) => core.getInput(name),
    env: process.env,
    workspace: process.cwd(),
    tempDir,
    log,
    cache,
    artifacts: actionsArtifacts(log),
    comments: actionsComments(process.env),
    repoApi: actionsRepoApi(process.env),
    summary: actionsSummary(),
    outputs: actionsOutputs(),
    engine: bootstrappedEngine(makeRunner, root, cache, log, tempDir),
    bench: boardBench,
    setFailed: (message) => core.setFailed(message),
    signal: controller.signal,
    toolVersion: packageVersion(),
  };
}
