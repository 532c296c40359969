/**
 * The HTML report: one self-contained file (inline CSS and SVG; no script, font, image or link to load), readable
 * from 1200 px wide down. What it shows and where each number comes from: docs/reports.md.
 */
import { pyShow } from '../autoquant/py-value.js';
import { scatterSvg } from './charts.js';
import { escapeHtml as esc } from './escape.js';
import { fmtBytes, fmtMs, fmtRatio, fmtScore, measuredText, type LayerNoise, type ReportCandidate, type RunReport } from './run-report.js';

const CSS = `*{box-sizing:border-box}body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#fff}
main{max-width:1120px;margin:0 auto;padding:1.5rem 2rem 3rem}h1{font-size:1.6rem;margin:.2rem 0 .4rem}h2{font-size:1.2rem;margin:2rem 0 .5rem}
p.meta{color:#57606a;margin:.2rem 0}.note{color:#57606a;font-size:.9rem}.box{border:1px solid #d0d7de;border-radius:6px;padding:.6rem .9rem;margin:1rem 0;background:#f6f8fa}
table{border-collapse:collapse;margin:.6rem 0;max-width:100%}th,td{border:1px solid #d0d7de;padding:.3rem .55rem;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.strategy{max-width:22rem;overflow-wrap:anywhere}.warn{color:#9a6700}.good{color:#1a7f37}.bad{color:#cf222e}code{font-size:.9em;overflow-wrap:anywhere}
details{margin:.6rem 0}summary{cursor:pointer;color:#0969da}
svg.chart{display:block;max-width:100%;height:auto;font:12px system-ui,sans-serif;fill:#1f2328}
svg.chart .plot{fill:#fff;stroke:#d0d7de}svg.chart .grid{stroke:#eaeef2}svg.chart .tick line:not(.grid){stroke:#8c959f}
svg.chart .axis-title{font-size:13px;font-weight:600}svg.chart .pt{stroke-width:1.5}svg.chart .pt.top{fill:#0969da;stroke:#0969da}
svg.chart .pt.rest{fill:#fff;stroke:#8c959f}svg.chart .pt.pareto{stroke:#bf3989;stroke-width:3}
svg.chart .front{fill:none;stroke:#bf3989;stroke-width:1.5;stroke-dasharray:5 3}svg.chart .base line{stroke:#9a6700;stroke-dasharray:6 4}
svg.chart .base text{fill:#9a6700}svg.chart .count{font-size:11px;fill:#57606a}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;font-size:.9rem;color:#57606a;margin:.3rem 0 0}.legend svg{vertical-align:middle}
table.layers td.name{max-width:24rem;overflow-wrap:anywhere}table.layers td.bars{width:45%;min-width:12rem}
.bar{height:.55rem;border-radius:2px;margin:.12rem 0}.bar.base{background:#afb8c1}.bar.cand{background:#0969da}`;

const exp = (i: number): string => String(i).padStart(4, '0');

function extraCell(v: unknown): string {
  return esc(typeof v === 'number' ? fmtScore(v) : pyShow(v as never));
}

/** "0.371 ms" with the band where a measurement would likely fall, as a tooltip. */
function latencyCell(c: ReportCandidate): string {
  const e = c.cost?.estimated;
  if (!e) return '<td class="n">–</td>';
  const band = e.latency_band_ms ? `likely ${fmtMs(e.latency_band_ms[0])} to ${fmtMs(e.latency_band_ms[1])}` : 'no published figures bound this chip';
  return `<td class="n" title="${esc(`estimate for ${c.cost!.target}; ${band}`)}">${esc(fmtMs(e.latency_ms))}</td>`;
}

function ramCell(c: ReportCandidate): string {
  const e = c.cost?.estimated;
  if (!e) return '<td class="n">–</td>';
  const m = e.memory_bytes;
  return `<td class="n" title="${esc(`internal ${fmtBytes(m.internal)}, PSRAM ${fmtBytes(m.psram)}; flash ${fmtBytes(m.flash)}`)}">${esc(fmtBytes(e.ram_bytes))}</td>`;
}

function topKTable(r: RunReport): string {
  const extraKeys = [...new Set(r.candidates.flatMap((c) => Object.keys(c.extras)))];
  const measured = r.candidates.some((c) => c.cost?.measured);
  const head = ['<th class="n">#</th>', '<th class="n">exp</th>', '<th class="n">score</th>', ...extraKeys.map((k) => `<th class="n">${esc(k)}</th>`),
    '<th>strategy</th>', '<th class="n">latency (est.)</th>', '<th class="n">RAM (est.)</th>', ...(measured ? ['<th>on device</th>'] : []),
    '<th class="n">model size</th>'];
  const rows = r.candidates.map((c) => `<tr><td class="n">${c.rank}</td><td class="n">${exp(c.index)}</td><td class="n">${esc(fmtScore(c.score))}</td>` +
    extraKeys.map((k) => `<td class="n">${k in c.extras ? extraCell(c.extras[k]) : ''}</td>`).join('') +
    `<td class="strategy" title="${esc(c.strategy)}">${esc(c.label)}${c.lowLatency ? '' : ' <span class="warn" title="int16 promotion or layer split">⚠</span>'}</td>` +
    `${latencyCell(c)}${ramCell(c)}${measured ? `<td>${esc(measuredText(c.cost))}</td>` : ''}<td class="n">${esc(fmtBytes(c.modelBytes))}</td></tr>`);
  return `<table class="topk"><thead><tr>${head.join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function strategyDetails(r: RunReport): string {
  const rows = r.candidates.map((c) => `<tr><td class="n">${exp(c.index)}</td><td class="strategy">${esc(c.strategy)}</td><td><code>${esc(c.files.join(', '))}</code></td></tr>`);
  return `<details><summary>Full strategies and files of the Top-${r.candidates.length}</summary><table><thead><tr><th class="n">exp</th>` +
    `<th>strategy</th><th>files</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

function directionText(r: RunReport): string {
  return r.direction ? `${r.direction === 'minimize' ? 'lower' : 'higher'} is better` : 'direction unknown';
}

/** The chart section: score against estimated latency, or against model size when the run has no estimates. */
function chartSection(r: RunReport): string {
  const latency = r.experiments.some((p) => p.estLatencyMs !== undefined);
  const chip = r.candidates.find((c) => c.cost)?.cost?.target ?? r.target ?? '';
  const svg = scatterSvg(r.experiments, {
    x: latency ? 'latency' : 'size', xTitle: latency ? `estimated latency on ${chip} (ms)` : 'model file size (KB)',
    yTitle: `score (${directionText(r)})`, ...(r.base ? { base: r.base } : {}),
  });
  if (!svg) return '<h2>Score vs cost</h2><p class="note">No experiment has a score with a latency estimate or a model file to plot.</p>';
  const front = r.experiments.filter((p) => p.pareto).sort((a, b) => a.estLatencyMs! - b.estLatencyMs!);
  const legend = `<div class="legend"><span><svg width="14" height="14"><circle cx="7" cy="7" r="5" fill="#0969da"/></svg> Top-${r.candidates.length}</span>` +
    '<span><svg width="14" height="14"><circle cx="7" cy="7" r="5" fill="#fff" stroke="#8c959f" stroke-width="1.5"/></svg> other experiments</span>' +
    (latency ? '<span><svg width="14" height="14"><circle cx="7" cy="7" r="5" fill="none" stroke="#bf3989" stroke-width="3"/></svg> Pareto front (nothing is both faster and better)</span>' : '') +
    (r.base ? '<span><svg width="22" height="10"><line x1="0" x2="22" y1="5" y2="5" stroke="#9a6700" stroke-dasharray="6 4"/></svg> base branch best score</span>' : '') +
    '<span>n× = experiments at the same point</span></div>';
  const frontText = latency && front.length > 0
    ? `<p>Pareto front: ${front.map((p) => `<b>${exp(p.index)}</b> (${esc(p.label)}: ${esc(fmtScore(p.score))} at ${esc(fmtMs(p.estLatencyMs))})`).join(' · ')}.</p>`
    : '';
  const unplotted = latency ? r.experiments.filter((p) => p.estLatencyMs === undefined).length : 0;
  const note = latency
    ? '<p class="note">Latency is the latency model\'s estimate for the chip (single core, model only), not a measurement; hover a point for its figures.' +
      `${unplotted ? ` ${unplotted} experiment(s) without an estimate (recorded by ESP-PPQ or an earlier version) are not plotted.` : ''}</p>`
    : '<p class="note">This run folder has no latency estimates (made by ESP-PPQ or an earlier version): the model file size stands in for cost.</p>';
  return `<h2>Score vs ${latency ? 'estimated latency' : 'model size'}</h2>${svg}${legend}${frontText}${note}`;
}

/** Layers sorted noisiest first (the best candidate's ratio); `max` rows. */
function noisiest(layers: readonly LayerNoise[], max: number): LayerNoise[] {
  return [...layers].sort((a, b) => b.candidate - a.candidate).slice(0, max);
}

function layerSection(r: RunReport, maxRows = 20): string {
  const ln = r.layerNoise;
  if (!ln || ln.layers.length === 0) return '';
  const rows = noisiest(ln.layers, maxRows);
  const top = Math.max(...rows.flatMap((l) => [l.candidate, l.baseline ?? 0])) || 1;
  const pct = (v: number): string => `${Math.max(0.5, (v / top) * 100).toFixed(1)}%`;
  const hasBase = ln.layers.some((l) => l.baseline !== undefined);
  const change = (l: LayerNoise): string => {
    if (l.baseline === undefined || l.baseline === 0) return '–';
    const ratio = l.candidate / l.baseline;
    return `<span class="${ratio <= 1 ? 'good' : 'bad'}">${ratio <= 1 ? '−' : '+'}${Math.abs((ratio - 1) * 100).toFixed(0)}%</span>`;
  };
  const body = rows.map((l) => `<tr><td class="name"><code>${esc(l.layer)}</code></td><td class="bars">` +
    `${l.baseline === undefined ? '' : `<div class="bar base" style="width:${pct(l.baseline)}" title="baseline ${esc(fmtRatio(l.baseline))}"></div>`}` +
    `<div class="bar cand" style="width:${pct(l.candidate)}" title="#${exp(ln.index)} ${esc(fmtRatio(l.candidate))}"></div></td>` +
    `<td class="n">${esc(fmtRatio(l.candidate))}</td>${hasBase ? `<td class="n">${l.baseline === undefined ? '–' : esc(fmtRatio(l.baseline))}</td><td class="n">${change(l)}</td>` : ''}</tr>`);
  const worst = rows.slice(0, 3).map((l) => `<code>${esc(l.layer)}</code> (${esc(fmtRatio(l.candidate))})`).join(', ');
  const more = ln.layers.length > rows.length ? ` The ${ln.layers.length - rows.length} quieter layers are not shown.` : '';
  return `<h2>Per-layer noise of the best candidate (${exp(ln.index)})</h2>` +
    `<p>Graph-wise noise/signal ratio of each computing layer's output (ESP-PPQ's graphwise_error_analyse; lower is better)` +
    `${hasBase ? ', the best candidate in blue against ESP-PPQ\'s default quantization (int8, kl) in grey' : ''}. Noisiest: ${worst}.${more}</p>` +
    `<table class="layers"><thead><tr><th>layer</th><th>noise/signal</th><th class="n">${exp(ln.index)}</th>` +
    `${hasBase ? '<th class="n">baseline</th><th class="n">change</th>' : ''}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function baseSection(r: RunReport): string {
  const b = r.base;
  if (!b) return '';
  const best = r.candidates[0];
  const est = best?.cost?.estimated;
  const items = [`best score <b>${esc(fmtScore(b.bestScore))}</b>${best ? ` (this run: <b>${esc(fmtScore(best.score))}</b>)` : ''}`];
  if (b.estLatencyMs !== undefined) items.push(`estimated latency ${esc(fmtMs(b.estLatencyMs))}${est ? ` (this run: ${esc(fmtMs(est.latency_ms))})` : ''}`);
  if (b.estRamBytes !== undefined) items.push(`estimated RAM ${esc(fmtBytes(b.estRamBytes))}${est ? ` (this run: ${esc(fmtBytes(est.ram_bytes))})` : ''}`);
  return `<div class="box">Base <code>${esc(b.branch)}</code>: ${items.join(' · ')}</div>`;
}

/** Full HTML document. */
export function renderHtml(r: RunReport): string {
  const target = r.target ? ` · target ${esc(r.target)}` : '';
  return '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>AutoQuant search report</title><style>${CSS}</style></head><body><main><h1>AutoQuant search report</h1>` +
    `<p class="meta">Run folder <code>${esc(r.runDir)}</code> · ${r.numExperiments} experiments · score: ${esc(directionText(r))}${target}</p>` +
    `${baseSection(r)}<h2>Top-${r.candidates.length}</h2>${r.candidates.length ? topKTable(r) + strategyDetails(r) : '<p>No candidate was evaluated.</p>'}` +
    `${chartSection(r)}${layerSection(r)}</main></body></html>\n`;
}
