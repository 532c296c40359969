import { describe, expect, it } from 'vitest';
import { allowedDrop, evaluateGate, scoreDrop } from '../../../src/app/score-gate.js';

describe('evaluateGate', () => {
  it('passes within the allowed drop (maximize, absolute)', () => {
    const g = evaluateGate({ best: 70.5, baseline: 71, direction: 'maximize', maxScoreDrop: { kind: 'absolute', value: 0.5 } });
    expect(g).toEqual({ passed: true, regressed: false, failures: [], delta: -0.5 });
  });

  it('fails past the allowed drop and names both numbers and the limit (maximize, percent)', () => {
    const g = evaluateGate({ best: 68, baseline: 70, direction: 'maximize', maxScoreDrop: { kind: 'percent', value: 2 } });
    expect(g.passed).toBe(false);
    expect(g.regressed).toBe(true);
    // drop 2 = 2.85714% of 70; allowed 2% of 70 = 1.4
    expect(g.failures).toEqual([
      'best score 68 is worse than the baseline 70 by 2 (2.85714%), more than max-score-drop 2% (1.4 allowed; score direction: maximize)',
    ]);
  });

  it('treats a higher score as worse when minimizing', () => {
    const g = evaluateGate({ best: 0.12, baseline: 0.1, direction: 'minimize', maxScoreDrop: { kind: 'percent', value: 10 } });
    expect(g.failures).toEqual([
      'best score 0.12 is worse than the baseline 0.1 by 0.02 (20%), more than max-score-drop 10% (0.01 allowed; score direction: minimize)',
    ]);
    expect(evaluateGate({ best: 0.09, baseline: 0.1, direction: 'minimize', maxScoreDrop: { kind: 'absolute', value: 0 } }).passed).toBe(true);
  });

  it('checks min-score as a floor (maximize) or a ceiling (minimize)', () => {
    expect(evaluateGate({ best: 69.9, direction: 'maximize', minScore: 70 }).failures).toEqual(['best score 69.9 is below min-score 70 (score direction: maximize)']);
    expect(evaluateGate({ best: 70, direction: 'maximize', minScore: 70 }).passed).toBe(true);
    expect(evaluateGate({ best: 0.3, direction: 'minimize', minScore: 0.25 }).failures).toEqual(['best score 0.3 is above min-score 0.25 (score direction: minimize)']);
  });

  it('reports both broken limits', () => {
    const g = evaluateGate({ best: 50, baseline: 60, direction: 'maximize', minScore: 55, maxScoreDrop: { kind: 'absolute', value: 1 } });
    expect(g.failures).toHaveLength(2);
  });

  it('skips the drop limit without a baseline and fails without a best score', () => {
    expect(evaluateGate({ best: 1, direction: 'maximize', maxScoreDrop: { kind: 'absolute', value: 0 } })).toEqual({ passed: true, regressed: false, failures: [] });
    expect(evaluateGate({ best: undefined, direction: 'maximize' }).regressed).toBe(true);
  });

  it('computes drops and allowances', () => {
    expect(scoreDrop(9, 10, 'maximize')).toBe(1);
    expect(scoreDrop(9, 10, 'minimize')).toBe(-1);
    expect(allowedDrop({ kind: 'percent', value: 50 }, -4)).toBe(2);
  });
});
