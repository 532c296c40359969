/** The `search` command end to end with a fake experiment runner (the quantizer is not under test here). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSearchCommand, parseSearchArgs, searchCommand } from '../../../src/cli/commands/search.js';
import type { CliContext } from '../../../src/cli/command.js';
import { parsePyJson } from '../../../src/autoquant/py-json.js';
import type { PyDict } from '../../../src/autoquant/py-value.js';
import { InputError, InternalError } from '../../../src/errors.js';
import { nullLogger } from '../../../src/log.js';
import { syntheticRunner } from '../../unit/autoquant/synthetic.js';

function capture(cwd: string, isTTY = false): CliContext & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), logger: nullLogger, cwd,
    env: { PATH: process.env.PATH }, isTTY, signal: new AbortController().signal };
}
const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'aq-cli-'));
const REAL = ['--model', 'm.onnx', '--calib', 'c.npy', '--target', 'esp32s3'];

describe('search --dry-run', () => {
  it('lists ESP-PPQ default fast stage 1 as JSON without a model', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'aq.yml'), 'space: espdl-default\nsearch_mode: fast\n');
    const ctx = capture(dir);
    expect(await searchCommand.run(['--config', 'aq.yml', '--dry-run', '--json'], ctx)).toBe(0);
    const list = JSON.parse(ctx.out.join('')) as { hash: string; params: { calib_algorithm: { method: string } } }[];
    expect(list).toHaveLength(48);
    expect(list[0].hash).toBe('b041719fcaf816d01c4aec555f065dde953400e1');
    expect(list.slice(0, 3).map((e) => e.params.calib_algorithm.method)).toEqual(['kl', 'percentile', 'mse']);
    expect(ctx.out.join('')).toContain('"gamma": 0.0');
  });
  it('exhaustive list = the order a real run uses; shards partition it', async () => {
    const dir = tmp();
    const ctx = capture(dir);
    await searchCommand.run(['--dry-run', '--json'], ctx);
    const all = (JSON.parse(ctx.out.join('')) as { hash: string }[]).map((e) => e.hash);
    expect(all).toHaveLength(24);
    const cmd = createSearchCommand(async () => syntheticRunner());
    await cmd.run([...REAL, '--run-dir', 'run'], capture(dir));
    const summary = parsePyJson(readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8')) as PyDict[];
    expect(summary.slice(0, 24).map((r) => r.hash)).toEqual(all);
    expect(summary).toHaveLength(25); // + the refinement of the best with TQT (text mode says so, see below)
    const s1 = capture(dir);
    await searchCommand.run(['--dry-run', '--json', '--shard', '1/5'], s1);
    expect((JSON.parse(s1.out.join('')) as { hash: string }[]).map((e) => e.hash)).toEqual(all.filter((_, i) => i % 5 === 1));
  });
  it('text mode lists tqt experiments and notes they train', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'aq.yml'), 'strategy_space: {tqt: [true]}\nparam_space: {tqt: {steps: [100], block_size: [4]}}\n');
    const ctx = capture(dir);
    await searchCommand.run(['--config', 'aq.yml', '--dry-run'], ctx);
    const text = ctx.out.join('');
    expect(text).toMatch(/^4 strategies, 48 exhaustive experiments\n/);
    expect(text).toContain('tqt(lr=1e-05, steps=100, block_size=4');
    expect(text).toContain('note: tqt train each candidate block by block');
    expect(text).not.toContain('then: the best candidate'); // the space searches tqt itself
    const quick = capture(dir);
    await searchCommand.run(['--dry-run'], quick);
    expect(quick.out.join('')).toContain('then: the best candidate is re-run with tqt (refine_with), unless the estimated training exceeds refine_max_minutes (10)');
  });
});

describe('search (fake runner)', () => {
  it('prints one progress line per experiment in CI, stops at --max-experiments, resumes', async () => {
    const dir = tmp();
    const cmd = createSearchCommand(async () => syntheticRunner());
    const ctx = capture(dir);
    expect(await cmd.run([...REAL, '--run-dir', 'r', '--max-experiments', '5', '--evaluate-command',
      `"${process.execPath}" -e "console.log(JSON.stringify({score: require('fs').readFileSync(process.argv[1], 'utf8').length, top1: 1}))" {espdl}`], ctx)).toBe(0);
    const lines = ctx.err.join('').trim().split('\n');
    expect(lines.slice(0, 5).map((l) => l.replace(/ score=.*/, ''))).toEqual(
      ['[1/25] 0000', '[2/25] 0001', '[3/25] 0002', '[4/25] 0003', '[5/25] 0004']);
    expect(lines[0]).toMatch(/^\[1\/25\] 0000 score=53 best=53 elapsed=\d+s$/);
    expect(lines[5]).toMatch(/^search stopped \(max-experiments\): 5 new, 0 skipped; .*continue with --resume$/);
    // The fake engine's 53-byte "model" is no .espdl the latency model can read: its estimate cells are dashes.
    expect(ctx.out.join('')).toMatch(/^\| # \| exp \| score \| top1 \| strategy \| latency \(est\.\) \| RAM \(est\.\) \| model size \|\n/);
    expect(ctx.out.join('')).toContain('| 1 | 0000 | 53 | 1 | int8 · kl | – | – | 53 B |');
    expect(ctx.out.join('')).toContain('Strategies in full:\n0000  int8 · kl\n');
    const again = capture(dir);
    await cmd.run([...REAL, '--run-dir', 'r', '--resume', '--json'], again);
    expect(again.err.filter((l) => l.includes('skipped (done)'))).toHaveLength(5);
    const res = JSON.parse(again.out.join('')) as { numExperiments: number; skipped: number; newExperiments: number; candidates: unknown[] };
    expect([res.numExperiments, res.skipped, res.newExperiments, res.candidates.length]).toEqual([25, 5, 20, 5]);
  });
  it('a TTY gets a redrawn bar with ETA', async () => {
    const dir = tmp();
    const ctx = capture(dir, true);
    await createSearchCommand(async () => syntheticRunner()).run([...REAL, '--max-experiments', '2'], ctx);
    expect(ctx.err[1]).toMatch(/^\r\x1b\[2K\[##-{22}\] 2\/25 · best [\d.]+ · ETA \d+s$/);
  });
  it('flag errors are InputErrors; a real run without an engine is an InternalError', async () => {
    expect(() => parseSearchArgs(['--shard', '3/3'])).toThrow(/--shard "3\/3": expected i\/n with 0 <= i < n/);
    expect(() => parseSearchArgs(['--search-mode', 'quick'])).toThrow(/--search-mode "quick": use one of exhaustive, fast/);
    expect(() => parseSearchArgs(['--target', 'esp8266'])).toThrow(InputError);
    expect(() => parseSearchArgs(['--evaluate', 'a.mjs', '--evaluate-command', 'x'])).toThrow(/either --evaluate or --evaluate-command/);
    expect(() => parseSearchArgs(['--bogus'])).toThrow(InputError);
    expect(parseSearchArgs(['--shard', '2/4', '--time-budget-minutes', '1.5', '--resume']))
      .toMatchObject({ shard: { index: 2, count: 4 }, timeBudgetMinutes: 1.5, resume: true, dryRun: false });
    await expect(createSearchCommand().run(REAL, capture(tmp()))).rejects.toThrow(InternalError);
    await expect(searchCommand.run(REAL, capture(tmp()))).rejects.toThrow(InputError);
    await expect(createSearchCommand(async () => syntheticRunner()).run(['--model', 'm.onnx'], capture(tmp()))).rejects.toThrow(/missing --calib/);
  });
});
