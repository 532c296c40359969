/**
 * Runs the Action's run() — the code path dist/action/index.js runs — with the real @actions/* adapters
 * against the fake GitHub services, one simulated workflow run at a time (event, run id, inputs).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runtimeToken, startFakeGitHubServices, type FakeGitHubServices } from '../../fakes/github-services.js';
import type { ActionDeps } from '../../../src/action/deps.js';
import type { ActionOutcome } from '../../../src/action/announce.js';
import { fakeRunnerFactory, type FakeRunnerControl } from './fake-runner.js';
import { pullRequestEvent, workflowRun, workflowRunEvent, type RunShape } from '../../fakes/github/payloads.js';
import type { ExperimentRunnerFactory } from '../../../src/autoquant/runner.js';

type Adapters = typeof import('../../../src/action/adapters.js');
type Main = typeof import('../../../src/action/main.js');
type RealDeps = typeof import('../../../src/action/real-deps.js');

export interface SimulatedRun {
  runId: number;
  event: 'push' | 'pull_request' | 'workflow_run' | 'issue_comment' | 'workflow_dispatch';
  inputs: Record<string, string>;
  /** push: the pushed branch; pull_request: the head branch. Default main / feature. */
  branch?: string;
  pr?: number;
  workflow?: string;
  /** workflow_run events: the triggering run (GitHub's shape built by payloads.ts; its head repository is `headRepo`). */
  workflowRun?: RunShape;
  /** The whole event payload instead of the one built from the fields above (issue_comment, workflow_dispatch, …). */
  payload?: Record<string, unknown>;
  /** Keep the run folder from the previous run (a re-run on the same machine). Default: fresh checkout. */
  keepRunDir?: boolean;
  control?: FakeRunnerControl;
  /** The quantization engine; default: the deterministic fake. */
  makeRunner?: ExperimentRunnerFactory;
  controller?: AbortController;
  /** The head repository of the PR / triggering run (default this repository 'o/r'; another one = a fork). */
  headRepo?: string;
  /** GITHUB_RUN_ATTEMPT (a re-run of the job). Default 1. */
  runAttempt?: number;
}

export interface RunResult {
  outputs: Record<string, string>;
  failed: string[];
  summary: string;
  warnings: string[];
  infos: string[];
  outcome: ActionOutcome | undefined;
}

export interface Harness {
  fake: FakeGitHubServices;
  ws: string;
  run(sim: SimulatedRun): Promise<RunResult>;
  /** Switches the runtime token to a run (what the runner injects per job). */
  asRun(runId: number): void;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const fake = await startFakeGitHubServices();
  const ws = mkdtempSync(path.join(tmpdir(), 'action-ws-'));
  const temp = path.join(ws, '..', `${path.basename(ws)}-temp`);
  mkdirSync(temp, { recursive: true });
  Object.assign(process.env, fake.env({ runId: 1 }), {
    GITHUB_WORKSPACE: ws, RUNNER_TEMP: temp, GITHUB_REPOSITORY: 'o/r', GITHUB_RETENTION_DAYS: '90',
  });
  process.chdir(ws); // a runner starts the action in the workspace; @actions/cache globs paths from the cwd
  const adapters: Adapters = await import('../../../src/action/adapters.js');
  const main: Main = await import('../../../src/action/main.js');
  const realDeps: RealDeps = await import('../../../src/action/real-deps.js');
  const asRun = (runId: number): void => { process.env['ACTIONS_RUNTIME_TOKEN'] = runtimeToken({ runId }); };

  async function run(sim: SimulatedRun): Promise<RunResult> {
    asRun(sim.runId);
    if (!sim.keepRunDir) rmSync(path.join(ws, sim.inputs['run-dir'] ?? 'espdl-autoquant-run'), { recursive: true, force: true });
    const eventPath = path.join(temp, `event-${sim.runId}.json`);
    const payload = sim.payload ?? (sim.event === 'pull_request'
      ? pullRequestEvent({ number: sim.pr ?? 1, headRepo: sim.headRepo ?? 'o/r', headBranch: sim.branch ?? 'feature' })
      : sim.event === 'workflow_run' && sim.workflowRun ? workflowRunEvent(workflowRun({ headRepo: sim.headRepo ?? 'o/r', ...sim.workflowRun })) : {});
    writeFileSync(eventPath, JSON.stringify(payload));
    const env: Record<string, string | undefined> = {
      ...process.env, GITHUB_EVENT_NAME: sim.event, GITHUB_EVENT_PATH: eventPath, GITHUB_RUN_ID: String(sim.runId),
      GITHUB_RUN_ATTEMPT: String(sim.runAttempt ?? 1), GITHUB_WORKFLOW: sim.workflow ?? 'CI', GITHUB_SHA: `sha${sim.runId}`,
      GITHUB_REF_NAME: sim.event === 'pull_request' ? `${sim.pr}/merge` : (sim.branch ?? 'main'),
      GITHUB_HEAD_REF: sim.event === 'pull_request' ? (sim.branch ?? 'feature') : '',
      GITHUB_BASE_REF: sim.event === 'pull_request' ? 'main' : '',
    };
    const res: RunResult = { outputs: {}, failed: [], summary: '', warnings: [], infos: [], outcome: undefined };
    const log = {
      debug() {}, info: (m: string) => res.infos.push(m), warn: (m: string) => res.warnings.push(m), error: (m: string) => res.warnings.push(m),
      group: <T>(_n: string, fn: () => Promise<T>) => fn(),
    };
    const deps: ActionDeps = {
      inputs: (n) => sim.inputs[n] ?? '', env, workspace: ws, tempDir: temp, log,
      cache: adapters.actionsCache(log), artifacts: adapters.actionsArtifacts(log), comments: adapters.actionsComments(env), repoApi: adapters.actionsRepoApi(env),
      summary: { write: async (md) => { res.summary += md; } }, outputs: { set: (k, v) => { res.outputs[k] = v; } },
      engine: sim.makeRunner ?? fakeRunnerFactory(sim.control ?? { runs: 0 }),
      bench: realDeps.boardBench,
      setFailed: (m) => res.failed.push(m), signal: (sim.controller ?? new AbortController()).signal, toolVersion: '0.1.0-test',
    };
    res.outcome = await main.run(deps);
    return res;
  }

  return {
    fake, ws, run, asRun,
    async close() {
      process.chdir(tmpdir());
      await fake.close();
      rmSync(ws, { recursive: true, force: true });
      rmSync(temp, { recursive: true, force: true });
    },
  };
}
