/** The verdict on a run (src/app/verdict.ts): where the Action decides whether a PR's step fails. */
import { describe, expect, it } from 'vitest';
import { judgeRun } from '../../../src/app/verdict.js';

const base = { best: 0.12, direction: 'minimize' as const, baseline: 0.1, maxScoreDrop: { kind: 'percent' as const, value: 5 }, failOnRegression: true };

describe('judgeRun', () => {
  it('fails the step on a broken limit, naming it', () => {
    const v = judgeRun(base);
    expect(v.step).toBe('fail');
    expect(v.gate?.regressed).toBe(true);
    expect(v.message).toBe('Quality gate failed: best score 0.12 is worse than the baseline 0.1 by 0.02 (20%), more than max-score-drop 5% (0.005 allowed; score direction: minimize)');
  });
  it('only warns when fail-on-regression is false', () => {
    const v = judgeRun({ ...base, failOnRegression: false });
    expect([v.step, v.gate?.regressed]).toEqual(['warn', true]);
  });
  it('adds the latency gate to the score gate', () => {
    const latency = { passed: false, failures: ['candidate 0003 median latency 13 ms is above max-latency-ms 12 ms'], medianMs: 13 };
    const v = judgeRun({ ...base, best: 0.1, latency });
    expect(v.gate).toEqual({ passed: false, regressed: true, failures: latency.failures, delta: 0 });
    expect(v.message).toBe(`Quality gate failed: ${latency.failures[0]}`);
    expect(judgeRun({ ...base, best: 0.1, latency: { passed: true, failures: [] } })).toMatchObject({ step: 'pass', message: '' });
  });
  it('leaves a shard without a gate (it runs after the merge)', () => {
    expect(judgeRun({ ...base, shard: { index: 0, count: 2 } })).toEqual({ step: 'pass', message: '' });
  });
  it('fails when nothing was evaluated', () => {
    expect(judgeRun({ ...base, best: undefined }).message).toBe('Quality gate failed: no candidate was evaluated, so there is no best score to gate');
  });
});
