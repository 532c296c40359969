/**
 * The data of a search report, read from a run folder (ESP-PPQ's or ours) through a RunStore: Top-K candidates
 * with score, extras, a short strategy label and the full strategy, the latency model's estimate and what a board
 * measured (extras key espdl_autoquant), model size and files; every experiment's score and estimated latency,
 * with the Pareto front of the two; the best candidate's per-layer noise against the baseline quantization.
 */
import { deploymentCostOf, DEPLOYMENT_COST_KEY, type DeploymentCost } from '../autoquant/deployment-cost.js';
import { BASELINE_GRAPHWISE_FILE, folderName, GRAPHWISE_FILE, readRun, type RunStore } from '../autoquant/run-folder.js';
import { dumps, parsePyJson } from '../autoquant/py-json.js';
import { isPyDict, isPyNumber, num, pyShow, type PyDict, type PyValue } from '../autoquant/py-value.js';
import { RESERVED_EXTRA_KEYS } from '../autoquant/evaluator.js';
import { SCORE_DIRECTIONS, type ScoreDirection } from '../autoquant/settings.js';
import { lowLatencyCandidateFilter, type RunRecord } from '../autoquant/topk.js';
import { paretoFront } from './pareto.js';

export interface ReportCandidate {
  rank: number;
  index: number;
  folder: string;
  score: number;
  /** The evaluator's extras (ours, espdl_autoquant, is in `cost`). */
  extras: Record<string, PyValue>;
  /** e.g. "int8 · kl · weight_equalization(iterations=10, value_threshold=0.5) · mixed_precision(topk=1)". */
  strategy: string;
  /** The same in a few words for table cells, e.g. "int8 · kl · equalize · int16 top-1". */
  label: string;
  /** model.espdl size in bytes (undefined when the file is not in the folder). */
  modelBytes?: number;
  files: string[];
  /** ESP-PPQ low_latency_candidate_filter: no int16 promotion and no layer split. */
  lowLatency: boolean;
  /** Estimated (latency model) and measured (bench) latency and memory; undefined in ESP-PPQ's run folders. */
  cost?: DeploymentCost;
}

export interface ExperimentPoint {
  index: number;
  score: number;
  modelBytes?: number;
  lowLatency: boolean;
  inTopK: boolean;
  label: string;
  /** The latency model's estimate, ms / bytes. */
  estLatencyMs?: number;
  estRamBytes?: number;
  /** On the Pareto front of (estimated latency, score): no other experiment is as fast and better, or faster and as good. */
  pareto: boolean;
}

/** One computing layer's graph-wise noise/signal ratio in the best candidate and in the baseline quantization. */
export interface LayerNoise { layer: string; candidate: number; baseline?: number }

/** The base branch's latest result (the Action's baseline), when known. */
export interface BaseResult { branch: string; bestScore: number; estLatencyMs?: number; estRamBytes?: number }

export interface RunReport {
  runDir: string;
  /** From the best candidate's config.json (runtime.score_direction); undefined if unreadable. */
  direction?: ScoreDirection;
  target?: string;
  numExperiments: number;
  candidates: ReportCandidate[];
  experiments: ExperimentPoint[];
  /** The best candidate's per-layer noise (graph order) against ESP-PPQ's default int8 quantization, when recorded. */
  layerNoise?: { index: number; layers: LayerNoise[] };
  base?: BaseResult;
}

const HIDDEN_KNOBS = new Set(['collecting_device']);
/** espdl_setting() alignment (docs/esp-ppq.md §3.9): only knobs that differ from it are shown. */
const DEFAULT_ALIGN: Record<string, PyValue> = {
  elementwise_to: 'Align to Output', concat_to: 'Align to Output', avgpooling_to: 'None', resize_to: 'Align to Output', force_overlap: false,
};

/**
 * The parts of a strategy every label shows, in order: bits, calibration, then each module switched on as
 * `describe` words it (undefined leaves it out); the other two are ESP-PPQ's settings, not modules.
 */
function strategyParts(strategy: PyDict, params: PyDict, describe: (module: string, p: PyDict) => string | undefined): string {
  const parts: string[] = [];
  const bits = isPyDict(params.num_of_bits) ? params.num_of_bits.value : undefined;
  if (bits !== undefined) parts.push(`int${num(bits)}`);
  if (isPyDict(params.calib_algorithm)) parts.push(String(params.calib_algorithm.method));
  for (const [m, on] of Object.entries(strategy)) {
    if (on !== true || m === 'num_of_bits' || m === 'calib_algorithm') continue;
    const p = params[m];
    const part = describe(m, isPyDict(p) ? p : {});
    if (part !== undefined) parts.push(part);
  }
  return parts.join(' · ');
}

/** fusion_alignment with every knob at its default (or hidden) says nothing worth a label. */
const isDefaultAlignment = (m: string, p: PyDict): boolean =>
  m === 'fusion_alignment' && Object.entries(p).every(([k, v]) => HIDDEN_KNOBS.has(k) || DEFAULT_ALIGN[k] === v);

/** One-line summary of a record's strategy and params. */
export function strategySummary(strategy: PyDict, params: PyDict): string {
  return strategyParts(strategy, params, (m, p) => {
    if (isDefaultAlignment(m, p)) return undefined;
    const align = m === 'fusion_alignment';
    const knobs = Object.entries(p).filter(([k, v]) => !HIDDEN_KNOBS.has(k) && !(align && DEFAULT_ALIGN[k] === v))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v.replace(/^Align to /, '') : pyShow(v)}`);
    return knobs.length ? `${m}(${knobs.join(', ')})` : m;
  });
}

/** Module → a word or two for labels (the knobs are in the full strategy). */
const SHORT_NAMES: Record<string, string> = {
  weight_equalization: 'equalize', bias_correction: 'bias corr.', horizontal_layer_split: 'split', tqt: 'TQT',
  blockwise_reconstruction: 'blockwise', fusion_alignment: 'alignment',
};

/** A few words for a table cell: bits, calibration, then each module switched on (int16 / split with their top-k). */
export function strategyLabel(strategy: PyDict, params: PyDict): string {
  return strategyParts(strategy, params, (m, p) => {
    if (isDefaultAlignment(m, p)) return undefined;
    const topk = isPyNumber(p.topk) && num(p.topk) > 0 ? ` top-${num(p.topk)}` : '';
    if (m === 'mixed_precision') return `int16${topk}`;
    if (m === 'horizontal_layer_split') return `split${topk}`;
    return SHORT_NAMES[m] ?? m;
  });
}

function extrasOf(r: RunRecord): Record<string, PyValue> {
  return Object.fromEntries(Object.entries(r).filter(([k]) => !RESERVED_EXTRA_KEYS.includes(k) && k !== DEPLOYMENT_COST_KEY));
}

const strategyOf = (r: RunRecord): PyDict => (isPyDict(r.strategy) ? r.strategy : {});
const paramsOf = (r: RunRecord): PyDict => (isPyDict(r.params) ? r.params : {});

/** A per-layer noise file (`{layer: ratio}`), or undefined when missing or not that shape. */
async function readLayerNoise(store: RunStore, name: string): Promise<Map<string, number> | undefined> {
  const text = await store.readText(name);
  if (text === undefined) return undefined;
  try {
    const v = parsePyJson(text, store.resolve(name));
    if (!isPyDict(v)) return undefined;
    return new Map(Object.entries(v).filter(([, x]) => isPyNumber(x) && Number.isFinite(num(x))).map(([k, x]) => [k, num(x)]));
  } catch {
    return undefined;
  }
}

/** The best candidate's per-layer noise with the baseline's beside it (graph order of the candidate's file). */
async function layerNoiseOf(store: RunStore, index: number | undefined): Promise<RunReport['layerNoise']> {
  if (index === undefined) return undefined;
  const own = await readLayerNoise(store, `${folderName(index)}/${GRAPHWISE_FILE}`);
  if (!own || own.size === 0) return undefined;
  const base = await readLayerNoise(store, BASELINE_GRAPHWISE_FILE);
  return { index, layers: [...own].map(([layer, candidate]) => ({ layer, candidate, ...(base?.has(layer) ? { baseline: base.get(layer)! } : {}) })) };
}

async function modelBytes(store: RunStore, r: RunRecord): Promise<number | undefined> {
  const files = Array.isArray(r.files) ? r.files.map(String) : [];
  const espdl = files.find((f) => f.endsWith('.espdl')) ?? 'model.espdl';
  return store.fileSize(`${folderName(num(r.index))}/${espdl}`);
}

async function readDirection(store: RunStore, index: number): Promise<{ direction?: ScoreDirection; target?: string }> {
  const text = await store.readText(`${folderName(index)}/config.json`);
  if (text === undefined) return {};
  try {
    const c = parsePyJson(text);
    const rt = isPyDict(c) && isPyDict(c.runtime) ? c.runtime : {};
    const d = rt.score_direction;
    return { direction: (SCORE_DIRECTIONS as readonly unknown[]).includes(d) ? (d as ScoreDirection) : undefined, target: typeof rt.target === 'string' ? rt.target : undefined };
  } catch {
    return {};
  }
}

function experimentPoint(r: RunRecord, size: number | undefined, inTopK: boolean): Omit<ExperimentPoint, 'pareto'> {
  const est = deploymentCostOf(r)?.estimated;
  return {
    index: num(r.index), score: num(r.score), modelBytes: size, lowLatency: lowLatencyCandidateFilter(r), inTopK,
    label: strategyLabel(strategyOf(r), paramsOf(r)),
    ...(est ? { estLatencyMs: est.latency_ms, estRamBytes: est.ram_bytes } : {}),
  };
}

/** Reads a run folder into report data. */
export async function loadRunReport(store: RunStore): Promise<RunReport> {
  const { summary, candidates } = await readRun(store);
  const topIdx = new Set(candidates.map((c) => num(c.index)));
  const sizes = new Map<number, number | undefined>();
  for (const r of summary) sizes.set(num(r.index), await modelBytes(store, r));
  for (const r of candidates) if (!sizes.has(num(r.index))) sizes.set(num(r.index), await modelBytes(store, r));
  const meta = candidates.length ? await readDirection(store, num(candidates[0].index)) : {};
  const points = summary.filter((r) => Number.isFinite(num(r.score))).map((r) => experimentPoint(r, sizes.get(num(r.index)), topIdx.has(num(r.index))));
  const front = new Set(paretoFront(points.filter((p) => p.estLatencyMs !== undefined).map((p) => ({ id: p.index, cost: p.estLatencyMs!, score: p.score })),
    meta.direction ?? 'maximize'));
  const layerNoise = await layerNoiseOf(store, candidates.length ? num(candidates[0].index) : undefined);
  return {
    runDir: store.resolve(''), ...meta, numExperiments: summary.length,
    candidates: candidates.map((r, i) => {
      const cost = deploymentCostOf(r);
      return {
        rank: i + 1, index: num(r.index), folder: String(r.folder ?? ''), score: num(r.score), extras: extrasOf(r),
        strategy: strategySummary(strategyOf(r), paramsOf(r)), label: strategyLabel(strategyOf(r), paramsOf(r)),
        modelBytes: sizes.get(num(r.index)), files: Array.isArray(r.files) ? r.files.map(String) : [],
        lowLatency: lowLatencyCandidateFilter(r), ...(cost ? { cost } : {}),
      };
    }),
    experiments: points.map((p) => ({ ...p, pareto: front.has(p.index) })),
    ...(layerNoise ? { layerNoise } : {}),
  };
}

/** Compact number for tables: up to 6 significant digits. */
export function fmtScore(x: number): string {
  return Number.isInteger(x) ? String(x) : Number(x.toPrecision(6)).toString();
}

/** A noise/signal ratio with three significant digits. */
export function fmtRatio(x: number): string {
  return Number(x.toPrecision(3)).toString();
}

/** Bytes as "12.3 KB". */
export function fmtBytes(b: number | undefined): string {
  if (b === undefined) return '–';
  return b < 1024 ? `${b} B` : b < 1024 * 1024 ? `${(b / 1024).toFixed(1)} KB` : `${(b / 1024 / 1024).toFixed(2)} MB`;
}

/** Milliseconds with three significant digits ("0.371 ms", "12.4 ms", "327 ms"). */
export function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '–';
  return `${ms >= 100 ? ms.toFixed(0) : Number(ms.toPrecision(3)).toString()} ms`;
}

/**
 * What bench measured for a candidate, in a few words: a board's median latency and RAM, or for QEMU (advisory:
 * an emulator's timing is no latency) the on-device test only. Plain text; the renderers escape it.
 */
export function measuredText(cost: DeploymentCost | undefined): string {
  const m = cost?.measured;
  if (!m) return '–';
  if (m.status !== 'ok' && m.status !== 'test-failed') return `${m.source === 'qemu' ? 'QEMU: ' : ''}${m.status}`;
  const test = m.test === 'fail' ? ' · test failed' : m.test === 'pass' ? ' · test passed' : '';
  if (m.source === 'qemu') return `QEMU (advisory)${test}`;
  const ram = m.ram_bytes === undefined ? '' : ` · ${fmtBytes(m.ram_bytes)}`;
  return `${fmtMs(m.latency_ms)}${ram}${test}`;
}

/** The report as JSON (2-space indent; Python float repr for extras so `2.0` stays a float). */
export function renderJson(r: RunReport): string {
  return `${dumps(r as unknown as PyValue, { indent: 2 })}\n`;
}
