import { existsSync, readFileSync, statSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportCommand } from '../../../src/cli/commands/report.js';
import type { CliContext } from '../../../src/cli/command.js';
import { nullLogger } from '../../../src/log.js';
import { fsRunStore } from '../../../src/node/run-folder.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderMarkdown, scoreCostChart, topKTable } from '../../../src/report/markdown.js';
import { loadRunReport, strategySummary } from '../../../src/report/run-report.js';
import { fixture } from '../../helpers/paths.js';

const RUN = fixture('digits', 'autoquant_top1');
const cands = JSON.parse(readFileSync(path.join(RUN, 'candidates.json'), 'utf8')) as { index: number; score: number; top1: number }[];
const size = (i: number): number => statSync(path.join(RUN, String(i).padStart(4, '0'), 'model.espdl')).size;

function capture(): CliContext & { out: string[] } {
  const out: string[] = [];
  return { out, stdout: (t) => out.push(t), stderr: () => {}, logger: nullLogger, cwd: path.dirname(RUN), env: {}, isTTY: false,
    signal: new AbortController().signal };
}

describe('run report (ESP-PPQ top1 run folder)', () => {
  it('reads Top-K, direction, sizes and all experiments', async () => {
    const r = await loadRunReport(fsRunStore(RUN));
    expect(r.numExperiments).toBe(54);
    expect(r.direction).toBe('maximize');
    expect(r.target).toBe('esp32p4');
    expect(r.candidates.map((c) => c.index)).toEqual(cands.map((c) => c.index));
    expect(r.candidates.map((c) => c.score)).toEqual(cands.map((c) => c.score));
    expect(r.candidates.map((c) => c.modelBytes)).toEqual(cands.map((c) => size(c.index)));
    expect(r.candidates[0].extras).toEqual({ top1: cands[0].top1 });
    expect(r.experiments.filter((e) => e.inTopK)).toHaveLength(5);
  });
  it('markdown: Top-K table rows and a mermaid xychart ordered by model size', async () => {
    const r = await loadRunReport(fsRunStore(RUN));
    const table = topKTable(r).split('\n');
    // ESP-PPQ wrote this folder: no latency estimates, so those cells are dashes.
    expect(table[0]).toBe('| # | exp | score | top1 | strategy | latency (est.) | RAM (est.) | model size |');
    expect(table).toHaveLength(2 + 5);
    expect(table[2]).toMatch(new RegExp(`^\\| 1 \\| ${String(cands[0].index).padStart(4, '0')} \\| ${Number(cands[0].score.toPrecision(6))} \\| `));
    const chart = scoreCostChart(r);
    expect(chart.startsWith('```mermaid\nxychart-beta\n')).toBe(true);
    const bySize = [...cands].sort((a, b) => size(a.index) - size(b.index) || 0);
    const xAxis = /x-axis \[(.*)\]/.exec(chart)![1];
    expect(xAxis.split(', ').map((l) => Number(/#(\d+)/.exec(l)![1]))).toEqual(bySize.map((c) => c.index));
    expect(renderMarkdown(r)).toContain('54 experiments · Top-5 · score: higher is better · target esp32p4');
  });
  it('HTML is self-contained', async () => {
    const html = renderHtml(await loadRunReport(fsRunStore(RUN)));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<link|<script|src=|href=|@import|url\(/);
    // Without estimates the chart plots model size; experiments at the same (size, score) share one marker.
    const circles = [...html.matchAll(/<circle class="pt[^"]*"[^>]*data-index="([\d ]+)"/g)].map((m) => m[1].split(' ').map(Number));
    // The fixture keeps model.espdl only in the Top-K folders (and a few more): those experiments are plotted.
    const sized = (JSON.parse(readFileSync(path.join(RUN, 'summary.json'), 'utf8')) as { index: number; score: number }[])
      .filter((e) => existsSync(path.join(RUN, String(e.index).padStart(4, '0'), 'model.espdl')));
    expect(circles).toHaveLength(new Set(sized.map((e) => `${size(e.index)}|${e.score}`)).size);
    expect(circles.flat().sort((a, b) => a - b)).toEqual(sized.map((e) => e.index).sort((a, b) => a - b));
    expect(html.match(/<table class="topk">.*?<\/table>/)![0].match(/<tr>/g)).toHaveLength(1 + 5);
  });
  it('strategy summary', () => {
    expect(strategySummary({ num_of_bits: true, calib_algorithm: true, weight_equalization: true, mixed_precision: true, tqt: false },
      { num_of_bits: { value: 8 }, calib_algorithm: { method: 'mse' }, weight_equalization: { iterations: 10, value_threshold: 0.5 }, mixed_precision: { topk: 1 }, tqt: null }))
      .toBe('int8 · mse · weight_equalization(iterations=10, value_threshold=0.5) · mixed_precision(topk=1)');
  });
  it('report command: md, json and html to a file', async () => {
    const md = capture();
    expect(await reportCommand.run(['--run-dir', 'autoquant_top1'], md)).toBe(0);
    expect(md.out.join('')).toContain('# AutoQuant search report');
    const js = capture();
    await reportCommand.run(['--run-dir', RUN, '--format', 'json'], js);
    expect((JSON.parse(js.out.join('')) as { candidates: { index: number }[] }).candidates.map((c) => c.index)).toEqual(cands.map((c) => c.index));
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'aq-rep-')), 'r.html');
    await reportCommand.run(['--run-dir', RUN, '--format', 'html', '--out', out], capture());
    expect(readFileSync(out, 'utf8')).toContain('<h2>Top-5</h2>');
    await expect(reportCommand.run(['--run-dir', RUN, '--format', 'pdf'], capture())).rejects.toThrow(/--format must be md, html or json/);
    await expect(reportCommand.run(['--run-dir', '/nonexistent'], capture())).rejects.toThrow(/is not a run folder/);
  });
  it('HTML chart: experiments without an estimate are counted, not plotted', () => {
    const point = (index: number, est?: number) => ({ index, score: 90 + index, lowLatency: true, inTopK: false, label: 'int8 · kl', pareto: false, ...(est ? { estLatencyMs: est } : {}) });
    const html = renderHtml({ runDir: '/r', direction: 'maximize', numExperiments: 3, candidates: [], experiments: [point(0, 1.5), point(1, 2.5), point(2)] });
    expect(html.match(/<circle class="pt/g)).toHaveLength(2);
    expect(html).toContain('1 experiment(s) without an estimate (recorded by ESP-PPQ or an earlier version) are not plotted.');
  });
});
