/**
 * What a search writes beside ESP-PPQ's files, on the bundled example with the real quantizer: each candidate is
 * calibrated with the search's `--calib-steps` (as ESP-PPQ's quant_model passes calib_steps on), so candidate
 * 0000 of the quick space (int8, kl, espdl_setting() alignment) IS the `quantize` command's result: the same
 * per-layer graph-wise noise in `0000/graphwise.json`, and the same in `baseline_graphwise.json`, the reference
 * the reports compare with. Every record carries the latency model's estimate for the candidate's .espdl.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/paths.js';
import { runCli } from '../../helpers/cli.js';

const example = (f: string) => path.join(REPO_ROOT, 'examples', 'digits', f);
const json = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

describe('search candidate files (real quantizer, bundled example)', () => {
  it('calibrates candidates with --calib-steps and records per-layer noise and the latency estimate', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aq-cand-'));
    const common = ['--model', example('model.onnx'), '--calib', example('calib.npy'), '--target', 'esp32p4', '--calib-steps', '3'];
    const q = await runCli(['quantize', ...common, '--out', path.join(dir, 'q', 'model.espdl'), '--json']);
    expect(q.code, q.stderr).toBe(0);
    const reference = JSON.parse(q.stdout).graphwise_snr as Record<string, number>;
    expect(Object.keys(reference).length).toBeGreaterThan(5);

    const run = path.join(dir, 'run');
    const s = await runCli(['search', ...common, '--config', example('autoquant.yml'), '--run-dir', run, '--max-experiments', '1']);
    expect(s.code, s.stderr).toBe(0);
    const [record] = json(path.join(run, 'summary.json')) as Record<string, unknown>[];
    expect(record!.params).toMatchObject({ num_of_bits: { value: 8 }, calib_algorithm: { method: 'kl' }, mixed_precision: null, weight_equalization: null });
    expect(json(path.join(run, '0000', 'graphwise.json'))).toEqual(reference);
    expect(json(path.join(run, 'baseline_graphwise.json'))).toEqual(reference);
    expect(record!.score).toBe(json(path.join(run, 'candidates.json'))[0].score);

    // The estimate of the candidate's own .espdl, as `estimate` prints it for that file.
    const e = await runCli(['estimate', path.join(run, '0000', 'model.espdl'), '--target', 'esp32p4', '--json']);
    expect(e.code, e.stderr).toBe(0);
    const est = JSON.parse(e.stdout) as { latency_ms: number; memory_bytes: { internal: number; psram: number; flash: number } };
    const cost = (record as { espdl_autoquant: { target: string; estimated: { latency_ms: number } } }).espdl_autoquant;
    expect(cost.target).toBe('esp32p4');
    expect(cost.estimated).toMatchObject({ memory_bytes: est.memory_bytes, ram_bytes: est.memory_bytes.internal + est.memory_bytes.psram });
    expect(Math.abs(cost.estimated.latency_ms - est.latency_ms)).toBeLessThanOrEqual(0.05); // `estimate` prints 0.1 ms steps
  }, 180_000);
});
