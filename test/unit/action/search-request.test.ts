/** The Action's inputs as a search request (src/action/search-mode.ts → src/app/search.ts). */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ActionDeps } from '../../../src/action/deps.js';
import { parseInputs } from '../../../src/action/inputs.js';
import { searchRequest } from '../../../src/action/search-mode.js';
import { loadSearchSettings } from '../../../src/app/search.js';
import { InputError } from '../../../src/errors.js';

const ws = mkdtempSync(path.join(tmpdir(), 'search-req-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const cfgOf = (extra: Record<string, string> = {}) =>
  parseInputs((n) => ({ model: 'm.onnx', calib: 'calib', ...extra } as Record<string, string>)[n] ?? '');
const log = { debug() {}, info() {}, warn() {}, error() {}, group: <T>(_n: string, fn: () => Promise<T>) => fn() };
const deps = { workspace: ws, env: {}, log, signal: new AbortController().signal } as unknown as ActionDeps;

describe('bits input', () => {
  it('becomes param_space.num_of_bits.value of the search settings, and nothing is written into the workspace', async () => {
    writeFileSync(path.join(ws, 'aq.yml'), '# mine\nnum_of_candidates: 3\nparam_space:\n  calib_algorithm:\n    method: [kl]\n');
    const before = readdirSync(ws);
    const plain = await loadSearchSettings(searchRequest(cfgOf({ config: 'aq.yml' }), deps, false));
    expect(plain.param_space['num_of_bits']).toEqual({ value: [8] });
    const s = await loadSearchSettings(searchRequest(cfgOf({ config: 'aq.yml', bits: '16' }), deps, false));
    expect(s.num_of_candidates).toBe(3);
    expect(s.param_space['num_of_bits']).toEqual({ value: [16] });
    expect(s.param_space['calib_algorithm']).toEqual({ method: ['kl'] });
    const bare = await loadSearchSettings(searchRequest(cfgOf({ bits: '16' }), deps, false));
    expect(bare.param_space['num_of_bits']).toEqual({ value: [16] });
    expect(readdirSync(ws)).toEqual(before);
    expect(existsSync(path.join(ws, '.espdl-autoquant'))).toBe(false);
  });
});

describe('search request', () => {
  it('carries the run folder as written, the resume decision, the shard and the evaluator', () => {
    const req = searchRequest(cfgOf({ 'run-dir': 'runs/a/', shard: '1/3', 'evaluate-command': 'python e.py {espdl}', 'input-shape': '1,3,8,8', 'input-value': 'sr=16000 gain=0.5' }), deps, true);
    expect(req).toMatchObject({
      model: 'm.onnx', calib: 'calib', target: 'esp32p4', cwd: ws, shard: { index: 1, count: 3 }, inputShape: [1, 3, 8, 8],
      inputValues: { sr: [16000], gain: [0.5] },
      evaluator: { command: 'python e.py {espdl}' }, overrides: { run_dir: 'runs/a/', resume: true },
    });
    expect(searchRequest(cfgOf(), deps, false).overrides?.resume).toBeUndefined();
  });
  it('names a missing calib input', () => {
    const cfg = parseInputs((n) => (n === 'model' ? 'm.onnx' : ''));
    expect(() => searchRequest(cfg, deps, false)).toThrow(InputError);
    expect(() => searchRequest(cfg, deps, false)).toThrow("Input 'calib' is required when mode is search");
  });
});
