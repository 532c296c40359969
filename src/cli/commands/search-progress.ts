/** Search progress on stderr: one line per experiment in CI logs, a redrawn bar with ETA on a terminal. */
import type { ExperimentProgress } from '../../autoquant/auto-quantize.js';
import { fmtScore } from '../../report/run-report.js';
import type { CliContext } from '../command.js';

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

export function formatProgress(ctx: CliContext): { update(p: ExperimentProgress): void; end(): void } {
  let drawn = false;
  return {
    update(p) {
      if (ctx.isTTY) { ctx.stderr(`\r\x1b[2K${progressBar(p)}`); drawn = true; } else ctx.stderr(`${progressLine(p)}\n`);
    },
    end() { if (drawn) ctx.stderr('\n'); },
  };
}
