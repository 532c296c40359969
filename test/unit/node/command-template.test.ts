/**
 * --evaluate-command placeholders are safe however they are quoted (issue 14): a path holding $(…), backticks,
 * quotes or ; reaches the command as one argument and never runs. Checked with the real shell (sh) on random
 * paths (fast-check, fixed seed) in every quoting context, plus the exact bindings for sh and cmd.exe.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExperimentRequest } from '../../../src/autoquant/runner.js';
import { InputError } from '../../../src/errors.js';
import { bindPlaceholders, placeholderEnv } from '../../../src/node/command-template.js';
import { commandEvaluator } from '../../../src/node/evaluators.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aq-cmd-'));
const canary = path.join(dir, 'PWNED');

/** Templates that print the placeholder's value as one argument, in each quoting context a user may write. */
const TEMPLATES = [
  "printf '%s' {qdq_onnx}",
  "printf '%s' \"{qdq_onnx}\"",
  "printf '%s' '{qdq_onnx}'",
  "printf '%s' \"prefix-{qdq_onnx}\" | cut -c8-",
  "printf '%s' \"$(printf '%s' {qdq_onnx})\"",
  "printf '%s' \"$(printf '%s' \"{qdq_onnx}\")\"",
  "printf '%s' \"`printf '%s' '{qdq_onnx}'`\"",
  "x=$( (printf '%s' {qdq_onnx}) ); printf '%s' \"$x\"",
];

/** Runs a bound template through sh with the path in the environment, as the evaluator does. */
function run(template: string, value: string): string {
  const { command } = bindPlaceholders(template, 'linux');
  const env = { PATH: process.env.PATH, ...placeholderEnv({ qdq_onnx: value, espdl: undefined, candidate_dir: undefined }, 'linux') };
  const r = spawnSync('/bin/sh', ['-c', command], { env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const hostile = fc.string({
  unit: fc.constantFrom(...'ab /.-_$()`\'";&|<>*?\\{}#!~\t'.split(''), `$(touch ${canary})`, `\`touch ${canary}\``, `'; touch ${canary}; '`, `"; touch ${canary}; "`),
  minLength: 1, maxLength: 12,
}).filter((s) => !s.startsWith('-') && !/[\n]/.test(s));

describe('evaluate-command placeholders', () => {
  it('pass any path through sh as exactly one argument, in every quoting context, and never run it', () => {
    fc.assert(fc.property(hostile, fc.constantFrom(...TEMPLATES), (value, template) => {
      // `$(…)` strips trailing newlines; none are generated. cut prints a newline.
      const out = run(template, value);
      expect(out.replace(/\n$/, template.includes('cut') ? '' : '\n')).toBe(value);
      expect(existsSync(canary)).toBe(false);
    }), { seed: 14, numRuns: 80 });
  });

  it('bind to variables, never to the text of a path', () => {
    const sh = (t: string) => bindPlaceholders(t, 'linux').command;
    expect(sh('eval.py {qdq_onnx} "{espdl}" \'{candidate_dir}\'')).toBe('eval.py "${ESPDL_QDQ_ONNX}" "${ESPDL_ESPDL}" \'\'"${ESPDL_CANDIDATE_DIR}"\'\'');
    expect(sh('a "$(b {espdl})" `c {espdl}`')).toBe('a "$(b "${ESPDL_ESPDL}")" `c "${ESPDL_ESPDL}"`');
    expect(sh('echo \\"{espdl}')).toBe('echo \\""${ESPDL_ESPDL}"');
    expect([...bindPlaceholders('x {espdl} {espdl} {candidate_dir}', 'linux').uses].sort()).toEqual(['candidate_dir', 'espdl']);
    const cmd = (t: string) => bindPlaceholders(t, 'win32').command;
    expect(cmd('python eval.py {qdq_onnx} "{espdl}" "x {candidate_dir} y"')).toBe('python eval.py "%ESPDL_QDQ_ONNX%" "%ESPDL_ESPDL%" "x %ESPDL_CANDIDATE_DIR% y"');
    expect(() => placeholderEnv({ qdq_onnx: 'C:\\a"b', espdl: undefined, candidate_dir: undefined }, 'win32')).toThrow(InputError);
  });

  it('refuse a template with an unclosed quote before any candidate runs', () => {
    for (const t of ['eval.py "{espdl}', "eval.py '{espdl}", 'eval.py $(cat {espdl}', 'a `b {espdl}']) {
      expect(() => commandEvaluator(t, { cwd: dir, env: {} })).toThrow(/the evaluate command has an unclosed/);
    }
  });

  it('a run folder named to inject (e.g. from the settings run_dir) is only ever an argument', async () => {
    const evil = path.join(dir, `run"; touch ${canary}; echo "$(touch ${canary})\`touch ${canary}\``, '0001');
    mkdirSync(evil, { recursive: true });
    const req = { index: 1, hash: 'h', strategy: {}, params: {}, candidateDir: evil } as unknown as ExperimentRequest;
    const node = process.execPath;
    for (const t of [`"${node}" -e "console.log(JSON.stringify({score: 1, p: process.argv[1]}))" "{qdq_onnx}"`,
      `"${node}" -e "console.log(JSON.stringify({score: 1, p: process.argv[1]}))" '{qdq_onnx}'`]) {
      const ev = commandEvaluator(t, { cwd: dir, env: { PATH: process.env.PATH } });
      const r = await ev(req, { files: ['model.espdl', 'model.qdq.onnx'] }, new AbortController().signal);
      expect((r as { extras: { p: string } }).extras.p).toBe(path.join(evil, 'model.qdq.onnx'));
    }
    expect(existsSync(canary)).toBe(false);
  });
});
