/**
 * Inline SVG charts of the HTML report, drawn from numbers only (labels pass through escapeHtml): the score of
 * every experiment against its estimated latency (or model size), with ticks in units, the Pareto front and the
 * base branch's best score. Positions are exact (no jitter): experiments at the same point share one marker,
 * which names them all.
 */
import { escapeHtml as esc } from './escape.js';
import { fmtBytes, fmtMs, fmtScore, type BaseResult, type ExperimentPoint } from './run-report.js';

/** Round tick values covering [lo, hi] (1-2-2.5-5 steps, about `count` of them) and the domain they span. */
export function niceTicks(lo: number, hi: number, count = 5): { ticks: number[]; step: number } {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) * 0.05 || 1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.floor(lo / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let t = first; t <= hi + step * 1e-9 || ticks.length < 2; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1]! < hi) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return { ticks, step };
}

/** A tick label with as many decimals as the step needs. */
function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (String(step / 10 ** Math.floor(Math.log10(step))).includes('.') ? 1 : 0));
  return v.toFixed(Math.min(decimals, 10));
}

/** A linear axis: data domain → pixel range. */
interface Axis { ticks: number[]; step: number; px: (v: number) => number }

function axis(values: number[], from: number, to: number): Axis {
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  // A little room on both sides, so no marker sits on the frame.
  const pad = (hi - lo) * 0.04;
  const { ticks, step } = niceTicks(lo - pad, hi + pad);
  const [d0, d1] = [ticks[0]!, ticks[ticks.length - 1]!];
  return { ticks, step, px: (v) => from + ((v - d0) / (d1 - d0)) * (to - from) };
}

export interface ScatterOptions {
  /** 'latency': x = estimated latency (ms); 'size': x = model size (KB), for run folders without estimates. */
  x: 'latency' | 'size';
  /** e.g. "estimated latency on esp32p4 (ms)". */
  xTitle: string;
  /** e.g. "score (top-1 %, higher is better)". */
  yTitle: string;
  base?: BaseResult;
  width?: number;
  height?: number;
}

const M = { left: 72, right: 24, top: 16, bottom: 56 };

/** x value of a point in the chosen unit (ms, or KB of model size). */
function xOf(p: ExperimentPoint, x: ScatterOptions['x']): number | undefined {
  return x === 'latency' ? p.estLatencyMs : p.modelBytes === undefined ? undefined : p.modelBytes / 1024;
}

function pointTitle(group: ExperimentPoint[]): string {
  return group.map((p) => `#${String(p.index).padStart(4, '0')} ${p.label}: score ${fmtScore(p.score)}` +
    `${p.estLatencyMs === undefined ? '' : `, ${fmtMs(p.estLatencyMs)} est.`}${p.estRamBytes === undefined ? '' : `, RAM ${fmtBytes(p.estRamBytes)}`}` +
    `${p.modelBytes === undefined ? '' : `, file ${fmtBytes(p.modelBytes)}`}`).join('\n');
}

/**
 * Score against estimated latency (or size) of every experiment that has one. Markers: Top-K filled, others
 * hollow; Pareto-front experiments ringed and joined by a line; the base branch's best score as a dashed line.
 */
export function scatterSvg(points: readonly ExperimentPoint[], o: ScatterOptions): string {
  const pts = points.filter((p) => xOf(p, o.x) !== undefined);
  if (pts.length === 0) return '';
  const W = o.width ?? 760;
  const H = o.height ?? 380;
  const [px0, px1, py0, py1] = [M.left, W - M.right, H - M.bottom, M.top];
  const ys = pts.map((p) => p.score).concat(o.base ? [o.base.bestScore] : []);
  const ax = axis(pts.map((p) => xOf(p, o.x)!), px0, px1);
  const ay = axis(ys, py0, py1);
  const groups = new Map<string, ExperimentPoint[]>();
  for (const p of pts) {
    const key = `${xOf(p, o.x)}|${p.score}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const fmtX = (v: number): string => tickLabel(v, ax.step);
  const parts: string[] = [
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" ` +
      `aria-label="${esc(`${o.yTitle} against ${o.xTitle}`)}" data-x-unit="${o.x === 'latency' ? 'ms' : 'KB'}">`,
    `<rect class="plot" x="${px0}" y="${py1}" width="${px1 - px0}" height="${py0 - py1}"/>`,
  ];
  for (const t of ay.ticks) {
    const y = ay.px(t).toFixed(2);
    parts.push(`<g class="tick tick-y" data-value="${t}"><line class="grid" x1="${px0}" x2="${px1}" y1="${y}" y2="${y}"/>` +
      `<line x1="${px0 - 5}" x2="${px0}" y1="${y}" y2="${y}"/><text x="${px0 - 8}" y="${y}" dy="0.32em" text-anchor="end">${tickLabel(t, ay.step)}</text></g>`);
  }
  for (const t of ax.ticks) {
    const x = ax.px(t).toFixed(2);
    parts.push(`<g class="tick tick-x" data-value="${t}"><line class="grid" x1="${x}" x2="${x}" y1="${py1}" y2="${py0}"/>` +
      `<line x1="${x}" x2="${x}" y1="${py0}" y2="${py0 + 5}"/><text x="${x}" y="${py0 + 18}" text-anchor="middle">${fmtX(t)}</text></g>`);
  }
  parts.push(`<text class="axis-title" x="${(px0 + px1) / 2}" y="${H - 10}" text-anchor="middle">${esc(o.xTitle)}</text>`,
    `<text class="axis-title" transform="translate(16 ${(py0 + py1) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yTitle)}</text>`);
  if (o.base && Number.isFinite(o.base.bestScore)) {
    const y = ay.px(o.base.bestScore).toFixed(2);
    parts.push(`<g class="base"><line x1="${px0}" x2="${px1}" y1="${y}" y2="${y}"/><text x="${px1 - 4}" y="${y}" dy="-0.4em" text-anchor="end">` +
      `base ${esc(o.base.branch)}: ${esc(fmtScore(o.base.bestScore))}</text><title>${esc(`best score of the base branch ${o.base.branch}`)}</title></g>`);
  }
  const front = pts.filter((p) => p.pareto).sort((a, b) => xOf(a, o.x)! - xOf(b, o.x)!);
  // One vertex per point: experiments at the same point share it.
  const vertices = [...new Set(front.map((p) => `${ax.px(xOf(p, o.x)!).toFixed(2)},${ay.px(p.score).toFixed(2)}`))];
  if (o.x === 'latency' && vertices.length > 1) parts.push(`<polyline class="front" points="${vertices.join(' ')}"/>`);
  for (const group of groups.values()) {
    const p = group[0]!;
    const cls = ['pt', group.some((g) => g.inTopK) ? 'top' : 'rest', o.x === 'latency' && p.pareto ? 'pareto' : ''].filter(Boolean).join(' ');
    const [cx, cy] = [ax.px(xOf(p, o.x)!).toFixed(2), ay.px(p.score).toFixed(2)];
    parts.push(`<circle class="${cls}" cx="${cx}" cy="${cy}" r="${group.length > 1 ? 6 : 4.5}" data-index="${group.map((g) => g.index).join(' ')}" ` +
      `data-x="${xOf(p, o.x)}" data-y="${p.score}"><title>${esc(pointTitle(group))}</title></circle>`);
    if (group.length > 1) parts.push(`<text class="count" x="${(Number(cx) + 8).toFixed(2)}" y="${cy}" dy="0.32em">${group.length}×</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
