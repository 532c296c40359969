/**
 * bench.json as text: one log line per candidate (the CLI's stderr, the Action's log) and the "on-device
 * benchmark" section of the Action's summary and PR comment (mode benchmark): per Top-K candidate, in Top-K
 * order, the on-device `Model::test()` result, latency (median/min/p90 of the firmware's timed runs, ms) and
 * memory.
 */
import type { BenchReport, CandidateResult } from '../board/bench-report.js';
import { escapeMarkdownText as mdText } from './escape.js';
import { fmtBytes, fmtScore } from './run-report.js';

/** One Top-K candidate as the search ranked it: its folder name (NNNN) and score. */
export interface RankedCandidate { name: string; score: number }

const ms = (us: number | undefined): string => (us === undefined ? '–' : (us / 1000).toFixed(2));
const bytes = (b: number | null | undefined): string => fmtBytes(b ?? undefined);
const TEST = { pass: '✅ pass', fail: '❌ fail', none: 'no test data' } as const;

function row(rank: number, c: RankedCandidate, r: CandidateResult | undefined, advisory: boolean): string {
  const lat = r?.latency_us ?? undefined;
  const status = r ? (r.status === 'ok' && !r.reason ? 'ok' : `${r.status}${r.reason ? `: ${mdText(r.reason.slice(0, 120))}` : ''}`) : 'not run';
  const test = r?.test ? `${TEST[r.test]}${advisory ? ' (QEMU, advisory)' : ''}` : '–';
  return `| ${rank} | \`${mdText(c.name)}\` | ${fmtScore(c.score)} | ${test} | ${ms(lat?.median)} | ${ms(lat?.min)} | ` +
    `${ms(lat?.p90)} | ${bytes(r?.memory_bytes?.internal)} | ${bytes(r?.memory_bytes?.psram)} | ${status} |`;
}

/** The markdown section; `limitMs` is max-latency-ms (shown in the heading when set). */
export function renderBenchSection(bench: BenchReport, ranked: RankedCandidate[], limitMs?: number): string {
  const byName = new Map(bench.candidates.map((c) => [c.name, c]));
  const okBoards = bench.boards.filter((b) => b.status === 'ok').length;
  const where = bench.mode === 'qemu' ? 'QEMU' : `${okBoards} of ${bench.boards.length} board(s)`;
  const lines = [
    `### On-device benchmark · ${mdText(bench.chip)} (${where}; median of ${bench.runs} timed run(s) after ${bench.warmup} warm-up)`, '',
    limitMs === undefined ? '' : `Latency limit (max-latency-ms): ${limitMs} ms for the Top-1 candidate.\n`,
    '| # | candidate | score | on-device test | median ms | min ms | p90 ms | internal RAM | PSRAM | status |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...ranked.map((c, i) => row(i + 1, c, byName.get(c.name), Boolean(bench.test_advisory))),
  ];
  if (bench.test_advisory) lines.push('', `> ⚠️ ${mdText(bench.test_advisory)}`);
  const lost = bench.boards.filter((b) => b.status !== 'ok');
  if (lost.length > 0) lines.push('', ...lost.map((b) => `- board \`${mdText(b.id)}\`: ${b.status}${b.reason ? ` (${mdText(b.reason)})` : ''}`));
  return lines.filter((l, i) => l !== '' || lines[i - 1] !== '').join('\n');
}

/** One log line per benchmarked candidate: status, on-device test, median latency (or instructions in QEMU). */
export function benchResultLine(c: CandidateResult, testAdvisory = false): string {
  const lat = c.latency_us ? `median ${(c.latency_us.median / 1000).toFixed(2)} ms` : c.icount ? `median ${c.icount.median} instructions` : '';
  return `${c.name}: ${c.status}${c.test ? ` test=${c.test}${testAdvisory ? ' (advisory)' : ''}` : ''} ${lat}${c.reason ? ` (${c.reason})` : ''}`;
}

/** The log lines of a bench report: one per candidate, then why its test results are advisory (QEMU). */
export function benchResultLines(report: BenchReport): string[] {
  const lines = report.candidates.map((c) => benchResultLine(c, Boolean(report.test_advisory)));
  return report.test_advisory ? [...lines, `note: ${report.test_advisory}`] : lines;
}
