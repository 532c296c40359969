/** Shard merging through RunStores (src/autoquant/merge-runs.ts): the writes are the store's atomic ones. */
import { describe, expect, it } from 'vitest';
import { mergeRuns } from '../../../src/autoquant/merge-runs.js';
import { memoryStore } from './memory-store.js';

describe('mergeRuns', () => {
  it('replays the unsharded order into the output store with atomic writes only', async () => {
    const a = memoryStore('a');
    const b = memoryStore('b');
    a.files.set('summary.json', '[{"hash": "h0", "index": 0, "score": 0.5}, {"hash": "h2", "index": 1, "score": 0.1}]');
    b.files.set('summary.json', '[{"hash": "h1", "index": 0, "score": 0.3}]');
    await b.resetDir('0000');
    b.files.set('0000/model.espdl', 'h1');
    b.files.set('baseline_graphwise.json', '{"conv": 0.25}\n');
    const out = memoryStore('merged');
    const res = await mergeRuns([{ shard: 1, store: b }, { shard: 0, store: a }], out, { numOfCandidates: 2, direction: 'minimize', balance: null });
    expect(res.summary.map((r) => [r.hash, r.index, r.folder])).toEqual([['h0', 0, 'merged/0000'], ['h1', 1, 'merged/0001'], ['h2', 2, 'merged/0002']]);
    expect(res.candidates.map((r) => r.index)).toEqual([2, 1]);
    expect(out.writes).toEqual(['summary.json', 'candidates.json', 'baseline_graphwise.json']);
    expect(out.files.get('baseline_graphwise.json')).toBe('{"conv": 0.25}\n');
    expect(out.files.get('0001/model.espdl')).toBe('h1');
    expect([...out.files.keys()].filter((k) => k.startsWith('0000/') || k.startsWith('0002/'))).toEqual([]);
  });
});
