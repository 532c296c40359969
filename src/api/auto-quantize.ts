/**
 * `espdlAutoQuantizeOnnx` ≈ ESP-PPQ's espdl_auto_quantize_onnx, with an `AutoQuantSearchSetting` carrying its
 * field names and defaults (docs/esp-ppq.md §1.2), so `setting.strategy_space['mixed_precision'] = [true, false]`
 * works as in ESP-PPQ's samples. Integral JS numbers in a param space you edit count as Python ints for the
 * candidate hash; use `pyFloat(x)` (exported here) where ESP-PPQ's literal is a float such as `0.0`.
 */
import { runSearch } from '../app/search.js';
import { evaluateContext, type EvaluateContext } from '../autoquant/evaluate-context.js';
import { pyFloat, toPlain } from '../autoquant/py-value.js';
import type { Evaluator } from '../autoquant/runner.js';
import { loadSettings, type AutoQuantSettings, type ScoreDirection } from '../autoquant/settings.js';
import { espdlDefaultSpace } from '../autoquant/spaces.js';
import { nullLogger } from '../log.js';
import { realRunnerFactory } from '../node/search-runner-factory.js';
import { parseTarget } from '../quant/targets.js';
import type { OnnxFileParams } from './quantize.js';

export { pyFloat };

/** ESP-PPQ's AutoQuantSearchSetting: same field names, same defaults (the full `espdl-default` space). */
export class AutoQuantSearchSetting {
  num_of_candidates = 5;
  search_mode: 'exhaustive' | 'fast' = 'exhaustive';
  /** 'low_latency' = ESP-PPQ's low_latency_candidate_filter (balanced Top-K); null = plain Top-K. */
  candidate_filter: 'low_latency' | null = 'low_latency';
  score_direction: ScoreDirection = 'maximize';
  run_dir = 'outputs/auto_quant';
  resume = false;
  top_strategy = 10;
  early_stop_patience = 3;
  structural_knobs: Record<string, string[]> = { calib_algorithm: ['method'], num_of_bits: ['value'] };
  strategy_space = espdlDefaultSpace().strategy_space;
  param_space = espdlDefaultSpace().param_space;

  constructor(init: Partial<Omit<AutoQuantSearchSetting, 'strategy_space' | 'param_space'>> = {}) {
    Object.assign(this, init);
  }
}

/** The candidate handed to `evaluateFn` (ESP-PPQ passes its quantized BaseGraph; we pass the candidate's files and a runner). */
export type EvaluateFn = (candidate: EvaluateContext) => Promise<unknown> | unknown;

export interface EspdlAutoQuantizeOnnxParams extends OnnxFileParams {
  /** Input shape WITHOUT the batch dim, as ESP-PPQ's AutoQuant takes it (e.g. [3, 224, 224]). */
  inputShape?: number[];
  /** Returns [score, extras] or {score, extras}; omitted = ESP-PPQ's default evaluator (top-3 graph-wise, minimized). */
  evaluateFn?: EvaluateFn;
  target?: string;
  setting?: AutoQuantSearchSetting;
  batchSize?: number;
}

function toEvaluator(fn: EvaluateFn): Evaluator {
  return async (req, art, signal) => {
    const r = await fn(evaluateContext(req, art, signal));
    // ESP-PPQ's evaluate_fn returns a 2-tuple; validateEvaluation then checks score and extras.
    return Array.isArray(r) && r.length === 2 ? { score: r[0], extras: r[1] } : r;
  };
}

/** ESP-PPQ's setting object as validated search settings (scalars checked like a settings file; spaces taken as given). */
function searchSettings(setting: AutoQuantSearchSetting): AutoQuantSettings {
  const base = loadSettings(undefined, 'AutoQuantSearchSetting', {
    space: 'espdl-default', num_of_candidates: setting.num_of_candidates, search_mode: setting.search_mode,
    score_direction: setting.score_direction, run_dir: setting.run_dir, resume: setting.resume,
    top_strategy: setting.top_strategy, early_stop_patience: setting.early_stop_patience,
  });
  return {
    ...base, candidate_filter: setting.candidate_filter, structural_knobs: setting.structural_knobs,
    strategy_space: setting.strategy_space, param_space: setting.param_space,
  };
}

/** Runs the search and returns the Top-K records (candidates.json, as plain JSON data), best first. */
export async function espdlAutoQuantizeOnnx(p: EspdlAutoQuantizeOnnxParams): Promise<Record<string, unknown>[]> {
  const result = await runSearch({
    model: p.onnxImportFile, calib: p.calibDataloader, target: parseTarget(p.target ?? 'esp32p4'),
    settings: searchSettings(p.setting ?? new AutoQuantSearchSetting()), espdlExportFile: p.espdlExportFile,
    ...(p.evaluateFn ? { evaluator: { evaluate: toEvaluator(p.evaluateFn) } } : {}),
    calibSteps: p.calibSteps, batchSize: p.batchSize ?? 8, ...(p.inputShape ? { inputShape: p.inputShape } : {}),
    ...(p.inputValues ? { inputValues: p.inputValues } : {}),
    cwd: process.cwd(), env: process.env, logger: p.logger ?? nullLogger, signal: p.signal ?? new AbortController().signal,
  }, realRunnerFactory);
  return result.candidates.map((r) => toPlain(r) as Record<string, unknown>);
}
