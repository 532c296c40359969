import { describe, expect, it } from 'vitest';
import { renderResults } from '../../../src/action/results-text.js';
import { escapeMarkdownText as mdText } from '../../../src/report/escape.js';
import type { RunFacts } from '../../../src/action/run-facts.js';
import type { RunReport } from '../../../src/report/run-report.js';

const facts: RunFacts = {
  version: 1, workflow: 'CI', model: 'net.onnx', target: 'esp32p4', direction: 'maximize', numOfCandidates: 2, balanced: true,
  experimentsRun: 3, stopped: null, branch: 'feature', baselineBranch: 'main', sha: 'abcdef123456', runId: '9',
  baseline: { bestScore: 80, direction: 'maximize', bestIndex: 4, extras: { top5: 95 }, branch: 'main', sha: 's', runId: '8' },
};
const report: RunReport = {
  runDir: '/w/run', direction: 'maximize', target: 'esp32p4', numExperiments: 3, experiments: [],
  candidates: [{ rank: 1, index: 2, folder: 'run/0002', score: 78, extras: { top5: 96 }, strategy: 'int8 · kl', label: 'int8 · kl', modelBytes: 2048, files: ['model.espdl'], lowLatency: true }],
};

describe('action report text', () => {
  it('compares base and this run with signed deltas and percentages', () => {
    const { markdown, stable } = renderResults({ report, facts, gate: { passed: true, regressed: false, failures: [], delta: -2 }, artifactLink: 'https://x/a/1', artifactName: 'aq' });
    expect(stable).toContain('| | base `main` | this run | delta |');
    expect(stable).toContain('| best score (higher is better) | 80 | 78 | −2 (−2.5%) |');
    expect(stable).toContain('| top5 | 95 | 96 | +1 (+1.05263%) |');
    expect(stable).toContain('✅ **Quality gate passed**');
    expect(stable).not.toContain('https://x/a/1');
    expect(markdown).toContain('3 new experiment(s) in this run · artifact [aq](https://x/a/1) · commit abcdef1');
  });

  it('compares estimated latency and RAM with the base branch, and charts the Top-K by estimated latency', () => {
    const cost = (ms: number, ram: number) => ({
      target: 'esp32p4', estimated: { latency_ms: ms, latency_band_ms: null, ram_bytes: ram, memory_bytes: { internal: 0, psram: ram, flash: 4096 }, calibrated: true },
    });
    const timed: RunReport = {
      ...report,
      candidates: [
        { ...report.candidates[0]!, cost: cost(1.5, 20_480) },
        { ...report.candidates[0]!, rank: 2, index: 5, score: 77, label: 'int8 · mse', cost: cost(1.2, 10_240) },
      ],
    };
    const base = { ...facts.baseline!, estLatencyMs: 2, estRamBytes: 10_240 };
    const { stable } = renderResults({ report: timed, facts: { ...facts, baseline: base }, gate: { passed: true, regressed: false, failures: [] } });
    expect(stable).toContain('| latency (est., esp32p4) | 2 ms | 1.5 ms | −0.5 ms (−25%) |');
    expect(stable).toContain('| RAM (est.) | 10.0 KB | 20.0 KB | +10.0 KB (+100%) |');
    expect(stable).toContain('| 1 | 0002 | 78 | 96 | int8 · kl | 1.5 ms | 20.0 KB | 2.0 KB |');
    expect(stable).toContain('<details><summary>Full strategies</summary>');
    // Faster first on the chart's axis, each bar labelled with its estimate.
    expect(stable).toContain('x-axis ["#5 1.2 ms", "#2 1.5 ms"]');
    expect(stable).toContain('bar [77, 78]');
  });

  it('lists every broken limit and defuses markup from the artifact', () => {
    const { stable } = renderResults({ report, facts: { ...facts, model: '<img src=x> @team|x' }, gate: { passed: false, regressed: true, failures: ['a', 'b'] } });
    expect(stable).toContain('❌ **Quality gate failed**\n- a\n- b');
    expect(stable).toContain('`&lt;img src=x&gt; @\u200bteam\\|x`');
    expect(mdText('a\nb')).toBe('a b');
  });
});
