/**
 * Search-space expansion, a port of esp_ppq/autoquant/search.py (StrategyCompiler) and the sample iterators
 * of esp_ppq/autoquant/interface.py (_iter_param_combos, _split_param_candidates). Order is
 * itertools.product order everywhere: first key slowest, last key fastest.
 */
import { InputError } from '../errors.js';
import { floatRepr } from './py-json.js';
import { PyFloat, isPyInt, num, pyEquals, pyFloat, type PyDict, type PyValue } from './py-value.js';

/** ESP-PPQ's `(start, end, step)` tuple form of a knob (in YAML/JSON: `{range: [start, end, step]}`). */
export class ParamRange {
  constructor(readonly start: number | PyFloat, readonly end: number | PyFloat, readonly step: number | PyFloat) {}
}

/** A knob's candidates: a list used as-is, or a range. */
export type KnobSpec = PyValue[] | ParamRange;
/** module → switch candidates (insertion order = enumeration order). */
export type StrategySpace = Record<string, boolean[]>;
/** module → knob → candidates. */
export type ParamSpace = Record<string, Record<string, KnobSpec>>;

/** One module of an expanded strategy (ESP-PPQ `{"value": v, "param_candidates": [...] | None}`). */
export interface StrategyModule { value: boolean; paramCandidates: PyDict[] | null }
/** An expanded strategy: module → switch + its param samples. */
export type Strategy = Record<string, StrategyModule>;
/** One sample: module → knob values, or null when the module is off. */
export type SampledParams = Record<string, PyDict | null>;

/** Product of lists in order, last list fastest (itertools.product). */
export function* product<T>(lists: readonly (readonly T[])[]): Generator<T[]> {
  if (lists.some((l) => l.length === 0)) return;
  const idx = lists.map(() => 0);
  for (;;) {
    yield idx.map((i, k) => lists[k][i]);
    let k = lists.length - 1;
    while (k >= 0 && ++idx[k] === lists[k].length) idx[k--] = 0;
    if (k < 0) return;
  }
}

/** Decimal places of `str(v)` as Python's Decimal sees them (search.py::_range_round_digits). */
function decimalPlaces(v: number | PyFloat): number {
  if (isPyInt(v)) return 0;
  const m = /^-?(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(floatRepr(num(v)));
  if (!m) return 0;
  return Math.max(0, (m[2]?.length ?? 0) - Number(m[3] ?? 0));
}

/**
 * Expands `(start, end, step)`: `round(start + i*step, ndigits)` while `<= end + |step|*1e-12`,
 * ndigits = max(decimal places of start/end/step, 12). Ints stay ints when start and step are ints.
 * JS `toFixed` rounds exact binary ties away from zero where Python rounds half-even; such ties need a
 * value with more than 12 significant decimals ending in 5 exactly, which range inputs do not produce.
 */
export function expandRange(r: ParamRange, where: string): PyValue[] {
  const [start, end, step] = [num(r.start), num(r.end), num(r.step)];
  checkSpaceSize(rangeLength(r, where), `${where}: the range`);
  const intKind = isPyInt(r.start) && isPyInt(r.step);
  const ndigits = Math.max(decimalPlaces(r.start), decimalPlaces(r.end), decimalPlaces(r.step), 12);
  const tolerance = Math.abs(step) * 1e-12;
  const out: PyValue[] = [];
  for (let i = 0; ; i++) {
    const value = start + i * step;
    if (value > end + tolerance) break;
    out.push(intKind ? value : pyFloat(Number(value.toFixed(Math.min(ndigits, 100)))));
    if (out.length > MAX_SEARCH_SPACE) checkSpaceSize(out.length, `${where}: the range`);
  }
  return out;
}

/**
 * Largest number of values a knob, a module's parameter grid or a strategy list may have. Every such product is
 * computed before anything is allocated: two ranges of 10^6 values each are 10^12 samples, refused up front
 * instead of exhausting memory (fast mode also compares values pairwise). ESP-PPQ's own spaces have a few hundred.
 */
export const MAX_SEARCH_SPACE = 10_000;

/** Throws InputError when `count` (a product of list lengths) exceeds MAX_SEARCH_SPACE. */
export function checkSpaceSize(count: number, what: string): void {
  if (count > MAX_SEARCH_SPACE) {
    throw new InputError(`${what} has ${count > 1e15 ? count.toExponential(2) : count.toLocaleString('en-US')} combinations; at most ` +
      `${MAX_SEARCH_SPACE.toLocaleString('en-US')} are searched: use coarser steps or fewer values`);
  }
}

/** Number of values `expandRange` yields, computed without expanding (step must be positive). */
export function rangeLength(r: ParamRange, where: string): number {
  const [start, end, step] = [num(r.start), num(r.end), num(r.step)];
  if (!(step > 0)) throw new InputError(`${where}: step must be positive for a range, got step=${floatOrInt(r.step)}`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new InputError(`${where}: start and end must be finite numbers`);
  if (end + step * 1e-12 < start) return 0;
  return Math.floor((end + step * 1e-12 - start) / step) + 1;
}

/** Product of lengths, refused above MAX_SEARCH_SPACE (checked before any product is built). */
function boundedProduct(lengths: readonly number[], what: string): number {
  let n = 1;
  for (const l of lengths) n *= l;
  checkSpaceSize(n, what);
  return n;
}

function floatOrInt(v: number | PyFloat): string {
  return isPyInt(v) ? String(v) : floatRepr(num(v));
}

/** `_expand_param`: the module's param samples (`[{}]` when the module has no params). */
export function expandParam(paramSpace: ParamSpace, module: string): PyDict[] {
  const raw = paramSpace[module];
  if (raw === undefined) return [{}];
  const keys = Object.keys(raw);
  boundedProduct(keys.map((k) => {
    const v = raw[k];
    return v instanceof ParamRange ? rangeLength(v, `param_space.${module}.${k}`) : Array.isArray(v) ? v.length : 1;
  }), `param_space.${module}`);
  const dims = keys.map((k) => {
    const v = raw[k];
    if (Array.isArray(v)) return v;
    if (v instanceof ParamRange) return expandRange(v, `param_space.${module}.${k}`);
    throw new InputError(`param_space.${module}.${k}: unsupported format; must be a list or {range: [start, end, step]}`);
  });
  return [...product(dims)].map((combo) => Object.fromEntries(keys.map((k, i) => [k, combo[i]])) as PyDict);
}

/** StrategyCompiler.build(): every switch combination with its param samples. */
export function expandStrategies(strategySpace: StrategySpace, paramSpace: ParamSpace): Strategy[] {
  const keys = Object.keys(strategySpace);
  boundedProduct(keys.map((k) => strategySpace[k].length), 'strategy_space');
  const cache = new Map<string, PyDict[]>();
  const paramsOf = (k: string): PyDict[] => {
    if (!cache.has(k)) cache.set(k, expandParam(paramSpace, k));
    return cache.get(k)!;
  };
  return [...product(keys.map((k) => strategySpace[k]))].map((combo) => {
    const s: Strategy = {};
    keys.forEach((k, i) => {
      s[k] = combo[i] ? { value: combo[i], paramCandidates: paramsOf(k) } : { value: false, paramCandidates: null };
    });
    return s;
  });
}

function moduleSamples(m: StrategyModule): (PyDict | null)[] {
  return m.value ? (m.paramCandidates ?? []) : [null];
}

/** `_iter_param_combos`: every sample of one strategy (exhaustive order). */
export function* iterParamCombos(strategy: Strategy): Generator<SampledParams> {
  const keys = Object.keys(strategy);
  for (const combo of product(keys.map((k) => moduleSamples(strategy[k])))) {
    yield Object.fromEntries(keys.map((k, i) => [k, combo[i]]));
  }
}

/** Number of samples `iterParamCombos` yields. */
export function countParamCombos(strategy: Strategy): number {
  return Object.values(strategy).reduce((n, m) => n * moduleSamples(m).length, 1);
}

/** Total exhaustive experiments over all strategies. */
export function countExhaustive(strategies: readonly Strategy[]): number {
  return strategies.reduce((n, s) => n + countParamCombos(s), 0);
}

/** Which knobs fast mode sweeps in stage 1 (ESP-PPQ `structural_knobs`). */
export type StructuralKnobs = Record<string, string[]>;

interface KnobInfo { keys: string[]; values: Record<string, PyValue[]>; first: PyDict }

function gather(m: StrategyModule): KnobInfo | null {
  if (!m.value || !m.paramCandidates || m.paramCandidates.length === 0) return null;
  const first = m.paramCandidates[0];
  const keys = Object.keys(first);
  const values: Record<string, PyValue[]> = Object.fromEntries(keys.map((k) => [k, []]));
  for (const cand of m.paramCandidates) {
    for (const k of keys) if (!values[k].some((x) => pyEquals(x, cand[k]))) values[k].push(cand[k]);
  }
  return { keys, values, first };
}

/**
 * `_split_param_candidates`: the stage-1 structural grid (structural knobs swept, others at their first
 * value) and the stage-2 iterator (structural knobs pinned to `fixed`, others swept).
 */
export function splitParamCandidates(strategy: Strategy, structural: StructuralKnobs): {
  structuralGrid: SampledParams[]; knobIter: (fixed: SampledParams) => Generator<SampledParams>;
} {
  const keys = Object.keys(strategy);
  const infos = keys.map((k) => gather(strategy[k]));
  const isStruct = (module: string, knob: string): boolean => (structural[module] ?? []).includes(knob);
  const expand = (i: number, fixed: SampledParams | null): (PyDict | null)[] => {
    const info = infos[i];
    if (info === null) return [null];
    const module = keys[i];
    const sources = info.keys.map((k) => {
      if (fixed === null) return isStruct(module, k) ? info.values[k] : [info.first[k]];
      return isStruct(module, k) ? [(fixed[module] as PyDict)[k]] : info.values[k];
    });
    return [...product(sources)].map((c) => Object.fromEntries(info.keys.map((k, j) => [k, c[j]])) as PyDict);
  };
  const toSample = (combo: (PyDict | null)[]): SampledParams => Object.fromEntries(keys.map((k, i) => [k, combo[i]]));
  boundedProduct(keys.map((_, i) => {
    const info = infos[i];
    if (info === null) return 1;
    return info.keys.reduce((n, k) => n * (isStruct(keys[i], k) ? info.values[k].length : 1), 1);
  }), 'the structural grid of fast mode (structural_knobs)');
  const structuralGrid = [...product(keys.map((_, i) => expand(i, null)))].map(toSample);
  function* knobIter(fixed: SampledParams): Generator<SampledParams> {
    for (const combo of product(keys.map((_, i) => expand(i, fixed)))) yield toSample(combo);
  }
  return { structuralGrid, knobIter };
}

/** Python `==` between two samples (used to skip the stage-1 sample in stage 2). */
export function samplesEqual(a: SampledParams, b: SampledParams): boolean {
  return pyEquals(a as PyValue, b as PyValue);
}

