import { describe, expect, it } from 'vitest';
import { benchResult } from '../../helpers/bench-result.js';
import { renderBenchSection } from '../../../src/report/bench.js';
import type { BenchReport } from '../../../src/board/bench-report.js';

const result = benchResult;

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
