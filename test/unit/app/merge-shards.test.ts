import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mergeShards } from '../../../src/app/merge-shards.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const strategy = { calib_algorithm: true, mixed_precision: false };
const rec = (hash: string, index: number, score: number) => ({
  hash, index, folder: `run/${String(index).padStart(4, '0')}`, files: ['model.espdl'], strategy, params: { calib_algorithm: { method: hash } }, score,
});

/** A shard folder: summary records (local indices) and the candidate folders it uploaded. */
function shard(root: string, name: string, records: ReturnType<typeof rec>[], uploaded: number[]): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(records));
  writeFileSync(path.join(dir, 'candidates.json'), JSON.stringify(records.filter((r) => uploaded.includes(r.index)).map(({ hash: _h, ...r }) => r)));
  for (const i of uploaded) {
    const f = path.join(dir, String(i).padStart(4, '0'));
    mkdirSync(f);
    writeFileSync(path.join(f, 'model.espdl'), records.find((r) => r.index === i)!.hash);
  }
  return dir;
}

describe('mergeShards', () => {
  it('interleaves back to unsharded order, drops repeated hashes, renumbers, copies folders and recomputes Top-K', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'merge-'));
    dirs.push(root);
    // Round-robin over 2 shards: global positions 0,2,4 in shard 1 and 1,3 in shard 2 (+ a repeat of h2).
    const s1 = shard(root, 's1', [rec('h0', 0, 0.5), rec('h2', 1, 0.2), rec('h4', 2, 0.9)], [1]);
    const s2 = shard(root, 's2', [rec('h1', 0, 0.3), rec('h3', 1, 0.2), rec('h2', 2, 0.2)], [0, 1]);
    const out = path.join(root, 'merged');
    const res = await mergeShards([{ shard: 2, dir: s2 }, { shard: 1, dir: s1 }], out, { numOfCandidates: 3, direction: 'minimize', balance: { cost: 'flags', latencyTolerance: 0.05 }, label: 'run' });
    expect(res.duplicates).toBe(1);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.map((r: { hash: string; index: number; folder: string }) => [r.hash, r.index, r.folder])).toEqual([
      ['h0', 0, 'run/0000'], ['h1', 1, 'run/0001'], ['h2', 2, 'run/0002'], ['h3', 3, 'run/0003'], ['h4', 4, 'run/0004'],
    ]);
    expect(Object.keys(summary[0])).toEqual(['hash', 'index', 'folder', 'files', 'strategy', 'params', 'score']);
    // minimize: 0.2 (idx 2), 0.2 (idx 3, tie broken by index), 0.3 (idx 1)
    const candidates = JSON.parse(readFileSync(path.join(out, 'candidates.json'), 'utf8'));
    expect(candidates.map((r: { index: number; score: number }) => [r.index, r.score])).toEqual([[2, 0.2], [3, 0.2], [1, 0.3]]);
    expect(candidates[0].hash).toBeUndefined();
    expect(readFileSync(path.join(out, '0002', 'model.espdl'), 'utf8')).toBe('h2');
    expect(readFileSync(path.join(out, '0003', 'model.espdl'), 'utf8')).toBe('h3');
    expect(readFileSync(path.join(out, '0001', 'model.espdl'), 'utf8')).toBe('h1');
    expect(existsSync(path.join(out, '0000'))).toBe(false);
  });

  it('keeps float scores as floats (1.0 stays 1.0 for ESP-PPQ readers)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'merge-'));
    dirs.push(root);
    const dir = path.join(root, 's1');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'summary.json'), '[{"hash": "a", "index": 0, "score": 1.0}]');
    writeFileSync(path.join(dir, 'candidates.json'), '[]');
    await mergeShards([{ shard: 1, dir }], path.join(root, 'm'), { numOfCandidates: 1, direction: 'maximize', balance: null, label: '' });
    expect(readFileSync(path.join(root, 'm', 'candidates.json'), 'utf8')).toContain('"score": 1.0');
  });

  it('refuses to merge nothing', async () => {
    await expect(mergeShards([], '/nonexistent', { numOfCandidates: 1, direction: 'maximize', balance: null, label: '' })).rejects.toThrow('no shard artifacts');
  });
});
