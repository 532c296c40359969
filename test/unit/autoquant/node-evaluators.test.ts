import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateEvaluation } from '../../../src/autoquant/evaluator.js';
import { dumps } from '../../../src/autoquant/py-json.js';
import type { ExperimentArtifacts, ExperimentRequest } from '../../../src/autoquant/runner.js';
import { InputError } from '../../../src/errors.js';
import { commandEvaluator, moduleEvaluator } from '../../../src/node/evaluators.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aq-eval-'));
const req = { index: 3, hash: 'abc', strategy: { calib_algorithm: { value: true, paramCandidates: [] } }, params: {}, candidateDir: dir } as unknown as ExperimentRequest;
const art: ExperimentArtifacts = { files: ['model.espdl', 'model.info', 'model.qdq.onnx'] };
const sig = new AbortController().signal;
const node = `"${process.execPath}"`;
const opts = { cwd: dir, env: { PATH: process.env.PATH } };

describe('command evaluator', () => {
  it('substitutes placeholders, sets env vars and reads the last stdout line', async () => {
    const ev = commandEvaluator(`${node} -e "console.log('progress 50%'); console.log(JSON.stringify({score: 97.5, top1: 97.5, ` +
      `a: process.argv[1], b: process.argv[2], e: process.env.ESPDL_QDQ_ONNX, d: process.env.ESPDL_CANDIDATE_DIR}))" {espdl} {qdq_onnx}`, opts);
    const r = validateEvaluation(await ev(req, art, sig), 'x');
    expect(r.score).toBe(97.5);
    expect(dumps(r.extras)).toBe(dumps({ top1: 97.5, a: `${dir}/model.espdl`, b: `${dir}/model.qdq.onnx`, e: `${dir}/model.qdq.onnx`, d: dir }));
  });
  it('keeps float/int kinds of the printed JSON', async () => {
    const ev = commandEvaluator(`${node} -e "console.log('{\\"score\\": 1.0, \\"n\\": 2}')"`, opts);
    expect(dumps((await ev(req, art, sig)) as never)).toBe('{"score": 1.0, "extras": {"n": 2}}');
  });
  it.each([
    [`${node} -e "console.error('boom'); process.exit(3)"`, /^candidate 0003 \(.*\): the evaluate command exited with 3: .*\nboom/s],
    [`${node} -e "console.log('done')"`, /candidate 0003 .*last stdout line is not JSON: done/],
    [`${node} -e "console.log('[1]')"`, /candidate 0003 .*must be a JSON object with "score"/],
    [`${node} -e ""`, /candidate 0003 .*printed nothing/],
    ['echo {candidate_dir} {qdq_onnx}', null],
  ])('fails clearly: %s', async (cmd, msg) => {
    const ev = commandEvaluator(cmd, opts);
    if (msg === null) {
      await expect(ev(req, { files: ['model.espdl'] }, sig)).rejects.toThrow(/candidate 0003 .*uses \{qdq_onnx\} but the candidate has no such file/);
      return;
    }
    const err = await ev(req, art, sig).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(msg);
  });
});

describe('JS module evaluator', () => {
  it('calls the default export with an EvaluateContext', async () => {
    const f = path.join(dir, 'eval.mjs');
    writeFileSync(f, 'export default async function evaluate(ctx) {\n' +
      '  const out = await ctx.run({ x: 1 });\n' +
      '  return { score: out.y, extras: { espdl: ctx.files.espdl, idx: ctx.index, calib: ctx.strategy.calib_algorithm } };\n}\n');
    const ev = await moduleEvaluator('eval.mjs', dir);
    const r = validateEvaluation(await ev(req, { ...art, run: async () => ({ y: 0.25 } as never) }, sig), 'x');
    expect(r).toEqual({ score: 0.25, extras: { espdl: `${dir}/model.espdl`, idx: 3, calib: true } });
  });
  it('errors name the module or the candidate', async () => {
    await expect(moduleEvaluator('missing.mjs', dir)).rejects.toThrow(/--evaluate missing\.mjs not found: /);
    writeFileSync(path.join(dir, 'none.mjs'), 'export const x = 1;\n');
    await expect(moduleEvaluator('none.mjs', dir)).rejects.toThrow(/must export default async function evaluate\(ctx\)/);
    writeFileSync(path.join(dir, 'throws.mjs'), 'export default async () => { throw new Error("no labels"); };\n');
    const ev = await moduleEvaluator('throws.mjs', dir);
    await expect(ev(req, art, sig)).rejects.toThrow(/candidate 0003 .*throws\.mjs threw: no labels/);
  });
});
