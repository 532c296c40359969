/**
 * The results text of the job summary and the PR comment: the gate's verdict and the base-vs-this-run
 * comparison (ours: best score, the evaluator's numeric extras, estimated latency and RAM), then the Top-K
 * table, the full strategies (collapsed) and the mermaid score-by-latency chart from src/report (the same
 * renderers as `espdl-autoquant report`). `stable` is the part that counts as "changed" for
 * `comment: on-change` (no links, no per-run counts).
 */
import { escapeMarkdownText as mdText } from '../report/escape.js';
import { scoreCostChart, strategyDetails, topKTable } from '../report/markdown.js';
import { fmtBytes, fmtMs, fmtScore, type RunReport } from '../report/run-report.js';
import type { GateResult } from '../app/score-gate.js';
import type { RunFacts } from './run-facts.js';


function signed(x: number): string {
  return `${x > 0 ? '+' : x < 0 ? '−' : '±'}${fmtScore(Math.abs(x))}`;
}

function comparisonTable(r: RunReport, facts: RunFacts): string {
  const best = r.candidates[0];
  const base = facts.baseline;
  const better = facts.direction === 'minimize' ? 'lower is better' : 'higher is better';
  const rows = [`| | ${base ? `base \`${mdText(base.branch)}\`` : 'base'} | this run | delta |`, '|---|---|---|---|'];
  // `unit` shows the difference in the row's unit (ms, KB); without it, as a plain number.
  const delta = (a: number | undefined, b: number | undefined, unit?: (x: number) => string): string => {
    if (a === undefined || b === undefined) return '–';
    const pct = b !== 0 ? ` (${signed(((a - b) / Math.abs(b)) * 100)}%)` : '';
    const d = a - b;
    return `${unit ? `${d > 0 ? '+' : d < 0 ? '−' : '±'}${unit(Math.abs(d))}` : signed(d)}${pct}`;
  };
  const cur = best?.score;
  rows.push(`| best score (${better}) | ${base ? fmtScore(base.bestScore) : '–'} | ${cur === undefined ? '–' : fmtScore(cur)} | ${delta(cur, base?.bestScore)} |`);
  const extras = Object.entries(best?.extras ?? {}).filter(([, v]) => typeof v === 'number').slice(0, 4) as [string, number][];
  for (const [k, v] of extras) {
    const b = base?.extras[k];
    rows.push(`| ${mdText(k)} | ${b === undefined ? '–' : fmtScore(b)} | ${fmtScore(v)} | ${delta(v, b)} |`);
  }
  const est = best?.cost?.estimated;
  if (est) {
    rows.push(`| latency (est., ${mdText(best!.cost!.target)}) | ${fmtMs(base?.estLatencyMs)} | ${fmtMs(est.latency_ms)} | ${delta(est.latency_ms, base?.estLatencyMs, fmtMs)} |`);
    rows.push(`| RAM (est.) | ${fmtBytes(base?.estRamBytes)} | ${fmtBytes(est.ram_bytes)} | ${delta(est.ram_bytes, base?.estRamBytes, fmtBytes)} |`);
  }
  return rows.join('\n');
}

function gateText(gate: GateResult | undefined, facts: RunFacts): string {
  if (facts.shard) return `Shard ${facts.shard.index}/${facts.shard.count}: the gate runs after \`mode: merge\`.`;
  if (!gate) return '';
  if (gate.passed) return '✅ **Quality gate passed**' + (facts.baseline ? '' : ' (no baseline result of the base branch yet)');
  return ['❌ **Quality gate failed**', ...gate.failures.map((f) => `- ${f}`)].join('\n');
}

export interface ResultsTextInput {
  report: RunReport;
  facts: RunFacts;
  gate: GateResult | undefined;
  artifactLink?: string | undefined;
  artifactName?: string | undefined;
  /** mode benchmark: the on-device section (src/report/bench.ts), placed after the Top-K table. */
  bench?: string | undefined;
  /**
   * Set when the results come from a run not proven to be of this repository (a fork's PR): says where from, in
   * a banner above everything, because its numbers and its verdict are that run's own claims (trust.ts).
   */
  untrustedOrigin?: string | undefined;
}

function untrustedBanner(origin: string): string {
  return `> [!WARNING]\n> These results were computed and uploaded by ${mdText(origin)}, whose code this repository does not ` +
    'control: the scores and the gate verdict below are what that run reported, not a check by this repository.';
}

/** The summary/comment markdown and its stable part. */
export function renderResults(inp: ResultsTextInput): { markdown: string; stable: string } {
  const { report: r, facts } = inp;
  const head = `## espdl-autoquant · \`${mdText(facts.model)}\` → ${mdText(facts.target)}`;
  const stable = [
    ...(inp.untrustedOrigin ? [untrustedBanner(inp.untrustedOrigin), ''] : []), head, '', gateText(inp.gate, facts), '', comparisonTable(r, facts), '',
    `### Top-${r.candidates.length} of ${r.numExperiments} experiments`, '',
    r.candidates.length ? `${topKTable(r)}\n\n${strategyDetails(r)}` : '_No candidate was evaluated._', '',
    ...(inp.bench ? [inp.bench, ''] : []), scoreCostChart(r),
  ].join('\n');
  const notes = [
    `${facts.experimentsRun} new experiment(s) in this run${facts.stopped ? ` (stopped early: ${mdText(facts.stopped)}; the next run resumes)` : ''}`,
    inp.artifactLink ? `artifact [${mdText(inp.artifactName ?? 'download')}](${inp.artifactLink})` : 'no artifact uploaded',
    facts.sha ? `commit ${mdText(facts.sha.slice(0, 7))}` : '',
  ].filter(Boolean);
  return { markdown: `${stable}\n\n<sub>${notes.join(' · ')}</sub>\n`, stable };
}
