/**
 * Search progress as text, the same for every shell: one line per experiment (CI logs, the Action's log), a
 * redrawn bar with ETA (terminals), and the closing line.
 */
import type { ExperimentProgress } from '../autoquant/auto-quantize.js';
import { fmtScore } from './run-report.js';

export function fmtDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** One log line (non-TTY). */
export function progressLine(p: ExperimentProgress): string {
  const idx = String(p.index).padStart(4, '0');
  const of = p.total === undefined ? `${p.done}` : `${p.done}/${p.total}`;
  return `[${of}] ${idx} ${p.skipped ? 'skipped (done) ' : ''}score=${fmtScore(p.score)} best=${fmtScore(p.best)} elapsed=${fmtDuration(p.elapsedMs)}`;
}

/** The TTY bar: done/total, best, ETA from the mean time per experiment so far. */
export function progressBar(p: ExperimentProgress, width = 24): string {
  if (p.total === undefined) return `${p.done} experiments · best ${fmtScore(p.best)} · ${fmtDuration(p.elapsedMs)}`;
  const frac = Math.min(1, p.done / Math.max(1, p.total));
  const fill = Math.round(frac * width);
  const eta = p.done > 0 ? (p.elapsedMs / p.done) * (p.total - p.done) : 0;
  return `[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${p.done}/${p.total} · best ${fmtScore(p.best)} · ETA ${fmtDuration(eta)}`;
}

/** The closing line of a search: counts, run folder, and how to continue a stopped one. */
export function searchEndLine(r: { newExperiments: number; skipped: number; stopped: string | null; runDir: string }): string {
  const tail = `${r.newExperiments} new, ${r.skipped} skipped; run folder ${r.runDir}`;
  return r.stopped ? `search stopped (${r.stopped}): ${tail}; continue with --resume` : `search done: ${tail}`;
}
