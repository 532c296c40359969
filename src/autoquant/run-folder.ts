/**
 * The run folder (esp_ppq/autoquant/save.py + candidates.py IO + interface.py resume checks) over a small
 * RunStore, so the core stays filesystem-free. Layout and JSON formatting match ESP-PPQ exactly:
 * summary.json, candidates.json (json.dump indent=4), NNNN/config.json, NNNN/<model files>.
 */
import { InputError } from '../errors.js';
import { dumps, parsePyJson } from './py-json.js';
import { isPyDict, type PyDict, type PyValue } from './py-value.js';
import type { RunRecord } from './topk.js';

/** Storage of one run folder. Names are relative to the run folder ('summary.json', '0003', '0003/config.json'). */
export interface RunStore {
  /** The run folder as the user named it; records' `folder` = `${label}/NNNN` (ESP-PPQ os.path.join(run_dir, …)). */
  readonly label: string;
  /** Absolute path of an entry. */
  resolve(name: string): string;
  /** File text, or undefined if the file does not exist. */
  readText(name: string): Promise<string | undefined>;
  /** Replaces a file atomically: after a crash it holds the old or the new text, never a torn one. */
  writeTextAtomic(name: string, text: string): Promise<void>;
  /** Creates the run folder if missing. */
  ensureRoot(): Promise<void>;
  /** Names of the immediate subfolders whose names are all digits. */
  listDigitDirs(): Promise<string[]>;
  /** Deletes a subfolder recursively (no-op if missing). */
  removeDir(name: string): Promise<void>;
  /** Makes `name` an empty folder (deleting what was there: an orphan of a crashed experiment). */
  resetDir(name: string): Promise<void>;
  /** Size in bytes, or undefined if missing. */
  fileSize(name: string): Promise<number | undefined>;
  /** True when the subfolder exists. */
  hasDir(name: string): Promise<boolean>;
  /** Replaces subfolder `name` with a copy of `sourceName` of `source` (a store of the same kind). */
  copyDirFrom(source: RunStore, sourceName: string, name: string): Promise<void>;
  /**
   * Takes the run folder for one search until `release`: refuses (InputError naming the holder) while another
   * search holds it and, when `fresh`, when resetting it would delete or overwrite anything that is not a run's.
   */
  acquire(fresh: boolean): Promise<{ release(): Promise<void> }>;
}

export const SUMMARY = 'summary.json';
export const CANDIDATES = 'candidates.json';
/**
 * Ours, beside ESP-PPQ's files: each candidate's graph-wise noise/signal ratio per computing op
 * (`NNNN/graphwise.json`), and the same for the baseline quantization (int8, ESP-PPQ's defaults) at the
 * root, which the reports compare per layer. ESP-PPQ ignores both.
 */
export const GRAPHWISE_FILE = 'graphwise.json';
export const BASELINE_GRAPHWISE_FILE = 'baseline_graphwise.json';
/**
 * Ours: the baseline's layer-wise error (what the layer-picking modules rank) with the fingerprint of the model,
 * data and settings it was computed from (layerwise-cache.ts). ESP-PPQ ignores it.
 */
export const BASELINE_LAYERWISE_FILE = 'espdl-autoquant-layerwise.json';

/** `f"{index:04d}"`. */
export function folderName(index: number): string {
  return String(index).padStart(4, '0');
}

/** `os.path.join(run_dir, name)` for the record's `folder` field. */
export function folderLabel(store: RunStore, index: number): string {
  const base = store.label;
  if (base === '') return folderName(index);
  return base.endsWith('/') ? `${base}${folderName(index)}` : `${base}/${folderName(index)}`;
}

/** ESP-PPQ's `json.dump(obj, f, indent=4)` text. */
export function dumpIndented(v: PyValue): string {
  return dumps(v, { indent: 4 });
}

/** What a (re)opened run knows. */
export interface RunState {
  summary: RunRecord[];
  candidates: RunRecord[];
  /** hash → stored score (undefined when the record has no score: resume then fails on that hash, as ESP-PPQ). */
  done: Map<string, PyValue | undefined>;
  /** hash → index, for progress of skipped experiments. */
  doneIndex: Map<string, number>;
  nextIndex: number;
}

async function readList(store: RunStore, name: string): Promise<PyValue> {
  const text = await store.readText(name);
  try {
    return parsePyJson(text ?? '[]', store.resolve(name));
  } catch (e) {
    throw new InputError(`Resume files are malformed JSON (${store.resolve(name)}: ${(e as Error).message}). ` +
      'Fix them or rerun without --resume.', { cause: e });
  }
}

/** `_validate_resume_artifacts`: both files exist, are lists of objects, and are both empty or both non-empty. */
export async function validateResume(store: RunStore): Promise<{ summary: RunRecord[]; candidates: RunRecord[] }> {
  const missing: string[] = [];
  for (const n of [SUMMARY, CANDIDATES]) if ((await store.readText(n)) === undefined) missing.push(store.resolve(n));
  if (missing.length > 0) throw new InputError(`--resume requires both resume files to exist: ${missing.join(', ')}`);
  const summary = await readList(store, SUMMARY);
  const candidates = await readList(store, CANDIDATES);
  if (!Array.isArray(summary) || !Array.isArray(candidates)) {
    throw new InputError(`Resume files are invalid: ${SUMMARY} and ${CANDIDATES} in ${store.resolve('')} must both be JSON lists.`);
  }
  if (!summary.every(isPyDict)) throw new InputError(`${store.resolve(SUMMARY)} is invalid: every item must be a JSON object.`);
  if (!candidates.every(isPyDict)) throw new InputError(`${store.resolve(CANDIDATES)} is invalid: every item must be a JSON object.`);
  if ((summary.length === 0) !== (candidates.length === 0)) {
    throw new InputError(`Resume files are inconsistent: ${SUMMARY} and ${CANDIDATES} in ${store.resolve('')} must be both ` +
      'empty or both non-empty. Rerun without --resume to rebuild them.');
  }
  return { summary: summary as RunRecord[], candidates: candidates as RunRecord[] };
}

/**
 * Opens the run folder. resume: validate, load done hashes, next index = max(index)+1 (folders are kept).
 * Otherwise (`reset_run_dir`): delete every all-digit subfolder and write `[]` to both files.
 */
export async function openRun(store: RunStore, resume: boolean): Promise<RunState> {
  if (!resume) {
    await store.ensureRoot();
    for (const d of await store.listDigitDirs()) await store.removeDir(d);
    await store.writeTextAtomic(SUMMARY, '[]');
    await store.writeTextAtomic(CANDIDATES, '[]');
    return { summary: [], candidates: [], done: new Map(), doneIndex: new Map(), nextIndex: 0 };
  }
  const { summary, candidates } = await validateResume(store);
  const done = new Map<string, PyValue | undefined>();
  const doneIndex = new Map<string, number>();
  let maxIndex = -1;
  for (const r of summary) {
    if (typeof r.hash === 'string') {
      done.set(r.hash, 'score' in r ? r.score : undefined);
      if (typeof r.index === 'number') doneIndex.set(r.hash, r.index);
    }
    maxIndex = Math.max(maxIndex, typeof r.index === 'number' ? r.index : -1);
  }
  return { summary, candidates, done, doneIndex, nextIndex: maxIndex + 1 };
}

/** Writes NNNN/config.json: {strategy, params, runtime} in insertion order (save.py::save_experiment). */
export async function writeConfig(store: RunStore, index: number, strategy: PyDict, params: PyDict, runtime: PyDict): Promise<void> {
  await store.writeTextAtomic(`${folderName(index)}/config.json`, dumpIndented({ strategy, params, runtime }));
}

/** Appends one record to summary.json (kept in memory; the whole list is rewritten atomically). */
export async function appendSummary(store: RunStore, state: RunState, record: RunRecord): Promise<void> {
  state.summary.push(record);
  await store.writeTextAtomic(SUMMARY, dumpIndented(state.summary));
}

/** Rewrites candidates.json with the given Top-K. */
export async function writeCandidates(store: RunStore, state: RunState, topk: RunRecord[]): Promise<void> {
  state.candidates = topk;
  await store.writeTextAtomic(CANDIDATES, dumpIndented(topk));
}

/** Reads a finished (or partial) run for reports: summary and candidates, without resume checks. */
export async function readRun(store: RunStore): Promise<{ summary: RunRecord[]; candidates: RunRecord[] }> {
  const s = await store.readText(SUMMARY);
  const c = await store.readText(CANDIDATES);
  if (s === undefined || c === undefined) {
    throw new InputError(`${store.resolve('')} is not a run folder: ${SUMMARY} and ${CANDIDATES} are needed`);
  }
  const summary = parsePyJson(s, store.resolve(SUMMARY));
  const candidates = parsePyJson(c, store.resolve(CANDIDATES));
  if (!Array.isArray(summary) || !Array.isArray(candidates) || !summary.every(isPyDict) || !candidates.every(isPyDict)) {
    throw new InputError(`${store.resolve('')}: ${SUMMARY} and ${CANDIDATES} must be JSON lists of objects`);
  }
  return { summary: summary as RunRecord[], candidates: candidates as RunRecord[] };
}
