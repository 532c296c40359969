/** Markdown rendering of a run report: the Top-K table and a mermaid score-vs-size chart. */
import { pyShow } from '../autoquant/py-value.js';
import { escapeMarkdownText } from './escape.js';
import { fmtBytes, fmtScore, type RunReport } from './run-report.js';

/** The Top-K table (rank, index, score, extras, strategy, model size, files). */
export function topKTable(r: RunReport): string {
  const extraKeys = [...new Set(r.candidates.flatMap((c) => Object.keys(c.extras)))];
  const head = ['#', 'exp', 'score', ...extraKeys, 'strategy', 'model size', 'files'];
  const rows = r.candidates.map((c) => [
    String(c.rank), String(c.index).padStart(4, '0'), fmtScore(c.score),
    ...extraKeys.map((k) => (k in c.extras ? (typeof c.extras[k] === 'number' ? fmtScore(c.extras[k] as number) : pyShow(c.extras[k])) : '')),
    c.strategy + (c.lowLatency ? '' : ' ⚠ int16/split'), fmtBytes(c.modelBytes), c.files.join(', '),
  ]);
  // Extras names come from the evaluator (a fork's, in mode report): the header is escaped like every cell.
  return [
    `| ${head.map(escapeMarkdownText).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(escapeMarkdownText).join(' | ')} |`),
  ].join('\n');
}

/**
 * Mermaid xychart of the Top-K: score (line + bars) over candidates ordered by model size (cost on device).
 * Falls back to candidate order when sizes are unknown.
 */
export function scoreCostChart(r: RunReport): string {
  if (r.candidates.length === 0) return '';
  const sized = r.candidates.every((c) => c.modelBytes !== undefined);
  const cs = sized ? [...r.candidates].sort((a, b) => a.modelBytes! - b.modelBytes! || a.rank - b.rank) : r.candidates;
  const labels = cs.map((c) => `"#${c.index}${sized ? ` ${fmtBytes(c.modelBytes)}` : ''}"`);
  const scores = cs.map((c) => c.score);
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  const pad = hi > lo ? (hi - lo) * 0.1 : Math.abs(hi) * 0.1 || 1;
  return [
    '```mermaid', 'xychart-beta',
    `  title "Top-${cs.length}: score${r.direction ? ` (${r.direction === 'minimize' ? 'lower' : 'higher'} is better)` : ''} vs ${sized ? 'model size' : 'candidate'}"`,
    `  x-axis [${labels.join(', ')}]`,
    `  y-axis "score" ${fmtScore(lo - pad)} --> ${fmtScore(hi + pad)}`,
    `  bar [${scores.map(fmtScore).join(', ')}]`,
    `  line [${scores.map(fmtScore).join(', ')}]`,
    '```',
  ].join('\n');
}

/** Full markdown report. */
export function renderMarkdown(r: RunReport): string {
  const best = r.candidates[0];
  return [
    '# AutoQuant search report', '',
    `Run folder: \`${escapeMarkdownText(r.runDir)}\` · ${r.numExperiments} experiments · Top-${r.candidates.length}` +
      (r.direction ? ` · score: ${r.direction === 'minimize' ? 'lower' : 'higher'} is better` : '') + (r.target ? ` · target ${escapeMarkdownText(r.target)}` : ''),
    '',
    best ? `Best: experiment ${String(best.index).padStart(4, '0')} (score ${fmtScore(best.score)}): ${escapeMarkdownText(best.strategy)}` : 'No candidates yet.',
    '', topKTable(r), '', scoreCostChart(r), '',
  ].join('\n');
}
