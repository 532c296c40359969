/**
 * The real search against ESP-PPQ's own AutoQuant run on the same model, data and space
 * (fixtures/digits/autoquant_default: fast mode, equalization × bias correction × mixed precision): the first
 * experiments are the same candidates in the same order, scored like ESP-PPQ within 1 % (measured over all 48:
 * same order, every score within 0.04 %).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../helpers/paths.js';
import { runCli } from '../../helpers/cli.js';

describe('search parity with ESP-PPQ (digits, autoquant_default)', () => {
  it('runs the same first experiments in the same order with ESP-PPQ\'s scores', async () => {
    const meta = JSON.parse(readFileSync(fixture('digits', 'autoquant_default', 'run_meta.json'), 'utf8'));
    const ppq = JSON.parse(readFileSync(fixture('digits', 'autoquant_default', 'summary.json'), 'utf8')) as { hash: string; score: number }[];
    const dir = mkdtempSync(path.join(tmpdir(), 'aq-ppq-'));
    writeFileSync(path.join(dir, 'aq.json'), JSON.stringify({
      search_mode: 'fast', space: 'espdl-default', top_strategy: meta.top_strategy, early_stop_patience: meta.early_stop_patience,
      num_of_candidates: meta.num_of_candidates, strategy_space: meta.strategy_space, param_space: meta.param_space,
    }));
    const n = 4;
    const r = await runCli(['search', '--model', fixture('digits', 'model.onnx'), '--calib', fixture('digits', 'calib.npy'),
      '--target', 'esp32p4', '--config', path.join(dir, 'aq.json'), '--run-dir', path.join(dir, 'run'), '--calib-steps', '8',
      '--max-experiments', String(n)]);
    expect(r.code, r.stderr).toBe(0);
    const ours = JSON.parse(readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8')) as { hash: string; score: number }[];
    expect(ours.map((e) => e.hash)).toEqual(ppq.slice(0, n).map((e) => e.hash));
    ours.forEach((e, i) => expect(Math.abs(e.score - ppq[i]!.score) / ppq[i]!.score, `experiment ${i}`).toBeLessThan(0.01));
  }, 180_000);
});
