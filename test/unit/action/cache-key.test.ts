import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { baselineKeys, keySegment, runFolderKeys, searchFingerprint } from '../../../src/action/cache-key.js';
import { parseInputs } from '../../../src/action/inputs.js';

const ws = mkdtempSync(path.join(tmpdir(), 'key-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));
writeFileSync(path.join(ws, 'm.onnx'), 'model-v1');
mkdirSync(path.join(ws, 'calib'));
writeFileSync(path.join(ws, 'calib', 'a.npy'), 'A');
writeFileSync(path.join(ws, 'calib', 'b.npy'), 'B');

const cfgOf = (extra: Record<string, string> = {}) =>
  parseInputs((n) => ({ model: 'm.onnx', calib: 'calib', ...extra } as Record<string, string>)[n] ?? '');

describe('cache keys', () => {
  it('fingerprints model, data and search inputs but not the time budget', () => {
    const base = searchFingerprint(cfgOf(), ws, '0.1.0');
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(searchFingerprint(cfgOf({ 'time-budget-minutes': '5' }), ws, '0.1.0')).toBe(base);
    expect(searchFingerprint(cfgOf({ target: 'esp32s3' }), ws, '0.1.0')).not.toBe(base);
    expect(searchFingerprint(cfgOf(), ws, '0.2.0')).not.toBe(base);
    expect(searchFingerprint(cfgOf({ shard: '1/2' }), ws, '0.1.0')).not.toBe(base);
    writeFileSync(path.join(ws, 'calib', 'b.npy'), 'B2');
    expect(searchFingerprint(cfgOf(), ws, '0.1.0')).not.toBe(base);
    writeFileSync(path.join(ws, 'calib', 'b.npy'), 'B');
    expect(searchFingerprint(cfgOf(), ws, '0.1.0')).toBe(base);
  });

  it('names a missing input file', () => {
    expect(() => searchFingerprint(cfgOf({ model: 'missing.onnx' }), ws, '1')).toThrow("Input 'model': cannot read 'missing.onnx'");
  });

  it('saves per run attempt and restores by fingerprint prefix', () => {
    const k = runFolderKeys(cfgOf(), 'abcd', 'CI / search', '123', '2');
    expect(k.key).toBe('espdl-autoquant-CI_search-m.onnx-esp32p4-all-abcd-123-2');
    expect(k.restoreKeys).toEqual(['espdl-autoquant-CI_search-m.onnx-esp32p4-all-abcd-']);
    expect(runFolderKeys(cfgOf({ shard: '2/3' }), 'abcd', 'CI', '1', '1').key).toBe('espdl-autoquant-CI-m.onnx-esp32p4-s2of3-abcd-1-1');
    expect(() => runFolderKeys(cfgOf({ 'cache-key-prefix': 'a,b' }), 'x', 'w', '1', '1')).toThrow("Input 'cache-key-prefix' may not contain a comma");
  });

  it('keys baselines by branch', () => {
    const b = baselineKeys(cfgOf(), 'CI', 'feature/x', '9', '1');
    expect(b.save).toBe('espdl-autoquant-baseline-CI-m.onnx-esp32p4-feature_x-9-1');
    expect(b.restorePrefix('main')).toBe('espdl-autoquant-baseline-CI-m.onnx-esp32p4-main-');
  });

  it('shortens long segments with a hash suffix', () => {
    const s = keySegment('x'.repeat(100), 20);
    expect(s).toHaveLength(20);
    expect(s.startsWith('xxxxxxxxxxx_')).toBe(true);
  });
});
