/**
 * The Action with the REAL quantization engine (realRunnerFactory, onnxruntime-node) on the bundled example
 * (examples/digits, its evaluator: top-1 accuracy in %), kept small: 2 experiments per run, 4 calibration steps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, type Harness } from './harness.js';
import { REPO_ROOT } from '../../helpers/paths.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  cpSync(path.join(REPO_ROOT, 'examples', 'digits'), path.join(h.ws, 'digits'), { recursive: true });
  // The example's settings without mixed precision: no baseline layer-wise pass, so the test stays short.
  writeFileSync(path.join(h.ws, 'digits', 'ci.yml'), 'space: quick\nscore_direction: maximize\nnum_of_candidates: 2\nstrategy_space:\n  mixed_precision: [false]\n');
});
afterAll(async () => h.close());

const inputs = {
  model: 'digits/model.onnx', calib: 'digits/calib.npy', config: 'digits/ci.yml', evaluate: 'digits/evaluate.mjs',
  target: 'esp32p4', 'max-experiments': '2', 'calib-steps': '4', 'github-token': 'tok', 'min-score': '50',
};

describe('mode search with the real quantizer on examples/digits', () => {
  it('runs 2 experiments and reports the best accuracy; the candidates are real .espdl files', async () => {
    const { realRunnerFactory } = await import('../../../src/node/search-runner-factory.js');
    const r1 = await h.run({ runId: 1, event: 'push', inputs, makeRunner: realRunnerFactory });
    expect(r1.failed).toEqual([]);
    expect(r1.outputs['experiments-run']).toBe('2');
    const summary = JSON.parse(readFileSync(path.join(h.ws, 'espdl-autoquant-run', 'summary.json'), 'utf8')) as { index: number; score: number; files: string[] }[];
    expect(summary.map((s) => s.index)).toEqual([0, 1]);
    const best = Math.max(...summary.map((s) => s.score)); // accuracy in %, maximize
    expect(Number(r1.outputs['best-score'])).toBe(best);
    expect(best).toBeGreaterThan(50);
    for (const s of summary) {
      const files = readdirSync(path.join(h.ws, 'espdl-autoquant-run', String(s.index).padStart(4, '0')));
      expect(files).toEqual(expect.arrayContaining(['model.espdl', 'config.json']));
      const espdl = readFileSync(path.join(h.ws, 'espdl-autoquant-run', String(s.index).padStart(4, '0'), 'model.espdl'));
      expect(espdl.subarray(0, 4).toString('latin1')).toBe('EDL2');
    }
  });
});
