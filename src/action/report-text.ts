/**
 * The Action's report text: gate verdict and base-vs-this-run comparison (ours), then the Top-K table and
 * the mermaid score-vs-cost chart from src/report (the same renderers as `espdl-autoquant report`).
 * `stable` is the part that counts as "changed" for `comment: on-change` (no links, no per-run counts).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { escapeMarkdownText as mdText } from '../report/escape.js';
import { renderHtml } from '../report/html.js';
import { scoreCostChart, topKTable } from '../report/markdown.js';
import { fmtScore, type RunReport } from '../report/run-report.js';
import type { GateResult } from './gate.js';
import type { ReportData } from './report-data.js';

export const HTML_REPORT_FILE = 'report.html';

function signed(x: number): string {
  return `${x > 0 ? '+' : x < 0 ? '−' : '±'}${fmtScore(Math.abs(x))}`;
}

function comparisonTable(r: RunReport, data: ReportData): string {
  const best = r.candidates[0];
  const base = data.baseline;
  const better = data.direction === 'minimize' ? 'lower is better' : 'higher is better';
  const rows = [`| | ${base ? `base \`${mdText(base.branch)}\`` : 'base'} | this run | delta |`, '|---|---|---|---|'];
  const delta = (a: number | undefined, b: number | undefined): string => {
    if (a === undefined || b === undefined) return '–';
    const pct = b !== 0 ? ` (${signed(((a - b) / Math.abs(b)) * 100)}%)` : '';
    return `${signed(a - b)}${pct}`;
  };
  const cur = best?.score;
  rows.push(`| best score (${better}) | ${base ? fmtScore(base.bestScore) : '–'} | ${cur === undefined ? '–' : fmtScore(cur)} | ${delta(cur, base?.bestScore)} |`);
  const extras = Object.entries(best?.extras ?? {}).filter(([, v]) => typeof v === 'number').slice(0, 4) as [string, number][];
  for (const [k, v] of extras) {
    const b = base?.extras[k];
    rows.push(`| ${mdText(k)} | ${b === undefined ? '–' : fmtScore(b)} | ${fmtScore(v)} | ${delta(v, b)} |`);
  }
  return rows.join('\n');
}

function verdict(gate: GateResult | undefined, data: ReportData): string {
  if (data.shard) return `Shard ${data.shard.index}/${data.shard.count}: the gate runs after \`mode: merge\`.`;
  if (!gate) return '';
  if (gate.passed) return '✅ **Quality gate passed**' + (data.baseline ? '' : ' (no baseline result of the base branch yet)');
  return ['❌ **Quality gate failed**', ...gate.failures.map((f) => `- ${f}`)].join('\n');
}

export interface ActionReportInput {
  report: RunReport;
  data: ReportData;
  gate: GateResult | undefined;
  artifactLink?: string | undefined;
  artifactName?: string | undefined;
  /** mode benchmark: the on-device section (bench-text.ts), placed after the Top-K table. */
  bench?: string | undefined;
}

/** The summary/comment markdown and its stable part. */
export function renderActionReport(inp: ActionReportInput): { markdown: string; stable: string } {
  const { report: r, data } = inp;
  const head = `## espdl-autoquant · \`${mdText(data.model)}\` → ${mdText(data.target)}`;
  const stable = [
    head, '', verdict(inp.gate, data), '', comparisonTable(r, data), '',
    `### Top-${r.candidates.length} of ${r.numExperiments} experiments`, '',
    r.candidates.length ? topKTable(r) : '_No candidate was evaluated._', '', ...(inp.bench ? [inp.bench, ''] : []), scoreCostChart(r),
  ].join('\n');
  const notes = [
    `${data.experimentsRun} new experiment(s) in this run${data.stopped ? ` (stopped early: ${data.stopped}; the next run resumes)` : ''}`,
    inp.artifactLink ? `artifact [${mdText(inp.artifactName ?? 'download')}](${inp.artifactLink})` : 'no artifact uploaded',
    data.sha ? `commit ${mdText(data.sha.slice(0, 7))}` : '',
  ].filter(Boolean);
  return { markdown: `${stable}\n\n<sub>${notes.join(' · ')}</sub>\n`, stable };
}

/** Writes the self-contained HTML report into the run folder. */
export function writeHtmlReport(runDir: string, r: RunReport): string {
  const file = path.join(runDir, HTML_REPORT_FILE);
  writeFileSync(file, renderHtml(r));
  return file;
}
