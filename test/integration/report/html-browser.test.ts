/**
 * The HTML report as a person sees it, in a real headless Chromium (test/helpers/chromium.ts): a run folder with
 * estimated latencies is rendered by the `report` command, opened at 1200 px wide, and read back from the
 * browser's layout — where each marker is drawn against the axis ticks' own labels, which markers are ringed as the
 * Pareto front, what the tables show, that nothing overflows or is clipped, and that the page logs no error and
 * loads nothing. Expected values come from the data this test writes, never from the renderer.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { reportCommand } from '../../../src/cli/commands/report.js';
import type { CliContext } from '../../../src/cli/command.js';
import { withDeploymentCost } from '../../../src/autoquant/deployment-cost.js';
import { pyFloat, type PyDict } from '../../../src/autoquant/py-value.js';
import { BASELINE_GRAPHWISE_FILE, dumpIndented, GRAPHWISE_FILE } from '../../../src/autoquant/run-folder.js';
import { nullLogger } from '../../../src/log.js';
import { fsRunStore } from '../../../src/node/run-folder.js';
import { renderHtml } from '../../../src/report/html.js';
import { loadRunReport } from '../../../src/report/run-report.js';
import { HAVE_CHROMIUM, launchChromium, NO_CHROMIUM, type Browser } from '../../helpers/chromium.js';

/** One experiment: estimated latency (ms), score (top-1 %, higher is better), int16 promotion on or off. */
interface Exp { index: number; ms: number; score: number; int16: boolean }

// Distinct and repeated points: 3/4 and 1/11 share a point; 6 is as good as 5 but slower; 10 is fast but poor.
const EXPS: Exp[] = [
  [0.4, 97.0, false], [0.4, 97.5, false], [0.45, 98.2, false], [0.52, 98.0, true], [0.52, 98.0, true], [0.61, 98.6, true],
  [0.7, 98.6, true], [0.75, 99.1, true], [0.9, 98.9, true], [0.33, 96.1, false], [0.36, 95.0, false], [0.4, 97.5, false],
].map(([ms, score, int16], index) => ({ index, ms: ms as number, score: score as number, int16: int16 as boolean }));
const K = 5;
const TOP = [...EXPS].sort((a, b) => b.score - a.score || a.index - b.index).slice(0, K);
const BEST = TOP[0]!;
const BASE = { branch: 'main', bestScore: 98.3, estLatencyMs: 0.5, estRamBytes: 18_000 };
const ramOf = (e: Exp): number => 18_000 + 100 * e.index;
/** Per-layer noise of the best candidate and of the baseline quantization, graph order. */
const LAYERS: [string, number, number][] = [
  ['/stem/Conv', 0.0003, 0.0002], ['/down.0/Conv', 0.0007, 0.006], ['/res.0/Conv', 0.003, 0.01], ['/res.6/Conv', 0.0106, 0.0272],
  ['/left.0/Conv', 0.0115, 0.0312], ['/fc/Gemm', 0.0018, 0.0064],
];

/** Experiments no other one beats: none at most as slow and better, or faster and at least as good. */
function expectedFront(exps: readonly Exp[]): number[] {
  return exps.filter((p) => !exps.some((q) => q.ms <= p.ms && q.score >= p.score && (q.ms < p.ms || q.score > p.score)))
    .map((p) => p.index).sort((a, b) => a - b);
}

function record(e: Exp): PyDict {
  const strategy = { num_of_bits: true, calib_algorithm: true, weight_equalization: false, mixed_precision: e.int16, tqt: false };
  const params = { num_of_bits: { value: 8 }, calib_algorithm: { method: 'kl' }, weight_equalization: null, mixed_precision: e.int16 ? { topk: 1 } : null, tqt: null };
  const esppq: PyDict = {
    index: e.index, folder: `run/${String(e.index).padStart(4, '0')}`, files: ['model.espdl'], strategy, params,
    score: pyFloat(e.score), top1: pyFloat(e.score),
  };
  return withDeploymentCost(esppq, {
    target: 'esp32p4',
    estimated: {
      latency_ms: e.ms, latency_band_ms: null, ram_bytes: ramOf(e), memory_bytes: { internal: 0, psram: ramOf(e), flash: 27_000 }, calibrated: true,
    },
  });
}

/** A run folder as a search writes it: summary, Top-K, the best candidate's config and per-layer noise. */
function writeRunFolder(dir: string): void {
  const summary = EXPS.map(record);
  writeFileSync(path.join(dir, 'summary.json'), dumpIndented(summary));
  writeFileSync(path.join(dir, 'candidates.json'), dumpIndented(TOP.map(record)));
  const best = path.join(dir, String(BEST.index).padStart(4, '0'));
  mkdirSync(best);
  writeFileSync(path.join(best, 'config.json'), JSON.stringify({ runtime: { score_direction: 'maximize', target: 'esp32p4' } }));
  writeFileSync(path.join(best, GRAPHWISE_FILE), JSON.stringify(Object.fromEntries(LAYERS.map(([l, c]) => [l, c]))));
  writeFileSync(path.join(dir, BASELINE_GRAPHWISE_FILE), JSON.stringify(Object.fromEntries(LAYERS.map(([l, , b]) => [l, b]))));
}

function context(cwd: string): CliContext {
  return { stdout: () => {}, stderr: () => {}, logger: nullLogger, cwd, env: {}, isTTY: false, signal: new AbortController().signal };
}

interface Box { x: number; y: number; width: number; height: number }
const center = (b: Box): [number, number] => [b.x + b.width / 2, b.y + b.height / 2];

/** Tick label value → on-screen coordinate of its tick, from the labels a reader sees. */
async function ticks(page: Page, axis: 'x' | 'y'): Promise<[number, number][]> {
  return page.$$eval(`svg.chart g.tick-${axis}`, (gs, a) => gs.map((g) => {
    const mark = g.querySelector('line:not(.grid)')!.getBoundingClientRect();
    return [Number(g.querySelector('text')!.textContent), a === 'x' ? mark.x + mark.width / 2 : mark.y + mark.height / 2] as [number, number];
  }), axis);
}

/** The linear map the tick labels define, checked to be one (every tick on it). */
function scaleOf(t: [number, number][]): (v: number) => number {
  const [[v0, p0], [v1, p1]] = [t[0]!, t[t.length - 1]!];
  const f = (v: number): number => p0 + ((v - v0) / (v1 - v0)) * (p1 - p0);
  for (const [v, p] of t) expect(Math.abs(f(v) - p)).toBeLessThan(0.75);
  return f;
}

describe.skipIf(!HAVE_CHROMIUM)(`HTML report in headless Chromium${HAVE_CHROMIUM ? '' : ` (${NO_CHROMIUM})`}`, () => {
  let tmp: string;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'aq-html-'));
    const runDir = path.join(tmp, 'run');
    mkdirSync(runDir);
    writeRunFolder(runDir);
    // The report command writes the page a user opens; the base branch's result is added as the Action does.
    const cliOut = path.join(tmp, 'cli.html');
    expect(await reportCommand.run(['--run-dir', 'run', '--format', 'html', '--out', cliOut], context(tmp))).toBe(0);
    const view = await loadRunReport(fsRunStore(runDir));
    expect(readFileSync(cliOut, 'utf8')).toBe(renderHtml(view));
    const file = path.join(tmp, 'report.html');
    writeFileSync(file, renderHtml({ ...view, base: BASE }));
    browser = await launchChromium(1200, 900);
    page = await browser.context.newPage();
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`, { waitUntil: 'load' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('loads without console errors and fetches nothing but itself', () => {
    expect(errors).toEqual([]);
    expect(requests).toEqual([expect.stringMatching(/^file:\/\/.*\/report\.html$/)]);
  });

  it('draws every experiment where its estimated latency and score put it on the ticked axes', async () => {
    const x = scaleOf(await ticks(page, 'x'));
    const y = scaleOf(await ticks(page, 'y'));
    const markers = await page.$$eval('svg.chart circle.pt', (cs) => cs.map((c) => ({
      indices: c.getAttribute('data-index')!.split(' ').map(Number), box: c.getBoundingClientRect().toJSON() as Box,
    })));
    expect(markers.flatMap((m) => m.indices).sort((a, b) => a - b)).toEqual(EXPS.map((e) => e.index));
    for (const m of markers) {
      const [cx, cy] = center(m.box);
      for (const i of m.indices) {
        expect(Math.abs(cx - x(EXPS[i]!.ms)), `experiment ${i} x`).toBeLessThan(1);
        expect(Math.abs(cy - y(EXPS[i]!.score)), `experiment ${i} y`).toBeLessThan(1);
      }
    }
    // Larger latency is further right, better score higher up: the axes are not flipped.
    expect(x(0.9)).toBeGreaterThan(x(0.33));
    expect(y(99.1)).toBeLessThan(y(95));
    // The base branch's best score is the dashed rule at its height.
    const rule = await page.$eval('svg.chart g.base line', (l) => l.getBoundingClientRect().toJSON() as Box);
    expect(Math.abs(center(rule)[1] - y(BASE.bestScore))).toBeLessThan(1);
  });

  it('rings exactly the Pareto front and names it', async () => {
    const ringed = await page.$$eval('svg.chart circle.pt.pareto', (cs) => cs.flatMap((c) => c.getAttribute('data-index')!.split(' ').map(Number)));
    expect(ringed.sort((a, b) => a - b)).toEqual(expectedFront(EXPS));
    const text = await page.$eval('svg.chart + .legend + p', (p) => p.textContent!);
    expect(text.startsWith('Pareto front:')).toBe(true);
    for (const i of expectedFront(EXPS)) expect(text).toContain(String(i).padStart(4, '0'));
    // The front's line runs through the ringed markers, left to right.
    const line = await page.$eval('svg.chart polyline.front', (l) => l.getAttribute('points')!.trim().split(/\s+/).length);
    expect(line).toBe(new Set(expectedFront(EXPS).map((i) => `${EXPS[i]!.ms}|${EXPS[i]!.score}`)).size);
  });

  it('shows estimated latency and RAM for every Top-K candidate', async () => {
    const rows = await page.$$eval('table.topk tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    const head = await page.$$eval('table.topk thead th', (ths) => ths.map((th) => th.textContent!.trim()));
    const col = (name: string): number => head.indexOf(name);
    expect(rows).toHaveLength(K);
    rows.forEach((row, i) => {
      const e = TOP[i]!;
      expect(Number(row[col('exp')])).toBe(e.index);
      expect(Number(row[col('score')])).toBe(e.score);
      const ms = /^([\d.]+) ms$/.exec(row[col('latency (est.)')]!);
      expect(Number(ms![1])).toBeCloseTo(e.ms, 3);
      const kb = /^([\d.]+) KB$/.exec(row[col('RAM (est.)')]!);
      expect(Math.abs(Number(kb![1]) - ramOf(e) / 1024)).toBeLessThanOrEqual(0.05);
      expect(row[col('strategy')]!.includes('⚠')).toBe(e.int16);
    });
  });

  it('names the noisiest layers of the best candidate, with bars against the baseline', async () => {
    const worst = [...LAYERS].sort((a, b) => b[1] - a[1]);
    const names = await page.$$eval('table.layers tbody td.name', (tds) => tds.map((td) => td.textContent));
    expect(names).toEqual(worst.map(([l]) => l));
    const intro = await page.$eval('table.layers', (t) => t.previousElementSibling!.textContent!);
    for (const [l] of worst.slice(0, 3)) expect(intro).toContain(l);
    // Bar lengths are proportional to the ratios (the longest bar is the largest ratio shown).
    const widths = await page.$$eval('table.layers .bar.cand', (bs) => bs.map((b) => b.getBoundingClientRect().width));
    const longest = Math.max(...LAYERS.flatMap(([, c, b]) => [c, b]));
    const full = Math.max(...(await page.$$eval('table.layers .bar.base', (bs) => bs.map((b) => b.getBoundingClientRect().width))));
    worst.forEach(([, c], i) => expect(Math.abs(widths[i]! - (Math.max(c / longest, 0.005) * full))).toBeLessThan(1.5));
  });

  it('is readable at 1200 px: no horizontal scrolling, no text clipped or outside the chart', async () => {
    const page1200 = await page.$eval('html', (h) => ({ scroll: h.scrollWidth, view: h.clientWidth }));
    expect(page1200.scroll).toBeLessThanOrEqual(page1200.view);
    const outside = await page.$$eval('svg.chart text', (ts) => {
      const svg = ts[0]!.ownerSVGElement!.getBoundingClientRect();
      return ts.filter((t) => {
        const b = t.getBoundingClientRect();
        return b.width === 0 || b.left < svg.left - 0.5 || b.right > svg.right + 0.5 || b.top < svg.top - 0.5 || b.bottom > svg.bottom + 0.5;
      }).map((t) => t.textContent);
    });
    expect(outside).toEqual([]);
    const clipped = await page.$$eval('td, th, h1, h2, p', (els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent));
    expect(clipped).toEqual([]);
    // No text smaller than 11 px (the chart's "n×" marks), chart labels included.
    const smallest = await page.$$eval('td, th, p, svg.chart text', (els) => Math.min(...els.map((e) => parseFloat(e.ownerDocument.defaultView!.getComputedStyle(e).fontSize))));
    expect(smallest).toBeGreaterThanOrEqual(11);
  });
});
