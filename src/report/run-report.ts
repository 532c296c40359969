/**
 * The data of a search report, read from a run folder (ESP-PPQ's or ours) through a RunStore:
 * Top-K candidates with score, extras, a one-line strategy summary, model size and files, plus every
 * experiment's (score, size) for the score-vs-cost chart.
 */
import { folderName, readRun, type RunStore } from '../autoquant/run-folder.js';
import { dumps, parsePyJson } from '../autoquant/py-json.js';
import { isPyDict, num, pyShow, type PyDict, type PyValue } from '../autoquant/py-value.js';
import { RESERVED_EXTRA_KEYS } from '../autoquant/evaluator.js';
import { SCORE_DIRECTIONS, type ScoreDirection } from '../autoquant/settings.js';
import { lowLatencyCandidateFilter, type RunRecord } from '../autoquant/topk.js';

export interface ReportCandidate {
  rank: number;
  index: number;
  folder: string;
  score: number;
  extras: Record<string, PyValue>;
  /** e.g. "int8 · kl · weight_equalization(iterations=10, value_threshold=0.5) · mixed_precision(topk=1)". */
  strategy: string;
  /** model.espdl size in bytes (undefined when the file is not in the folder). */
  modelBytes?: number;
  files: string[];
  /** ESP-PPQ low_latency_candidate_filter: no int16 promotion and no layer split. */
  lowLatency: boolean;
}

export interface ExperimentPoint { index: number; score: number; modelBytes?: number; lowLatency: boolean; inTopK: boolean }

export interface RunReport {
  runDir: string;
  /** From the best candidate's config.json (runtime.score_direction); undefined if unreadable. */
  direction?: ScoreDirection;
  target?: string;
  numExperiments: number;
  candidates: ReportCandidate[];
  experiments: ExperimentPoint[];
}

const HIDDEN_KNOBS = new Set(['collecting_device']);
/** espdl_setting() alignment (docs/esp-ppq.md §3.9): only knobs that differ from it are shown. */
const DEFAULT_ALIGN: Record<string, PyValue> = {
  elementwise_to: 'Align to Output', concat_to: 'Align to Output', avgpooling_to: 'None', resize_to: 'Align to Output', force_overlap: false,
};

/** One-line summary of a record's strategy and params. */
export function strategySummary(strategy: PyDict, params: PyDict): string {
  const parts: string[] = [];
  const bits = isPyDict(params.num_of_bits) ? params.num_of_bits.value : undefined;
  if (bits !== undefined) parts.push(`int${num(bits)}`);
  if (isPyDict(params.calib_algorithm)) parts.push(String(params.calib_algorithm.method));
  for (const [m, on] of Object.entries(strategy)) {
    if (on !== true || m === 'num_of_bits' || m === 'calib_algorithm') continue;
    const p = params[m];
    const align = m === 'fusion_alignment';
    const knobs = isPyDict(p)
      ? Object.entries(p).filter(([k, v]) => !HIDDEN_KNOBS.has(k) && !(align && DEFAULT_ALIGN[k] === v))
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v.replace(/^Align to /, '') : pyShow(v)}`)
      : [];
    if (align && knobs.length === 0) continue;
    parts.push(knobs.length ? `${m}(${knobs.join(', ')})` : m);
  }
  return parts.join(' · ');
}

function extrasOf(r: RunRecord): Record<string, PyValue> {
  return Object.fromEntries(Object.entries(r).filter(([k]) => !RESERVED_EXTRA_KEYS.includes(k)));
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

/** Reads a run folder into report data. */
export async function loadRunReport(store: RunStore): Promise<RunReport> {
  const { summary, candidates } = await readRun(store);
  const topIdx = new Set(candidates.map((c) => num(c.index)));
  const sizes = new Map<number, number | undefined>();
  for (const r of summary) sizes.set(num(r.index), await modelBytes(store, r));
  for (const r of candidates) if (!sizes.has(num(r.index))) sizes.set(num(r.index), await modelBytes(store, r));
  const meta = candidates.length ? await readDirection(store, num(candidates[0].index)) : {};
  return {
    runDir: store.resolve(''), ...meta, numExperiments: summary.length,
    candidates: candidates.map((r, i) => ({
      rank: i + 1, index: num(r.index), folder: String(r.folder ?? ''), score: num(r.score), extras: extrasOf(r),
      strategy: strategySummary(isPyDict(r.strategy) ? r.strategy : {}, isPyDict(r.params) ? r.params : {}),
      modelBytes: sizes.get(num(r.index)), files: Array.isArray(r.files) ? r.files.map(String) : [],
      lowLatency: lowLatencyCandidateFilter(r),
    })),
    experiments: summary.filter((r) => Number.isFinite(num(r.score))).map((r) => ({
      index: num(r.index), score: num(r.score), modelBytes: sizes.get(num(r.index)), lowLatency: lowLatencyCandidateFilter(r),
      inTopK: topIdx.has(num(r.index)),
    })),
  };
}

/** Compact number for tables: up to 6 significant digits. */
export function fmtScore(x: number): string {
  return Number.isInteger(x) ? String(x) : Number(x.toPrecision(6)).toString();
}

/** Bytes as "12.3 KB". */
export function fmtBytes(b: number | undefined): string {
  if (b === undefined) return '–';
  return b < 1024 ? `${b} B` : b < 1024 * 1024 ? `${(b / 1024).toFixed(1)} KB` : `${(b / 1024 / 1024).toFixed(2)} MB`;
}

/** The report as JSON (2-space indent; Python float repr for extras so `2.0` stays a float). */
export function renderJson(r: RunReport): string {
  return `${dumps(r as unknown as PyValue, { indent: 2 })}\n`;
}
