/**
 * The baseline a PR is compared with: the latest result of its base branch, kept as a tiny cache entry
 * (`baseline.json`) that every search/merge run saves under its own branch. Pull-request runs may read the
 * base branch's cache entries (GitHub cache scoping), so a PR restores `<scope>-<base branch>-` by prefix
 * and gets the newest. A miss is normal (first run, evicted entry): the drop limit is then skipped.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ScoreDirection } from '../autoquant/settings.js';
import type { BaseResult } from '../report/run-report.js';
import type { CacheStore } from './seams.js';

/** Workspace-relative folder of the entry. Always the same string: the path is part of the cache version. */
export const BASELINE_DIR = '.espdl-autoquant/baseline';
const FILE = 'baseline.json';

/** What a run leaves for later comparisons. */
export interface BaselineRecord {
  bestScore: number;
  direction: ScoreDirection;
  bestIndex: number;
  /** Numeric extras of the best candidate (e.g. the default evaluator's topn_mean_error). */
  extras: Record<string, number>;
  /** The best candidate's estimated latency (ms) and RAM (bytes), when the run recorded them (ours). */
  estLatencyMs?: number;
  estRamBytes?: number;
  branch: string;
  sha: string;
  runId: string;
}

const optionalFigure = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0);

function isBaseline(v: unknown): v is BaselineRecord {
  const r = v as Partial<BaselineRecord> | null;
  return typeof r === 'object' && r !== null && typeof r.bestScore === 'number' && Number.isFinite(r.bestScore) &&
    (r.direction === 'maximize' || r.direction === 'minimize') && optionalFigure(r.estLatencyMs) && optionalFigure(r.estRamBytes);
}

/** The baseline as the reports show it (src/report: the HTML report's base-branch line and chart rule). */
export function baseResultOf(b: BaselineRecord): BaseResult {
  return {
    branch: b.branch, bestScore: b.bestScore,
    ...(b.estLatencyMs !== undefined ? { estLatencyMs: b.estLatencyMs } : {}), ...(b.estRamBytes !== undefined ? { estRamBytes: b.estRamBytes } : {}),
  };
}

/** Restores the newest baseline saved under `restorePrefix`; undefined on a miss or an unreadable entry. */
export async function restoreBaseline(cache: CacheStore, workspace: string, restorePrefix: string): Promise<BaselineRecord | undefined> {
  const dir = path.join(workspace, BASELINE_DIR);
  rmSync(dir, { recursive: true, force: true });
  const hit = await cache.restore([BASELINE_DIR], restorePrefix, [restorePrefix]);
  if (!hit) return undefined;
  try {
    const v: unknown = JSON.parse(readFileSync(path.join(dir, FILE), 'utf8'));
    return isBaseline(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Saves this run's result as the newest baseline of its branch. */
export async function saveBaseline(cache: CacheStore, workspace: string, key: string, record: BaselineRecord): Promise<boolean> {
  const dir = path.join(workspace, BASELINE_DIR);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, FILE), `${JSON.stringify(record, null, 2)}\n`);
  return cache.save([BASELINE_DIR], key);
}
