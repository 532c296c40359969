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

  it('lists every broken limit and defuses markup from the artifact', () => {
    const { stable } = renderResults({ report, facts: { ...facts, model: '<img src=x> @team|x' }, gate: { passed: false, regressed: true, failures: ['a', 'b'] } });
    expect(stable).toContain('❌ **Quality gate failed**\n- a\n- b');
    expect(stable).toContain('`&lt;img src=x&gt; @\u200bteam\\|x`');
    expect(mdText('a\nb')).toBe('a b');
  });
});
