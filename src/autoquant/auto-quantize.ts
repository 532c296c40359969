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
import { appendSummary, folderLabel, folderName, openRun, writeCandidates, writeConfig, type RunStore } from './run-folder.js';
import type { Evaluator, ExperimentRunner, ExperimentRequest } from './runner.js';
import { runExhaustive, runFast, SearchStop, countShardExhaustive, type EvalOnce, type Shard } from './search.js';
import { canEnable, effectiveDirection, type AutoQuantSettings, type ScoreDirection } from './settings.js';
import { expandStrategies, type ParamSpace, type SampledParams, type Strategy } from './space.js';
import { LAYERWISE_MODULES } from './spaces.js';
import { lowLatencyCandidateFilter, updateTopk, type RunRecord } from './topk.js';

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

/** Runs the search. Errors from the runner or the evaluator abort it (as ESP-PPQ); budgets/abort stop it cleanly. */
export async function autoQuantize(inp: AutoQuantInput): Promise<AutoQuantResult> {
  const s = inp.settings;
  const log = inp.logger ?? nullLogger;
  const signal = inp.signal ?? new AbortController().signal;
  const now = inp.now ?? (() => performance.now());
  const direction = effectiveDirection(s, inp.evaluator !== undefined);
  if (inp.evaluator === undefined && s.score_direction !== 'minimize') {
    log.info("Using the built-in graph-wise top-3 SNR evaluator; this run sorts under 'minimize' (lower is better).");
  }
  const evaluator = inp.evaluator ?? defaultEvaluator;
  const state = await openRun(inp.store, s.resume);
  const runtime = runtimeSnapshot(inp, direction);
  const layerwise = LAYERWISE_MODULES.some((m) => canEnable(s, m)) ? await inp.runner.baselineLayerwise(signal) : {};
  const strategies = expandStrategies(s.strategy_space, withDevice(s.param_space));
  const t0 = now();
  let exp = state.nextIndex;
  let done = 0;
  let fresh = 0;
  let skipped = 0;
  let best: number | undefined;
  const total = s.search_mode === 'exhaustive' ? countShardExhaustive(strategies, inp.shard) : undefined;
  const filter = s.candidate_filter === null ? null : lowLatencyCandidateFilter;

  const report = (index: number, hash: string, score: number, wasSkipped: boolean): void => {
    if (best === undefined || (direction === 'maximize' ? score > best : score < best)) best = score;
    done++;
    inp.onExperiment?.({ index, hash, score, best, elapsedMs: now() - t0, done, total, skipped: wasSkipped });
  };

  const evalOnce: EvalOnce = async (strategy, params) => {
    const hash = strategyHash(strategy, params);
    if (state.done.has(hash)) {
      const stored = state.done.get(hash);
      if (stored === undefined) {
        throw new InputError(`Hash ${hash.slice(0, 8)} exists in ${inp.store.resolve('summary.json')} but has no 'score' field; ` +
          'rerun without --resume to rebuild the run folder.');
      }
      log.info(`[skip] already done: ${hash.slice(0, 8)}`);
      skipped++;
      report(state.doneIndex.get(hash) ?? -1, hash, num(stored), true);
      return num(stored);
    }
    if (signal.aborted) throw new SearchStop('aborted');
    if (inp.maxExperiments !== undefined && fresh >= inp.maxExperiments) throw new SearchStop('max-experiments');
    if (inp.timeBudgetMinutes !== undefined && now() - t0 >= inp.timeBudgetMinutes * 60_000) throw new SearchStop('time-budget');
    const score = await runOne(exp, hash, strategy, params);
    state.done.set(hash, pyFloat(score));
    state.doneIndex.set(hash, exp);
    report(exp, hash, score, false);
    exp++;
    fresh++;
    return score;
  };

  const runOne = async (index: number, hash: string, strategy: Strategy, params: SampledParams): Promise<number> => {
    const name = folderName(index);
    const where = `candidate ${name} (${inp.store.resolve(name)})`;
    const quant = buildQuantOptions({ strategy, params, target: inp.target, layerwise, successorsOf: (n) => inp.runner.successorsOf(n) });
    await inp.store.resetDir(name);
    const req: ExperimentRequest = { index, hash, strategy, params, quant, candidateDir: inp.store.resolve(name) };
    let art;
    try {
      art = await inp.runner.run(req, signal);
    } catch (e) {
      if (signal.aborted) throw new SearchStop('aborted');
      throw e;
    }
    const ev = validateEvaluation(await evaluator(req, art, signal), where);
    const values = strategyValues(strategy);
    await writeConfig(inp.store, index, values, params as PyDict, runtime);
    const record: RunRecord = {
      index, folder: folderLabel(inp.store, index), files: [...art.files], strategy: values, params: params as PyDict,
      score: pyFloat(ev.score), ...(ev.extras as Record<string, PyValue>),
    };
    // Summary first: a crash between the two writes leaves a one-row gap in Top-K, never a duplicate (ESP-PPQ order).
    await appendSummary(inp.store, state, { hash, ...record });
    await writeCandidates(inp.store, state, updateTopk(state.candidates, record, s.num_of_candidates, filter, direction));
    log.info(`[eval] ${name} score=${ev.score}`);
    return ev.score;
  };

  let stopped: AutoQuantResult['stopped'] = null;
  try {
    if (s.search_mode === 'exhaustive') await runExhaustive(strategies, evalOnce, inp.shard);
    else {
      await runFast(strategies, evalOnce, {
        topStrategy: s.top_strategy, earlyStopPatience: s.early_stop_patience, structuralKnobs: s.structural_knobs,
        direction, shard: inp.shard, logger: log,
      });
    }
  } catch (e) {
    if (!(e instanceof SearchStop)) throw e;
    stopped = e.reason;
    log.info(`AutoQuant stopped (${e.reason}); resume with --resume to continue.`);
  }
  log.info(`AutoQuant done. Experiments tried this run: ${fresh}`);
  return { candidates: state.candidates, direction, newExperiments: fresh, skipped, stopped };
}
