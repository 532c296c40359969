/**
 * The real `search` command on the bundled example with the real quantizer: a fast-mode run folder with
 * ESP-PPQ's record shapes, killed with SIGKILL part-way and resumed, ends with every experiment exactly once,
 * and with the quick space's refinement: the best candidate re-run with TQT (500 steps), which lowers its error.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, REPO_ROOT } from '../../helpers/paths.js';
import { runCli } from '../../helpers/cli.js';

const example = (f: string) => path.join(REPO_ROOT, 'examples', 'digits', f);
const CONFIG = `search_mode: fast
top_strategy: 1
early_stop_patience: 1
strategy_space:
  weight_equalization: [true, false]
  mixed_precision: [true, false]
param_space:
  calib_algorithm: {method: [kl, percentile]}
  weight_equalization: {iterations: [10], value_threshold: [0.5], opt_level: [2]}
`;

function args(dir: string, extra: string[] = []): string[] {
  return ['search', '--model', example('model.onnx'), '--calib', example('calib.npy'), '--target', 'esp32p4',
    '--config', path.join(dir, 'aq.yml'), '--run-dir', path.join(dir, 'run'), '--calib-steps', '4', ...extra];
}

/** Runs the built CLI in a child process and SIGKILLs it after `after` finished experiments. */
function runAndKill(dir: string, after: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(REPO_ROOT, 'lib', 'cli', 'index.js'), ...args(dir)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let done = 0;
    p.stderr.on('data', (d: Buffer) => {
      done += (d.toString().match(/^\[\d+/gm) ?? []).length;
      if (done >= after) p.kill('SIGKILL');
    });
    p.on('error', reject);
    p.on('exit', () => resolve(done));
  });
}

const keysOf = (o: object) => Object.keys(o);

describe('search on the bundled example (real quantizer)', () => {
  it('survives kill -9, resumes, and writes ESP-PPQ-shaped records', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aq-example-'));
    writeFileSync(path.join(dir, 'aq.yml'), CONFIG);
    const killedAfter = await runAndKill(dir, 3);
    expect(killedAfter).toBeGreaterThanOrEqual(3);
    const r = await runCli([...args(dir, ['--resume'])]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[skip\]|skipped/);

    const run = path.join(dir, 'run');
    const summary = JSON.parse(readFileSync(path.join(run, 'summary.json'), 'utf8')) as Record<string, unknown>[];
    const candidates = JSON.parse(readFileSync(path.join(run, 'candidates.json'), 'utf8')) as Record<string, unknown>[];
    // 4 strategies × 2 calibration methods in stage 1; stage 2 has nothing new with single-valued knobs;
    // then the refinement of the best of them with TQT.
    expect(summary).toHaveLength(9);
    expect(summary.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(summary.map((s) => s.hash)).size).toBe(9);
    const folders = readdirSync(run).filter((f) => /^\d{4}$/.test(f)).sort();
    expect(folders).toEqual(['0000', '0001', '0002', '0003', '0004', '0005', '0006', '0007', '0008']);
    const searched = summary.slice(0, 8), refined = summary[8]!;
    const best = searched.reduce((a, b) => ((b.score as number) < (a.score as number) ? b : a));
    expect(refined.strategy).toEqual({ ...(best.strategy as object), tqt: true });
    expect((refined.params as Record<string, Record<string, unknown>>).tqt).toMatchObject({ lr: 1e-5, steps: 500, block_size: 4 });
    expect(refined.score as number).toBeLessThan(best.score as number);

    const ppqSummary = JSON.parse(readFileSync(fixture('digits', 'autoquant_default', 'summary.json'), 'utf8'));
    const ppqCandidates = JSON.parse(readFileSync(fixture('digits', 'autoquant_default', 'candidates.json'), 'utf8'));
    const ppqConfig = JSON.parse(readFileSync(fixture('digits', 'autoquant_default', '0000', 'config.json'), 'utf8'));
    // ESP-PPQ's keys in ESP-PPQ's order, then our one extras key (latency and memory, src/autoquant/deployment-cost.ts).
    expect(keysOf(summary[0]!)).toEqual([...keysOf(ppqSummary[0]), 'espdl_autoquant']);
    expect(keysOf(candidates[0]!)).toEqual([...keysOf(ppqCandidates[0]), 'espdl_autoquant']);
    const config = JSON.parse(readFileSync(path.join(run, '0000', 'config.json'), 'utf8'));
    expect(keysOf(config)).toEqual(keysOf(ppqConfig));
    expect(keysOf(config.runtime)).toEqual(keysOf(ppqConfig.runtime));
    expect(keysOf(config.params)).toEqual(keysOf(ppqConfig.params));
    expect(summary[0]!.files).toEqual(['model.espdl', 'model.info', 'model.json', 'model.qdq.onnx']);
    expect(candidates).toHaveLength(5);
    const scores = candidates.map((c) => c.score as number);
    expect([...scores].sort((a, b) => a - b)).toEqual(scores);
  }, 240_000);
});
