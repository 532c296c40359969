/**
 * One AutoQuant search (esp_ppq/autoquant/interface.py::espdl_auto_quantize_onnx and `_eval_once`), with the
 * quantization engine, the evaluator and the run-folder storage injected. Adds budgets, abort, sharding
 * and progress callbacks; a stopped run stays resumable (every finished experiment is on disk).
 */
import { InputError } from '../errors.js';
import { nullLogger, type Logger } from '../log.js';
import type { Target } from '../quant/types.js';
import { defaultEvaluator, validateEvaluation } from './evaluator.js';
import { strategyHash, strategyValues } from './hash.js';
import { pyFloat, num, type PyDict, type PyValue } from './py-value.js';
import { buildQuantOptions } from './quant-options.js';
import { withDeploymentCost } from './deployment-cost.js';
import { dumps } from './py-json.js';
import {
  appendSummary, BASELINE_GRAPHWISE_FILE, folderLabel, folderName, GRAPHWISE_FILE, openRun, writeCandidates, writeConfig,
  type RunState, type RunStore,
} from './run-folder.js';
import type { Evaluator, ExperimentRunner, ExperimentRequest } from './runner.js';
import { runExhaustive, runFast, SearchStop, countShardExhaustive, type EvalOnce, type Shard } from './search.js';
import { canEnable, effectiveDirection, isBetter, topkBalanceOf, type AutoQuantSettings, type ScoreDirection } from './settings.js';
import { expandStrategies, type ParamSpace, type SampledParams, type Strategy } from './space.js';
import { LAYERWISE_MODULES } from './spaces.js';
import { baselineLayerwise } from './layerwise-cache.js';
import { planRefinements, runRefinements } from './refine.js';
import { candidateFilterFor, updateTopk, type CandidateFilter, type RunRecord } from './topk.js';

/** Progress after each experiment (run or skipped). */
export interface ExperimentProgress {
  index: number;
  hash: string;
  score: number;
  /** Best score so far in this run (including skipped ones), in the effective direction. */
  best: number;
  elapsedMs: number;
  /** Experiments handled so far in this run (run + skipped). */
  done: number;
  /** Known total (exhaustive mode). */
  total?: number;
  /** True when the experiment was already in summary.json (not re-run). */
  skipped: boolean;
}

export interface AutoQuantInput {
  settings: AutoQuantSettings;
  target: Target;
  runner: ExperimentRunner;
  /** Custom evaluator; omitted = ESP-PPQ's default evaluator (direction forced to minimize). */
  evaluator?: Evaluator;
  store: RunStore;
  /** Runtime-snapshot paths, as the user gave them. */
  onnxImportFile: string;
  espdlExportFile: string;
  logger?: Logger;
  signal?: AbortSignal;
  /** Monotonic ms clock (tests inject one). Default performance.now. */
  now?: () => number;
  /** Stop after this many NEW experiments. */
  maxExperiments?: number;
  /** Do not start a new experiment after this many minutes. */
  timeBudgetMinutes?: number;
  shard?: Shard;
  onExperiment?: (p: ExperimentProgress) => void;
}

export interface AutoQuantResult {
  /** candidates.json at the end (best first). */
  candidates: RunRecord[];
  direction: ScoreDirection;
  newExperiments: number;
  skipped: number;
  /** null = the search space was covered. */
  stopped: SearchStop['reason'] | null;
}

const DEVICE = 'cpu';

/** ESP-PPQ overwrites tqt/blockwise `collecting_device` with the run's device (interface.py). */
function withDevice(ps: ParamSpace): ParamSpace {
  const out: ParamSpace = { ...ps };
  for (const m of ['tqt', 'blockwise_reconstruction']) if (out[m]) out[m] = { ...out[m], collecting_device: [DEVICE] };
  return out;
}

function runtimeSnapshot(inp: AutoQuantInput, direction: ScoreDirection): PyDict {
  const s = inp.settings;
  const r: PyDict = {
    onnx_import_file: inp.onnxImportFile, espdl_export_file: inp.espdlExportFile, input_shape: [...inp.runner.inputShape],
    target: inp.target, device: DEVICE, num_of_candidates: s.num_of_candidates, search_mode: s.search_mode,
    score_direction: direction, calib_steps: inp.runner.calibSteps,
  };
  if (s.search_mode === 'fast') Object.assign(r, { top_strategy: s.top_strategy, early_stop_patience: s.early_stop_patience });
  return r;
}

interface Counters { exp: number; done: number; fresh: number; skipped: number; best?: number; t0: number }

/**
 * Repairs the one gap a crash between the summary and candidates writes can leave (interface.py writes
 * summary first): the newest summary record is re-offered to Top-K if candidates.json does not have it.
 */
async function repairTopkGap(inp: AutoQuantInput, state: RunState, direction: ScoreDirection, filter: CandidateFilter | null): Promise<void> {
  const last = state.summary.reduce<RunRecord | undefined>((a, r) => (a === undefined || num(r.index) > num(a.index) ? r : a), undefined);
  if (last === undefined || state.candidates.some((c) => num(c.index) === num(last.index))) return;
  const { hash: _hash, ...record } = last;
  const next = updateTopk(state.candidates, record, inp.settings.num_of_candidates, filter, direction);
  if (next.some((c) => c === record)) await writeCandidates(inp.store, state, next);
}

/** Runs the search. Errors from the runner or the evaluator abort it (as ESP-PPQ); budgets/abort stop it cleanly. */
export async function autoQuantize(inp: AutoQuantInput): Promise<AutoQuantResult> {
  const s = inp.settings;
  const log = inp.logger ?? nullLogger;
  const now = inp.now ?? (() => performance.now());
  const t0 = now(); // the time budget includes the baseline analysis
  const direction = effectiveDirection(s, inp.evaluator !== undefined);
  if (inp.evaluator === undefined && s.score_direction !== 'minimize') {
    log.info("Using the built-in graph-wise top-3 SNR evaluator; this run sorts under 'minimize' (lower is better).");
  }
  const filter = candidateFilterFor(topkBalanceOf(s));
  const lease = await inp.store.acquire(!s.resume);
  try {
    return await searchIn(inp, direction, filter, now, t0, log);
  } finally {
    await lease.release();
  }
}

/** The search proper, while this process holds the run folder. */
async function searchIn(inp: AutoQuantInput, direction: ScoreDirection, filter: CandidateFilter | null,
  now: () => number, t0: number, log: Logger): Promise<AutoQuantResult> {
  const s = inp.settings;
  const state = await openRun(inp.store, s.resume);
  if (s.resume) await repairTopkGap(inp, state, direction, filter);
  const signal = inp.signal ?? new AbortController().signal;
  const paramSpace = withDevice(s.param_space);
  const strategies = expandStrategies(s.strategy_space, paramSpace);
  const refinements = planRefinements(s, paramSpace, inp.runner, inp.shard !== undefined, log);
  const needLayerwise = LAYERWISE_MODULES.some((m) => canEnable(s, m)) || refinements.some((r) => LAYERWISE_MODULES.includes(r.module));
  const layerwise = needLayerwise ? await baselineLayerwise(inp.runner, inp.store, signal, log) : {};
  await keepBaselineGraphwise(inp, s.resume, signal);
  const c: Counters = { exp: state.nextIndex, done: 0, fresh: 0, skipped: 0, t0 };
  const ctx: EvalContext = {
    inp, state, direction, filter, layerwise, signal, now, log, c, runtime: runtimeSnapshot(inp, direction),
    total: s.search_mode === 'exhaustive' ? countShardExhaustive(strategies, inp.shard) + refinements.length : undefined,
  };
  const evalOnce: EvalOnce = (strategy, params) => evalOne(ctx, strategy, params);
  let stopped: AutoQuantResult['stopped'] = null;
  try {
    if (s.search_mode === 'exhaustive') await runExhaustive(strategies, evalOnce, inp.shard);
    else {
      await runFast(strategies, evalOnce, {
        topStrategy: s.top_strategy, earlyStopPatience: s.early_stop_patience, structuralKnobs: s.structural_knobs,
        direction, shard: inp.shard, logger: log,
      });
    }
    await runRefinements(refinements, () => state.summary, direction, evalOnce, log);
  } catch (e) {
    if (!(e instanceof SearchStop)) throw e;
    stopped = e.reason;
    log.info(`AutoQuant stopped (${e.reason}); resume with --resume to continue.`);
  }
  log.info(`AutoQuant done. Experiments tried this run: ${c.fresh}`);
  return { candidates: state.candidates, direction, newExperiments: c.fresh, skipped: c.skipped, stopped };
}

/** Writes the baseline's per-layer graph-wise noise for the reports, once per run folder (kept on resume). */
async function keepBaselineGraphwise(inp: AutoQuantInput, resume: boolean, signal: AbortSignal): Promise<void> {
  if (!inp.runner.baselineGraphwise || (resume && (await inp.store.readText(BASELINE_GRAPHWISE_FILE)) !== undefined)) return;
  await inp.store.writeTextAtomic(BASELINE_GRAPHWISE_FILE, graphwiseText(await inp.runner.baselineGraphwise(signal)));
}

/** Per-layer ratios as JSON, graph order kept. */
function graphwiseText(g: Record<string, number>): string {
  return `${dumps(Object.fromEntries(Object.entries(g).map(([k, v]) => [k, pyFloat(v)])), { indent: 2 })}\n`;
}

interface EvalContext {
  inp: AutoQuantInput; state: RunState; direction: ScoreDirection; filter: CandidateFilter | null;
  layerwise: Record<string, number>; signal: AbortSignal; now: () => number; log: Logger; c: Counters;
  runtime: PyDict; total?: number;
}

function report(x: EvalContext, index: number, hash: string, score: number, skipped: boolean): void {
  const { c } = x;
  if (c.best === undefined || isBetter(score, c.best, x.direction)) c.best = score;
  c.done++;
  x.inp.onExperiment?.({ index, hash, score, best: c.best, elapsedMs: x.now() - c.t0, done: c.done, total: x.total, skipped });
}

/** `_eval_once`: skip by hash (stored score), else check budgets, run, evaluate, record. */
async function evalOne(x: EvalContext, strategy: Strategy, params: SampledParams): Promise<number> {
  const { inp, state, c } = x;
  const hash = strategyHash(strategy, params);
  if (state.done.has(hash)) {
    const stored = state.done.get(hash);
    if (stored === undefined) {
      throw new InputError(`Hash ${hash.slice(0, 8)} exists in ${inp.store.resolve('summary.json')} but has no 'score' field; ` +
        'rerun without --resume to rebuild the run folder.');
    }
    x.log.info(`[skip] already done: ${hash.slice(0, 8)}`);
    c.skipped++;
    report(x, state.doneIndex.get(hash) ?? -1, hash, num(stored), true);
    return num(stored);
  }
  if (x.signal.aborted) throw new SearchStop('aborted');
  if (inp.maxExperiments !== undefined && c.fresh >= inp.maxExperiments) throw new SearchStop('max-experiments');
  if (inp.timeBudgetMinutes !== undefined && x.now() - c.t0 >= inp.timeBudgetMinutes * 60_000) throw new SearchStop('time-budget');
  const index = c.exp;
  const score = await runOne(x, index, hash, strategy, params);
  state.done.set(hash, pyFloat(score));
  state.doneIndex.set(hash, index);
  c.exp++;
  c.fresh++;
  report(x, index, hash, score, false);
  return score;
}

/** One new experiment: runner → evaluator → config.json → summary.json → candidates.json. */
async function runOne(x: EvalContext, index: number, hash: string, strategy: Strategy, params: SampledParams): Promise<number> {
  const { inp, state } = x;
  const name = folderName(index);
  // Every candidate calibrates over the search's calib_steps, as espdl_auto_quantize_onnx passes them on.
  const quant = {
    ...buildQuantOptions({ strategy, params, target: inp.target, layerwise: x.layerwise, successorsOf: (n) => inp.runner.successorsOf(n) }),
    calibSteps: inp.runner.calibSteps,
  };
  await inp.store.resetDir(name);
  const req: ExperimentRequest = { index, hash, strategy, params, quant, candidateDir: inp.store.resolve(name) };
  let art;
  try {
    art = await inp.runner.run(req, x.signal);
  } catch (e) {
    if (x.signal.aborted) throw new SearchStop('aborted');
    throw e;
  }
  const ev = validateEvaluation(await (inp.evaluator ?? defaultEvaluator)(req, art, x.signal), `candidate ${name} (${req.candidateDir})`);
  const values = strategyValues(strategy);
  await writeConfig(inp.store, index, values, params as PyDict, x.runtime);
  if (art.graphwise) await inp.store.writeTextAtomic(`${name}/${GRAPHWISE_FILE}`, graphwiseText(art.graphwise));
  const esppq: RunRecord = {
    index, folder: folderLabel(inp.store, index), files: [...art.files], strategy: values, params: params as PyDict,
    score: pyFloat(ev.score), ...(ev.extras as Record<string, PyValue>),
  };
  const record = art.cost ? withDeploymentCost(esppq, art.cost) : esppq;
  // Summary first: a crash between the two writes leaves a one-row gap in Top-K, never a duplicate (ESP-PPQ order);
  // repairTopkGap fills that gap on resume.
  await appendSummary(inp.store, state, { hash, ...record });
  await writeCandidates(inp.store, state, updateTopk(state.candidates, record, inp.settings.num_of_candidates, x.filter, x.direction));
  x.log.info(`[eval] ${name} score=${ev.score}`);
  return ev.score;
}
