/** The Action's benchmark inputs as a request for the bench use case (src/action/benchmark-mode.ts). */
import { describe, expect, it } from 'vitest';
import { benchRequest } from '../../../src/action/benchmark-mode.js';
import type { ActionDeps } from '../../../src/action/deps.js';
import { parseInputs } from '../../../src/action/inputs.js';
import { BENCH_DEFAULTS } from '../../../src/app/bench.js';

const cfgOf = (m: Record<string, string>) => parseInputs((n) => ({ mode: 'benchmark', firmware: 'fw', ...m } as Record<string, string>)[n] ?? '');
const deps = { workspace: '/w', log: { debug() {}, info() {}, warn() {} }, signal: new AbortController().signal } as unknown as ActionDeps;

describe('benchmark request', () => {
  it('mirrors the Action inputs', () => {
    const req = benchRequest(cfgOf({ ports: '/dev/ttyACM0,/dev/ttyACM1', runs: '20', flash: 'false', 'max-latency-ms': '12.5' }), deps, 'esp32p4', '/t/topk', '/t/bench.json');
    expect(req).toMatchObject({
      chip: 'esp32p4', firmware: 'fw', candidates: ['/t/topk'], out: '/t/bench.json', ports: ['/dev/ttyACM0', '/dev/ttyACM1'],
      runs: 20, flash: 'none', maxLatencyMs: 12.5, cwd: '/w', reset: 'auto', timeoutS: BENCH_DEFAULTS.timeoutS, retries: 1,
    });
    const plain = benchRequest(cfgOf({}), deps, 'esp32s3', '/t/topk', '/t/bench.json');
    expect(plain).toMatchObject({ ports: [], flash: 'auto' });
    expect(plain.runs).toBeUndefined();
    expect(plain.maxLatencyMs).toBeUndefined();
  });
});
