import { describe, expect, it } from 'vitest';
import { defaultEvaluator, validateEvaluation } from '../../../src/autoquant/evaluator.js';
import { dumps } from '../../../src/autoquant/py-json.js';
import type { ExperimentRequest } from '../../../src/autoquant/runner.js';
import { InputError } from '../../../src/errors.js';

const req = { index: 3, hash: 'h', strategy: {}, params: {}, candidateDir: '/r/0003' } as unknown as ExperimentRequest;
const sig = new AbortController().signal;

describe('evaluator results (interface.py::_eval_once checks)', () => {
  it.each([
    [42, /must return \{score, extras\}, got number 42/],
    [[1, {}], /must return \{score, extras\}, got an array/],
    [{ score: true }, /score must be a real number, got boolean true/],
    [{ score: '1' }, /score must be a real number, got string 1/],
    [{ score: 1, extras: [1] }, /extras must be an object, got an array/],
    [{ score: 1, extras: { index: 1, files: 2, ok: 3 } }, /must not contain reserved keys \[files, index\]; reserved key set is \[files, folder, hash, index, params, score, strategy\]/],
    [{ score: Number.NaN }, /score must be finite, got NaN/],
    [{ score: -Infinity }, /score must be finite/],
  ])('rejects %j', (raw, msg) => {
    const err = (() => { try { validateEvaluation(raw, 'candidate 0003 (/r/0003)'); } catch (e) { return e; } return null; })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^candidate 0003 \(\/r\/0003\): /);
    expect((err as Error).message).toMatch(msg);
  });
  it('accepts a score with no extras', () => {
    expect(validateEvaluation({ score: 2 }, 'x')).toEqual({ score: 2, extras: {} });
  });
  it('default evaluator: mean of the 3 largest graph-wise ratios', async () => {
    const r = await defaultEvaluator(req, { files: [], graphwise: { a: 0.5, b: 0.1, c: 0.25, d: 0.75, e: 0 } }, sig);
    const ev = validateEvaluation(r, 'x');
    expect(ev.score).toBeCloseTo((0.75 + 0.5 + 0.25) / 3, 15);
    expect(dumps(ev.extras)).toBe('{"topn_mean_error": 0.5, "topn_used": 3, "num_layers": 5}');
    const two = validateEvaluation(await defaultEvaluator(req, { files: [], graphwise: { a: 1, b: 3 } }, sig), 'x');
    expect(dumps(two.extras)).toBe('{"topn_mean_error": 2.0, "topn_used": 2, "num_layers": 2}');
  });
  it('default evaluator without layers fails naming the candidate', async () => {
    await expect(defaultEvaluator(req, { files: [] }, sig)).rejects.toThrow(/candidate 0003: default evaluator: .*no layers/);
  });
});
