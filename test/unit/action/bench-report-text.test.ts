import { describe, expect, it } from 'vitest';
import { evaluateLatencyGate, medianMs } from '../../../src/action/bench-gate.js';
import { renderBenchSection } from '../../../src/action/bench-text.js';
import { benchArgv } from '../../../src/action/real-bench.js';
import type { BenchReport, CandidateResult } from '../../../src/board/bench-report.js';
import { recordingLogger } from '../../../src/log.js';

const result = (over: Partial<CandidateResult>): CandidateResult => ({
  name: '0003', file: null, status: 'ok', reason: null, board: '/dev/ttyUSB0', attempts: 1, test: 'pass', model_bytes: 1000,
  latency_us: { warmup: 1, runs: [12_000, 12_500, 14_000], min: 12_000, median: 12_500, mean: 12_833.3, p90: 13_700, max: 14_000 },
  icount: null, memory_bytes: { internal: 51_200, psram: null, flash: null }, layers: [], ...over,
});

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

describe('on-device section', () => {
  const bench: BenchReport = {
    schema: 'espdl-autoquant.bench/1', created: '2026-11-27T00:00:00Z', mode: 'board', chip: 'esp32s3', runs: 3, warmup: 1,
    boards: [
      { id: '/dev/ttyUSB0', status: 'ok', reason: null, chip: 'esp32s3', app_elf_sha256: null, firmware_flashed: false },
      { id: '/dev/ttyUSB1', status: 'silent', reason: 'no output after reset (2 attempts)', chip: null, app_elf_sha256: null, firmware_flashed: false },
    ],
    candidates: [result({}), result({ name: '0001', status: 'test-failed', test: 'fail', memory_bytes: null })],
  };

  it('lists the candidates in Top-K order with ms and KiB, and the boards that dropped out', () => {
    const md = renderBenchSection(bench, [{ name: '0001', score: 0.125 }, { name: '0003', score: 0.25 }, { name: '0009', score: 0.5 }], 13);
    expect(md.split('\n')).toEqual([
      '### On-device benchmark · esp32s3 (1 of 2 board(s); median of 3 timed run(s) after 1 warm-up)',
      '',
      'Latency limit (max-latency-ms): 13 ms for the Top-1 candidate.',
      '',
      '| # | candidate | score | on-device test | median ms | min ms | p90 ms | internal RAM | PSRAM | status |',
      '|---|---|---|---|---|---|---|---|---|---|',
      '| 1 | `0001` | 0.125 | ❌ fail | 12.50 | 12.00 | 13.70 | – | – | test-failed |',
      '| 2 | `0003` | 0.25 | ✅ pass | 12.50 | 12.00 | 13.70 | 50.0 KB | – | ok |',
      '| 3 | `0009` | 0.5 | – | – | – | – | – | – | not run |',
      '',
      '- board `/dev/ttyUSB1`: silent (no output after reset (2 attempts))',
    ]);
  });

  it('has no limit line without max-latency-ms', () => {
    expect(renderBenchSection(bench, [{ name: '0003', score: 1 }])).not.toContain('Latency limit');
  });
});

describe('bench CLI arguments', () => {
  it('mirror the Action inputs', () => {
    const base = { chip: 'esp32p4', firmwareDir: '/w/fw', candidatesDir: '/t/topk', out: '/t/bench.json', cwd: '/w', signal: new AbortController().signal, logger: recordingLogger() };
    expect(benchArgv({ ...base, ports: ['/dev/ttyACM0', '/dev/ttyACM1'], runs: 20, flash: false })).toEqual([
      '--chip', 'esp32p4', '--firmware', '/w/fw', '--candidates', '/t/topk', '--out', '/t/bench.json',
      '--port', '/dev/ttyACM0', '--port', '/dev/ttyACM1', '--runs', '20', '--no-flash',
    ]);
    expect(benchArgv({ ...base, ports: [], flash: true })).toEqual(['--chip', 'esp32p4', '--firmware', '/w/fw', '--candidates', '/t/topk', '--out', '/t/bench.json']);
  });
});
