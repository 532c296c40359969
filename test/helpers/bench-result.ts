/** A bench.json candidate result for tests: measured OK (median 12.5 ms), fields overridable. */
import type { CandidateResult } from '../../src/board/bench-report.js';

export const benchResult = (over: Partial<CandidateResult>): CandidateResult => ({
  name: '0003', file: null, status: 'ok', reason: null, board: '/dev/ttyUSB0', attempts: 1, test: 'pass', model_bytes: 1000,
  latency_us: { warmup: 1, runs: [12_000, 12_500, 14_000], min: 12_000, median: 12_500, mean: 12_833.3, p90: 13_700, max: 14_000 },
  icount: null, memory_bytes: { internal: 51_200, psram: null, flash: null }, layers: [], ...over,
});
