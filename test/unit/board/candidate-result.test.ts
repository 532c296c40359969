import { describe, expect, it } from 'vitest';
import { resultFromRecords } from '../../../src/board/candidate-result.js';
import type { BenchRecord } from '../../../src/board/protocol-records.js';

const records: BenchRecord[] = [
  { type: 'model', index: 0, name: 'model', bytes: 100 },
  { type: 'memory', index: 0, internal: 10, psram: 20, flash: 0 },
  { type: 'test', index: 0, result: 'fail' },
  { type: 'latency', index: 0, warmup: 1, runs_us: [10, 30, 20] },
  { type: 'done', models: 1 },
];

describe('resultFromRecords', () => {
  it('marks a failed on-device test but keeps the latency', () => {
    expect(resultFromRecords({ name: 'a', file: null, hasTestValues: true }, records)).toMatchObject({ status: 'test-failed', test: 'fail', latency_us: { median: 20, min: 10, max: 30 } });
  });
  it('reports none for a model exported without test values', () => {
    expect(resultFromRecords({ name: 'a', file: null, hasTestValues: false }, records)).toMatchObject({ status: 'ok', test: 'none', reason: null });
  });
  it('turns a firmware error record into an error result, and a missing latency too', () => {
    expect(resultFromRecords({ name: 'a', file: null }, [{ type: 'error', index: 0, code: 'load-failed', message: 'x' }])).toMatchObject({ status: 'error', reason: 'firmware error load-failed: x' });
    expect(resultFromRecords({ name: 'a', file: null }, [{ type: 'done', models: 1 }])).toMatchObject({ status: 'error', reason: 'the firmware finished without a latency record' });
  });
  it('ignores records of other models in a pack', () => {
    const r = resultFromRecords({ name: 'b', file: null }, [...records, { type: 'latency', index: 1, warmup: 0, runs_us: [99] }], 1);
    expect(r.latency_us?.runs).toEqual([99]);
    expect(r.test).toBeNull();
  });
});
