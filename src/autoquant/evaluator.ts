/**
 * Evaluator result validation and the default evaluator, ported from esp_ppq/autoquant/interface.py
 * (espdl_auto_quantize_onnx: default `evaluate_fn` and the checks in `_eval_once`).
 */
import { InputError } from '../errors.js';
import { DEPLOYMENT_COST_KEY } from './deployment-cost.js';
import { isPyDict, isPyNumber, num, pyFloat, type PyValue } from './py-value.js';
import type { Evaluation, Evaluator } from './runner.js';

/** Keys AutoQuant owns in a record; extras must not use them (_RESERVED_EXTRA_KEYS). */
export const RESERVED_EXTRA_KEYS: readonly string[] = ['score', 'hash', 'index', 'folder', 'files', 'strategy', 'params'];

/** How many of the largest graph-wise ratios the default score averages (`_default_top_n`). */
export const DEFAULT_TOP_N = 3;

/**
 * Validates an evaluator result `{score, extras}` (the TS form of ESP-PPQ's `(score, extras)` tuple):
 * score a finite number (not a boolean), extras a plain object without reserved keys. `where` names the
 * candidate (e.g. "candidate 0003 (runs/x/0003)"). Errors abort the search, as in ESP-PPQ.
 */
export function validateEvaluation(raw: unknown, where: string): Evaluation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !('score' in raw)) {
    throw new InputError(`${where}: the evaluator must return {score, extras}, got ${describe(raw)}`);
  }
  const { score, extras = {} } = raw as { score: unknown; extras?: unknown };
  if (typeof score === 'boolean' || !(typeof score === 'number' || isPyNumber(score))) {
    throw new InputError(`${where}: the evaluator's score must be a real number, got ${describe(score)}`);
  }
  if (!isPyDict(extras)) throw new InputError(`${where}: the evaluator's extras must be an object, got ${describe(extras)}`);
  const reserved = Object.keys(extras).filter((k) => RESERVED_EXTRA_KEYS.includes(k)).sort();
  if (reserved.length > 0) {
    throw new InputError(`${where}: the evaluator's extras must not contain reserved keys [${reserved.join(', ')}]; ` +
      `reserved key set is [${[...RESERVED_EXTRA_KEYS].sort().join(', ')}]`);
  }
  if (DEPLOYMENT_COST_KEY in extras) {
    throw new InputError(`${where}: the evaluator's extras must not contain '${DEPLOYMENT_COST_KEY}': espdl-autoquant records the ` +
      'candidate\'s estimated and measured latency and memory under that key');
  }
  const s = num(score as PyValue);
  if (!Number.isFinite(s)) {
    throw new InputError(`${where}: the evaluator's score must be finite, got ${s}; AutoQuant cannot rank nan/inf scores`);
  }
  return { score: s, extras: extras as Record<string, PyValue> };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/**
 * ESP-PPQ's default evaluator: mean of the 3 largest graph-wise noise/signal ratios (lower is better; the
 * search forces 'minimize'). Extras: topn_mean_error, topn_used, num_layers.
 */
export const defaultEvaluator: Evaluator = async (req, art) => {
  const errors = Object.values(art.graphwise ?? {});
  if (errors.length === 0) {
    throw new InputError(`candidate ${String(req.index).padStart(4, '0')}: default evaluator: the graph-wise analysis ` +
      'returned no layers (no quantized computing op); provide --evaluate/--evaluate-command or check the model');
  }
  const top = [...errors].sort((a, b) => b - a).slice(0, DEFAULT_TOP_N);
  const avg = top.reduce((a, b) => a + b, 0) / top.length;
  return { score: avg, extras: { topn_mean_error: pyFloat(avg), topn_used: top.length, num_layers: errors.length } };
};
