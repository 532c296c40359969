/** A self-contained HTML report (inline CSS and SVG, no external assets). */
import { pyShow } from '../autoquant/py-value.js';
import { fmtBytes, fmtScore, type RunReport } from './run-report.js';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#f3f3f3}
td.n{text-align:right;font-variant-numeric:tabular-nums}.warn{color:#a60}svg{border:1px solid #ddd;background:#fff}
.top{fill:#1f77b4}.rest{fill:#bbb}.cost{fill:none;stroke:#a60;stroke-width:1.5}`;

/** Scatter of every experiment: x = model size (or index when sizes are unknown), y = score; Top-K in blue. */
export function scatterSvg(r: RunReport, width = 640, height = 320): string {
  const pts = r.experiments;
  if (pts.length === 0) return '';
  const sized = pts.every((p) => p.modelBytes !== undefined);
  const xs = pts.map((p) => (sized ? p.modelBytes! : p.index));
  const ys = pts.map((p) => p.score);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const m = 40;
  const sx = (x: number): number => m + (x1 > x0 ? ((x - x0) / (x1 - x0)) * (width - 2 * m) : (width - 2 * m) / 2);
  const sy = (y: number): number => height - m - (y1 > y0 ? ((y - y0) / (y1 - y0)) * (height - 2 * m) : (height - 2 * m) / 2);
  const dots = pts.map((p, i) => `<circle cx="${sx(xs[i]).toFixed(1)}" cy="${sy(ys[i]).toFixed(1)}" r="${p.inTopK ? 5 : 3.5}" ` +
    `class="${p.inTopK ? 'top' : 'rest'}${p.lowLatency ? '' : ' cost'}"><title>#${p.index} score ${fmtScore(p.score)}` +
    `${sized ? ` · ${fmtBytes(p.modelBytes)}` : ''}${p.lowLatency ? '' : ' · int16/split'}</title></circle>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">` +
    `<line x1="${m}" y1="${height - m}" x2="${width - m}" y2="${height - m}" stroke="#888"/>` +
    `<line x1="${m}" y1="${m}" x2="${m}" y2="${height - m}" stroke="#888"/>` +
    `<text x="${width / 2}" y="${height - 8}" text-anchor="middle">${sized ? 'model size (bytes)' : 'experiment'}: ` +
    `${esc(sized ? `${fmtBytes(x0)} … ${fmtBytes(x1)}` : `${x0} … ${x1}`)}</text>` +
    `<text x="12" y="${m - 12}">score ${esc(fmtScore(y0))} … ${esc(fmtScore(y1))}</text>${dots.join('')}</svg>`;
}

/** Full HTML document. */
export function renderHtml(r: RunReport): string {
  const extraKeys = [...new Set(r.candidates.flatMap((c) => Object.keys(c.extras)))];
  const rows = r.candidates.map((c) => `<tr><td class="n">${c.rank}</td><td class="n">${String(c.index).padStart(4, '0')}</td>` +
    `<td class="n">${esc(fmtScore(c.score))}</td>` +
    extraKeys.map((k) => `<td class="n">${k in c.extras ? esc(typeof c.extras[k] === 'number' ? fmtScore(c.extras[k] as number) : pyShow(c.extras[k])) : ''}</td>`).join('') +
    `<td>${esc(c.strategy)}${c.lowLatency ? '' : ' <span class="warn">⚠ int16/split</span>'}</td>` +
    `<td class="n">${esc(fmtBytes(c.modelBytes))}</td><td>${esc(c.files.join(', '))}</td></tr>`);
  const dir = r.direction ? ` · score: ${r.direction === 'minimize' ? 'lower' : 'higher'} is better` : '';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>AutoQuant search report</title><style>${CSS}</style></head>` +
    `<body><h1>AutoQuant search report</h1><p>Run folder <code>${esc(r.runDir)}</code> · ${r.numExperiments} experiments${esc(dir)}` +
    `${r.target ? ` · target ${esc(r.target)}` : ''}</p>` +
    `<h2>Top-${r.candidates.length}</h2><table><thead><tr><th>#</th><th>exp</th><th>score</th>` +
    `${extraKeys.map((k) => `<th>${esc(k)}</th>`).join('')}<th>strategy</th><th>model size</th><th>files</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table><h2>Score vs cost</h2>${scatterSvg(r)}` +
    '<p>Blue: Top-K; grey: other experiments; orange ring: int16 promotion or layer split (slower on device).</p></body></html>\n';
}
