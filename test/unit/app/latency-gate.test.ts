import { describe, expect, it } from 'vitest';
import { benchResult } from '../../helpers/bench-result.js';
import { evaluateLatencyGate, medianMs } from '../../../src/app/latency-gate.js';

const result = benchResult;

describe('latency gate (max-latency-ms on the Top-1 median)', () => {
  it('passes at the limit and fails just above it, naming candidate, median and limit', () => {
    expect(evaluateLatencyGate('0003', result({}), 12.5)).toEqual({ passed: true, failures: [], medianMs: 12.5 });
    expect(evaluateLatencyGate('0003', result({}), 12.4)).toEqual({
      passed: false, failures: ['candidate 0003 median latency 12.5 ms is above max-latency-ms 12.4 ms'], medianMs: 12.5,
    });
  });
  it('without a limit only reports the median', () => {
    expect(evaluateLatencyGate('0003', result({}), undefined)).toEqual({ passed: true, failures: [], medianMs: 12.5 });
    expect(medianMs(undefined)).toBeUndefined();
  });
  it('fails a Top-1 candidate that was not measured, saying why', () => {
    const crashed = result({ status: 'crashed', reason: 'panic: Guru Meditation', latency_us: null });
    expect(evaluateLatencyGate('0003', crashed, 20).failures).toEqual([
      'candidate 0003 has no measured latency (crashed: panic: Guru Meditation), so max-latency-ms 20 cannot be met',
    ]);
    expect(evaluateLatencyGate('0007', undefined, 20).failures).toEqual(['candidate 0007 has no measured latency (not in bench.json), so max-latency-ms 20 cannot be met']);
  });
});
