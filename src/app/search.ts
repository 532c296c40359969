/**
 * The search use case (ESP-PPQ's espdl_auto_quantize_onnx over files): the settings file with overrides, the
 * evaluator, the quantization engine and the run folder, then one AutoQuant run. The CLI `search`, the
 * Action's mode search, the demo and the library's espdlAutoQuantizeOnnx call it; each shell only turns its
 * flags, inputs or parameters into a SearchRequest and formats the SearchResult (no shell runs another shell).
 */
import path from 'node:path';
import { autoQuantize, type AutoQuantResult, type ExperimentProgress } from '../autoquant/auto-quantize.js';
import type { Evaluator, ExperimentRunnerFactory, ExperimentRunnerSpec } from '../autoquant/runner.js';
import type { RunRecord } from '../autoquant/topk.js';
import type { Shard } from '../autoquant/search.js';
import type { TopkBalance } from '../autoquant/deployment-cost.js';
import { loadSettings, MAX_SETTINGS_BYTES, topkBalanceOf, type AutoQuantSettings, type ScoreDirection, type SettingsOverrides } from '../autoquant/settings.js';
import type { Logger } from '../log.js';
import { withCostEstimates } from './candidate-cost.js';
import { commandEvaluator, moduleEvaluator } from '../node/evaluators.js';
import { readInputText } from '../node/safe-paths.js';
import type { CalibrationData } from '../node/open-inputs.js';
import { fsRunStore } from '../node/run-folder.js';
import type { Target } from '../quant/types.js';
import { loadRunReport, type RunReport } from '../report/run-report.js';

/** Calibration batches per quantization (ESP-PPQ's samples use calib_steps 32). */
export const DEFAULT_CALIB_STEPS = 32;
/** Samples per calibration batch. */
export const DEFAULT_BATCH_SIZE = 8;

/**
 * A user evaluator: a JS module (`export default async function evaluate(ctx)`), a shell command, or (library
 * API) a function.
 */
export type EvaluatorSpec = { module: string } | { command: string } | { evaluate: Evaluator };

export interface SearchSettingsRequest {
  /** Settings file (YAML or JSON, ESP-PPQ field names), relative to `cwd`; undefined: the defaults. */
  config?: string;
  /** Applied over the file (the shells' flags and inputs). */
  overrides?: SettingsOverrides;
  cwd: string;
}

export interface SearchRequest extends SearchSettingsRequest {
  /** The ONNX model as the user wrote it (recorded in each config.json), relative to `cwd`. */
  model: string;
  /** Calibration data: a path (.npy, .npz or a folder of .npy) relative to `cwd`, a DataSource or a loader. */
  calib: CalibrationData;
  target: Target;
  /** Settings already built (library API); when given, `config` and `overrides` are not used. */
  settings?: AutoQuantSettings;
  /** Recorded in each config.json; its basename names every candidate's model. Default `<run folder>/model.espdl`. */
  espdlExportFile?: string;
  /** Omitted: ESP-PPQ's default evaluator (graph-wise top-3 noise, minimized). */
  evaluator?: EvaluatorSpec;
  /** Stop after this many new experiments (the run folder stays resumable). */
  maxExperiments?: number;
  /** Do not start a new experiment after this many minutes. */
  timeBudgetMinutes?: number;
  shard?: Shard;
  /** Calibration batches per quantization (default 32) and samples per batch (default 8). */
  calibSteps?: number;
  batchSize?: number;
  /** Fixes dynamic input dims (parseInputShapes). */
  inputShape?: ExperimentRunnerSpec['inputShape'];
  /** Inputs frozen to a constant (parseInputValues). */
  inputValues?: ExperimentRunnerSpec['inputValues'];
  /** Environment of an evaluate command. */
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  signal: AbortSignal;
  /**
   * Called after each experiment (run or skipped): the shells' progress lines. With it, the search's own info
   * lines go to debug (the progress replaces them).
   */
  onExperiment?: (p: ExperimentProgress) => void;
}

export interface SearchResult {
  newExperiments: number;
  skipped: number;
  /** Why the search ended early; null when the space (or shard) was covered. */
  stopped: AutoQuantResult['stopped'];
  /** The run folder's ranking direction: the best candidate's recorded one, else this run's (default evaluator: minimize). */
  direction: ScoreDirection;
  /** K of the Top-K. */
  numOfCandidates: number;
  /** The balanced Top-K rule (ESP-PPQ's low-latency selection, by its flags or by estimated latency); null = plain Top-K. */
  balance: TopkBalance | null;
  /** Absolute run folder. */
  runDir: string;
  /** candidates.json at the end (best first). */
  candidates: RunRecord[];
  /** The run folder as the report renderers read it (Top-K, every experiment). */
  report: RunReport;
}

/** The settings of a search: the file (if any) with the overrides applied. */
export async function loadSearchSettings(req: SearchSettingsRequest): Promise<AutoQuantSettings> {
  const text = req.config === undefined ? undefined : await readInputText({ file: path.resolve(req.cwd, req.config), what: 'settings file', shown: req.config }, { maxBytes: MAX_SETTINGS_BYTES });
  return loadSettings(text, req.config ?? 'settings', req.overrides ?? {});
}

async function evaluatorFor(req: SearchRequest): Promise<Evaluator | undefined> {
  const spec = req.evaluator;
  if (spec === undefined) return undefined;
  if ('evaluate' in spec) return spec.evaluate;
  if ('command' in spec) return commandEvaluator(spec.command, { cwd: req.cwd, env: req.env, logger: req.logger });
  return moduleEvaluator(spec.module, req.cwd);
}

/** The per-experiment progress replaces the search's own info lines, which go to debug. */
function progressOnly(log: Logger): Logger {
  return { debug: (m) => log.debug(m), info: (m) => log.debug(m), warn: (m) => log.warn(m) };
}

const resolveData = (d: CalibrationData, cwd: string): CalibrationData => (typeof d === 'string' ? path.resolve(cwd, d) : d);

/** Runs (or resumes) a search; `makeRunner` is the quantization engine (src/node/search-runner-factory.ts). */
export async function runSearch(req: SearchRequest, makeRunner: ExperimentRunnerFactory): Promise<SearchResult> {
  const settings = req.settings ?? await loadSearchSettings(req);
  const evaluator = await evaluatorFor(req);
  const store = fsRunStore(settings.run_dir, req.cwd);
  const espdlExportFile = req.espdlExportFile ?? `${store.label}/model.espdl`;
  const engine = await makeRunner({
    modelPath: path.resolve(req.cwd, req.model), calib: resolveData(req.calib, req.cwd), target: req.target,
    calibSteps: req.calibSteps ?? DEFAULT_CALIB_STEPS, batchSize: req.batchSize ?? DEFAULT_BATCH_SIZE, logger: req.logger,
    espdlName: path.basename(espdlExportFile), ...(req.inputShape ? { inputShape: req.inputShape } : {}),
    ...(req.inputValues ? { inputValues: req.inputValues } : {}),
  });
  const runner = withCostEstimates(engine, req.target, req.logger);
  const res = await autoQuantize({
    settings, target: req.target, runner, evaluator, store, onnxImportFile: req.model, espdlExportFile,
    logger: req.onExperiment ? progressOnly(req.logger) : req.logger, signal: req.signal,
    maxExperiments: req.maxExperiments, timeBudgetMinutes: req.timeBudgetMinutes, shard: req.shard,
    ...(req.onExperiment ? { onExperiment: req.onExperiment } : {}),
  }).finally(() => engine.close?.());
  const report = await loadRunReport(store);
  return {
    newExperiments: res.newExperiments, skipped: res.skipped, stopped: res.stopped, direction: report.direction ?? res.direction,
    numOfCandidates: settings.num_of_candidates, balance: topkBalanceOf(settings), runDir: store.resolve(''),
    candidates: res.candidates, report,
  };
}
