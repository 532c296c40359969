/**
 * AutoQuantSearchSetting (esp_ppq/autoquant/setting.py) as a config file: the same field names and defaults,
 * validated with zod, loaded from YAML or JSON text (the yaml package reads both) plus CLI overrides.
 *
 * File rules (documented for users):
 * - `space: quick | espdl-default` picks the base space (default `quick`, ours; `espdl-default` = ESP-PPQ's).
 * - `strategy_space` / `param_space` MERGE into the base space, like Python users editing one entry
 *   (`setting.strategy_space["mixed_precision"] = [True, False]`): a module's switch list replaces the base's;
 *   knobs replace per knob; module order stays the base order (new modules are not allowed).
 * - A knob is a list (used as-is) or `{range: [start, end, step]}` (ESP-PPQ's `(start, end, step)` tuple).
 *   A bare 3-element list is always a list.
 * - Numbers keep their source kind: `2` is an int, `2.0` / `1e-5` are floats (this changes the hash).
 * - `candidate_filter`: `low_latency` (default, ESP-PPQ's low_latency_candidate_filter) or `none`.
 * - `deployment_cost` (ours): what the balanced Top-K counts as costly — `flags` (default: ESP-PPQ's int16
 *   promotion / layer split) or `estimated_latency` (the latency model's estimate, within `latency_tolerance`
 *   of the fastest candidate counts as fast).
 */
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { PyFloat, isPyDict, isPyInt, isPyNumber, num, pyEquals, pyFloat, pyShow, type PyDict, type PyValue } from './py-value.js';
import { DEFAULT_LATENCY_TOLERANCE, DEPLOYMENT_COST_RULES, type DeploymentCostRule, type TopkBalance } from './deployment-cost.js';
import { ParamRange, type KnobSpec, type ParamSpace, type StrategySpace, type StructuralKnobs } from './space.js';
import { KNOBS, MODULES, SPACES, type ModuleName, type SpaceName } from './spaces.js';

export type SearchMode = 'exhaustive' | 'fast';
/** Whether a higher or a lower score is better (the one definition every layer uses). */
export const SCORE_DIRECTIONS = ['maximize', 'minimize'] as const;
export type ScoreDirection = (typeof SCORE_DIRECTIONS)[number];

/** The validated setting (field names and defaults as ESP-PPQ's AutoQuantSearchSetting). */
export interface AutoQuantSettings {
  /** Base space the file's spaces merge into. Default 'quick'. */
  space: SpaceName;
  /** K of the Top-K (>= 1). Default 5. */
  num_of_candidates: number;
  /** Default 'exhaustive'. */
  search_mode: SearchMode;
  /** 'low_latency' balances Top-K between cheap and costly strategies (docs/esp-ppq.md §1.9); null = plain Top-K. */
  candidate_filter: 'low_latency' | null;
  /** Default 'maximize' (forced to 'minimize' with the default evaluator). */
  score_direction: ScoreDirection;
  /** Default 'outputs/auto_quant'. */
  run_dir: string;
  /** Default false. */
  resume: boolean;
  /** Fast mode: strategies kept after stage 1. Default 10. */
  top_strategy: number;
  /** Fast mode: stage-2 patience. Default 3. */
  early_stop_patience: number;
  /** Fast mode: knobs swept in stage 1. Default {calib_algorithm: [method], num_of_bits: [value]}. */
  structural_knobs: StructuralKnobs;
  strategy_space: StrategySpace;
  param_space: ParamSpace;
  /**
   * Ours (not in ESP-PPQ): after the search, re-run the best candidate with these gradient-trained modules
   * switched on (their first param_space values). Default ['tqt'] in the `quick` space, [] in `espdl-default`.
   */
  refine_with: RefineModule[];
  /** Ours: skip a refinement whose estimated training time exceeds this many minutes. Default 10. */
  refine_max_minutes: number;
  /**
   * Ours: what the balanced Top-K (`candidate_filter: low_latency`) counts as costly to deploy. 'flags' (default)
   * is ESP-PPQ's rule (int16 promotion or layer split); 'estimated_latency' uses the latency model's estimate.
   */
  deployment_cost: DeploymentCostRule;
  /** Ours: with 'estimated_latency', within this fraction of the fastest estimate counts as fast. Default 0.05. */
  latency_tolerance: number;
}

/** Modules a refinement can switch on. */
export type RefineModule = 'tqt' | 'blockwise_reconstruction';

/**
 * Fields a CLI flag or an Action input may override (raw values, validated like file values). `num_of_bits`
 * (ours) replaces `param_space.num_of_bits.value` with `[bits]`, exactly as if the file said so.
 */
export type SettingsOverrides = Partial<Pick<AutoQuantSettings,
  'space' | 'num_of_candidates' | 'search_mode' | 'score_direction' | 'run_dir' | 'resume' | 'top_strategy' |
  'early_stop_patience' | 'refine_max_minutes' | 'deployment_cost'>> & { refine_with?: RefineModule[]; num_of_bits?: 8 | 16 };

const intLike = z.preprocess((v) => (v instanceof PyFloat ? v.value : v), z.number().int());
const rawSchema = z.object({
  space: z.enum(['quick', 'espdl-default']).default('quick'),
  num_of_candidates: intLike.pipe(z.number().min(1, 'must be >= 1')).default(5),
  search_mode: z.enum(['exhaustive', 'fast']).default('exhaustive'),
  candidate_filter: z.enum(['low_latency', 'none']).nullable().default('low_latency'),
  score_direction: z.enum(SCORE_DIRECTIONS).default('maximize'),
  run_dir: z.string().min(1).default('outputs/auto_quant'),
  resume: z.boolean().default(false),
  top_strategy: intLike.default(10),
  early_stop_patience: intLike.default(3),
  structural_knobs: z.record(z.string(), z.array(z.string())).default({ calib_algorithm: ['method'], num_of_bits: ['value'] }),
  strategy_space: z.record(z.string(), z.array(z.boolean())).default({}),
  param_space: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  refine_with: z.array(z.enum(['tqt', 'blockwise_reconstruction'])).optional(),
  refine_max_minutes: z.preprocess((v) => (v instanceof PyFloat ? v.value : v), z.number().min(0)).default(10),
  deployment_cost: z.enum(DEPLOYMENT_COST_RULES).default('flags'),
  latency_tolerance: z.preprocess((v) => (v instanceof PyFloat ? v.value : v), z.number().min(0).max(10)).default(DEFAULT_LATENCY_TOLERANCE),
}).strict();

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || '(top level)';
}

/** Converts a YAML node to PyValues, keeping each number token's int/float kind. */
function toPy(node: YamlNode | null | undefined, source: string): PyValue {
  if (node == null) return null;
  if (isMap(node)) {
    const out: PyDict = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      out[key] = toPy(pair.value as YamlNode, source);
    }
    return out;
  }
  if (isSeq(node)) return node.items.map((x) => toPy(x as YamlNode, source));
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'number') {
      const src = (node.source ?? String(v)).trim();
      return /^[-+]?(0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)$/.test(src) ? v : pyFloat(v);
    }
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  }
  throw new InputError(`${source}: unsupported YAML value ${String(node)}`);
}

/** Parses settings text (YAML or JSON) into the raw PyValue object (no validation). */
export function parseSettingsText(text: string, source: string): PyDict {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new InputError(`${source}: ${doc.errors[0].message}`);
  const v = toPy(doc.contents as YamlNode, source);
  if (v === null) return {};
  if (!isPyDict(v)) throw new InputError(`${source}: the settings file must be a mapping of fields`);
  return v;
}

/**
 * Loads settings: file text (YAML/JSON; omit for defaults) + CLI overrides (applied over the file).
 * Errors name the file and the field path, e.g. `autoquant.yml: param_space.bias_correction.topk[1]: …`.
 */
/** Settings files larger than this are refused before being read (a settings file is a few KB). */
export const MAX_SETTINGS_BYTES = 4 << 20;

export function loadSettings(text: string | undefined, source = 'settings', overrides: SettingsOverrides = {}): AutoQuantSettings {
  const raw: Record<string, unknown> = { ...(text === undefined ? {} : parseSettingsText(text, source)) };
  const { num_of_bits: bits, ...fields } = overrides;
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) raw[k] = v;
  if (bits !== undefined) raw.param_space = withBits(raw.param_space, bits);
  const r = rawSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    const path = i.code === 'unrecognized_keys' ? i.keys.join(', ') : formatPath(i.path);
    throw new InputError(`${source}: ${path}: ${i.message}`);
  }
  const base = SPACES[r.data.space]();
  return {
    ...r.data,
    candidate_filter: r.data.candidate_filter === 'none' ? null : r.data.candidate_filter,
    strategy_space: mergeStrategySpace(base.strategy_space, r.data.strategy_space, source),
    param_space: mergeParamSpace(base.param_space, r.data.param_space as Record<string, PyDict>, source),
    refine_with: r.data.refine_with ?? (r.data.space === 'quick' ? ['tqt'] : []),
  } satisfies AutoQuantSettings;
}

/** `param_space` with `num_of_bits.value: [bits]` (other modules and knobs untouched). */
function withBits(paramSpace: unknown, bits: 8 | 16): unknown {
  if (paramSpace !== undefined && paramSpace !== null && !isPyDict(paramSpace)) return paramSpace; // zod names the error
  const ps = isPyDict(paramSpace) ? paramSpace : {};
  const nb = isPyDict(ps.num_of_bits) ? ps.num_of_bits : {};
  return { ...ps, num_of_bits: { ...nb, value: [bits] } };
}

function checkModule(name: string, where: string, source: string): asserts name is ModuleName {
  if (!(MODULES as readonly string[]).includes(name)) {
    throw new InputError(`${source}: ${where}.${name}: unknown module (known: ${MODULES.join(', ')})`);
  }
}

function mergeStrategySpace(base: StrategySpace, user: Record<string, boolean[]>, source: string): StrategySpace {
  const out: StrategySpace = { ...base };
  for (const [m, v] of Object.entries(user)) {
    checkModule(m, 'strategy_space', source);
    if (v.length === 0) throw new InputError(`${source}: strategy_space.${m}: needs at least one of true/false`);
    out[m] = v;
  }
  return out;
}

function mergeParamSpace(base: ParamSpace, user: Record<string, PyDict>, source: string): ParamSpace {
  const out: ParamSpace = Object.fromEntries(Object.entries(base).map(([m, k]) => [m, { ...k }]));
  for (const [m, knobs] of Object.entries(user)) {
    checkModule(m, 'param_space', source);
    for (const [k, v] of Object.entries(knobs)) {
      const where = `param_space.${m}.${k}`;
      if (!(k in KNOBS[m])) {
        throw new InputError(`${source}: ${where}: unknown knob (known: ${Object.keys(KNOBS[m]).join(', ')})`);
      }
      out[m][k] = toKnobSpec(v, `${source}: ${where}`);
    }
  }
  for (const m of MODULES) for (const [k, spec] of Object.entries(out[m] ?? {})) checkKnobValues(m, k, spec, source);
  return out;
}

function toKnobSpec(v: PyValue, where: string): KnobSpec {
  if (Array.isArray(v)) return v;
  if (isPyDict(v) && Object.keys(v).length === 1 && Array.isArray(v.range) && v.range.length === 3) {
    const [a, b, c] = v.range;
    if (!isPyNumber(a) || !isPyNumber(b) || !isPyNumber(c)) throw new InputError(`${where}.range: start, end and step must be numbers`);
    return new ParamRange(a, b, c);
  }
  throw new InputError(`${where}: unsupported format ${pyShow(v)}; must be a list or {range: [start, end, step]}`);
}

function kindOk(kind: (typeof KNOBS)[ModuleName][string]['kind'], v: PyValue): boolean {
  if (kind === 'int') return isPyInt(v);
  if (kind === 'real') return isPyNumber(v);
  if (kind === 'bool') return typeof v === 'boolean';
  if (kind === 'string') return typeof v === 'string';
  return kind.some((x) => pyEquals(x, v) && typeof x === typeof (v instanceof PyFloat ? 0 : v));
}

function checkKnobValues(m: ModuleName, k: string, spec: KnobSpec, source: string): void {
  const def = KNOBS[m][k];
  if (def === undefined) throw new InputError(`${source}: param_space.${m}.${k}: unknown knob`);
  const values = spec instanceof ParamRange ? [spec.start, spec.end] : spec;
  values.forEach((v, i) => {
    const where = `${source}: param_space.${m}.${k}${spec instanceof ParamRange ? '.range' : ''}[${i}]`;
    if (!kindOk(def.kind, v)) {
      const want = Array.isArray(def.kind) ? `one of ${def.kind.map(pyShow).join(', ')}` : `a${def.kind === 'int' ? 'n' : ''} ${def.kind}`;
      throw new InputError(`${where}: ${pyShow(v)} is not ${want}`);
    }
    if (k === 'topk') checkTopkValue(m, num(v), where);
  });
}

/** quantize.py::_check_topk rules, checked up front so a bad value fails before any experiment runs. */
function checkTopkValue(m: ModuleName, topk: number, where: string): void {
  const allowAll = m === 'bias_correction' || m === 'tqt' || m === 'blockwise_reconstruction';
  if (topk === -1 && allowAll) return;
  if (topk <= 0) throw new InputError(`${where}: ${m}.topk must be ${allowAll ? '-1 or ' : ''}> 0, got ${topk}`);
}

/** How the search balances its Top-K: null for plain Top-K (`candidate_filter: none`). */
export function topkBalanceOf(s: Pick<AutoQuantSettings, 'candidate_filter' | 'deployment_cost' | 'latency_tolerance'>): TopkBalance | null {
  return s.candidate_filter === null ? null : { cost: s.deployment_cost, latencyTolerance: s.latency_tolerance };
}

/** True when any switch of `module` can be on. */
export function canEnable(s: Pick<AutoQuantSettings, 'strategy_space'>, module: string): boolean {
  return (s.strategy_space[module] ?? []).includes(true);
}

/**
 * Rejects spaces that need passes we cannot run yet (tqt, blockwise_reconstruction). `--dry-run` skips this
 * so users can still list those experiments.
 */
/** Is `score` strictly better than `than` in `direction`? (Ties keep the earlier, as ESP-PPQ's Top-K.) */
export function isBetter(score: number, than: number, direction: ScoreDirection): boolean {
  return direction === 'maximize' ? score > than : score < than;
}

/** `effective_score_direction`: the default evaluator always minimizes (interface.py). */
export function effectiveDirection(s: AutoQuantSettings, customEvaluator: boolean): ScoreDirection {
  return customEvaluator ? s.score_direction : 'minimize';
}

