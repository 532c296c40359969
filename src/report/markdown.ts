/**
 * Markdown rendering of a run report — the CLI's Top-K table, the Action's job summary and PR comment, the
 * `report` command: the Top-K table with short strategy labels, estimated latency and memory (and what a board
 * measured), the full strategies in a collapsed block, and a mermaid chart of score against estimated latency.
 * Every cell passes through escapeMarkdownText: strategies, extras and names may come from a fork's artifact.
 */
import { pyShow } from '../autoquant/py-value.js';
import { escapeMarkdownText } from './escape.js';
import { fmtBytes, fmtMs, fmtScore, measuredText, type ReportCandidate, type RunReport } from './run-report.js';

const exp = (i: number): string => String(i).padStart(4, '0');

function extraText(v: unknown): string {
  return typeof v === 'number' ? fmtScore(v) : pyShow(v as never);
}

/**
 * The Top-K table: rank, experiment, score, the evaluator's extras, a short strategy label (⚠ marks ESP-PPQ's
 * int16/split flag), estimated latency and RAM, the on-device result when bench measured one, model size.
 */
export function topKTable(r: RunReport): string {
  const extraKeys = [...new Set(r.candidates.flatMap((c) => Object.keys(c.extras)))];
  const measured = r.candidates.some((c) => c.cost?.measured);
  const head = ['#', 'exp', 'score', ...extraKeys, 'strategy', 'latency (est.)', 'RAM (est.)', ...(measured ? ['on device'] : []), 'model size'];
  const rows = r.candidates.map((c: ReportCandidate) => [
    String(c.rank), exp(c.index), fmtScore(c.score),
    ...extraKeys.map((k) => (k in c.extras ? extraText(c.extras[k]) : '')),
    c.label + (c.lowLatency ? '' : ' ⚠'), fmtMs(c.cost?.estimated?.latency_ms), fmtBytes(c.cost?.estimated?.ram_bytes),
    ...(measured ? [measuredText(c.cost)] : []), fmtBytes(c.modelBytes),
  ]);
  const numeric = new Set(['#', 'exp', 'score', 'latency (est.)', 'RAM (est.)', 'model size', ...extraKeys]);
  // Extras names come from the evaluator (a fork's, in mode report): the header is escaped like every cell.
  return [
    `| ${head.map(escapeMarkdownText).join(' | ')} |`, `|${head.map((h) => (numeric.has(h) ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(escapeMarkdownText).join(' | ')} |`),
  ].join('\n');
}

/** What the short labels leave out: each candidate's full strategy and files, collapsed (GitHub renders `<details>`). */
export function strategyDetails(r: RunReport): string {
  if (r.candidates.length === 0) return '';
  const notes = [
    r.candidates.some((c) => !c.lowLatency) ? '⚠ = int16 promotion or layer split (ESP-PPQ\'s low-latency filter counts them as costly). ' : '',
    r.candidates.some((c) => c.cost?.estimated) ? 'Latency and RAM are the latency model\'s estimates for the chip, not measurements.' : '',
  ].join('').trim();
  return [
    '<details><summary>Full strategies</summary>', '',
    '| exp | strategy | files |', '|---:|---|---|',
    ...r.candidates.map((c) => `| ${exp(c.index)} | ${escapeMarkdownText(c.strategy)} | ${escapeMarkdownText(c.files.join(', '))} |`),
    ...(notes ? ['', notes] : []), '', '</details>',
  ].join('\n');
}

/** The same for a terminal: one line per candidate. */
export function strategyLines(r: RunReport): string {
  return r.candidates.map((c) => `${exp(c.index)}  ${c.strategy}`).join('\n');
}

/**
 * Mermaid xychart of the Top-K: score as bars over the candidates ordered by estimated latency (labelled with
 * it), or by model size when the run has no estimates. xychart has no scatter plot, so the axis is the order.
 */
export function scoreCostChart(r: RunReport): string {
  if (r.candidates.length === 0) return '';
  const timed = r.candidates.every((c) => c.cost?.estimated !== undefined);
  const sized = !timed && r.candidates.every((c) => c.modelBytes !== undefined);
  const cost = (c: ReportCandidate): number => (timed ? c.cost!.estimated!.latency_ms : sized ? c.modelBytes! : 0);
  const cs = timed || sized ? [...r.candidates].sort((a, b) => cost(a) - cost(b) || a.rank - b.rank) : r.candidates;
  const labels = cs.map((c) => `"#${c.index}${timed ? ` ${fmtMs(cost(c))}` : sized ? ` ${fmtBytes(c.modelBytes)}` : ''}"`);
  const scores = cs.map((c) => c.score);
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  const pad = hi > lo ? (hi - lo) * 0.1 : Math.abs(hi) * 0.1 || 1;
  const chip = cs[0]?.cost?.target;
  const by = timed ? `estimated latency on ${chip}` : sized ? 'model size' : 'candidate';
  return [
    '```mermaid', 'xychart-beta',
    `  title "Top-${cs.length}: score${r.direction ? ` (${r.direction === 'minimize' ? 'lower' : 'higher'} is better)` : ''} by ${by}"`,
    `  x-axis [${labels.join(', ')}]`,
    `  y-axis "score" ${fmtScore(lo - pad)} --> ${fmtScore(hi + pad)}`,
    `  bar [${scores.map(fmtScore).join(', ')}]`,
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
    best ? `Best: experiment ${exp(best.index)} (score ${fmtScore(best.score)}): ${escapeMarkdownText(best.strategy)}` : 'No candidates yet.',
    '', topKTable(r), '', strategyDetails(r), '', scoreCostChart(r), '',
  ].join('\n');
}
