/**
 * Simulator parity with ESP-PPQ on the 630 single-operator fixtures: each case's model is simulated with
 * ESP-PPQ's own scales (model.json) on ESP-PPQ's test input, and every output must equal ESP-PPQ's simulated
 * output (integer codes exactly, or ±1 LSB where ESP-PPQ's float evaluation order decides a rounding tie; float
 * outputs within FLOAT_TOL). One test per group with a coverage floor (the level reached).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ortRuntime } from '../../../src/node/ort-runtime.js';
import type { Target } from '../../../src/quant/types.js';
import { groupCases, runCase, type CaseResult } from './sim-case.js';

const GROUPS: { group: string; target: Target; bits: 8 | 16; floor: number; lsbMax: number }[] = [
  { group: 'esp32p4_8', target: 'esp32p4', bits: 8, floor: 0, lsbMax: 171 },
  { group: 'esp32s3_8', target: 'esp32s3', bits: 8, floor: 0, lsbMax: 171 },
  { group: 'esp32p4_16', target: 'esp32p4', bits: 16, floor: 0, lsbMax: 144 },
  { group: 'esp32s3_16', target: 'esp32s3', bits: 16, floor: 0, lsbMax: 144 },
];

const runtime = ortRuntime();

function report(group: string, all: string[], results: Map<string, CaseResult>): void {
  const perOp = new Map<string, { total: number; failed: string[]; lsb: number }>();
  for (const dir of all) {
    const op = path.basename(path.dirname(dir));
    const row = perOp.get(op) ?? { total: 0, failed: [], lsb: 0 };
    row.total++;
    const r = results.get(dir)!;
    if (r.verdict === 'fail') row.failed.push(dir);
    if (r.verdict === 'lsb') row.lsb++;
    perOp.set(op, row);
  }
  for (const [op, row] of perOp) {
    if (row.failed.length === 0 && row.lsb === 0) continue;
    // OPS_SIM_VERBOSE=1 lists every failing case, not just the first per operator.
    if (process.env['OPS_SIM_VERBOSE']) {
      for (const dir of all) {
        const r = results.get(dir)!;
        if (path.basename(path.dirname(dir)) === op && r.verdict !== 'exact') process.stderr.write(`    ${path.basename(dir)} ${r.verdict}: ${r.detail}\n`);
      }
    }
    const first = row.failed[0];
    const why = first ? `${path.basename(first)}: ${results.get(first)!.detail.slice(0, 200)}` : '';
    process.stderr.write(`  ${group} ${op.padEnd(18)} failed ${row.failed.length}/${row.total}, ±1 LSB ${row.lsb}${why ? `; ${why}` : ''}\n`);
  }
}

describe('simulator parity with ESP-PPQ (ops fixtures)', () => {
  for (const { group, target, bits, floor, lsbMax } of GROUPS) {
    it(`${group}: simulated outputs equal ESP-PPQ's`, async () => {
      const all = groupCases(group);
      const results = new Map<string, CaseResult>();
      for (const dir of all) {
        try {
          results.set(dir, await runCase(dir, target, bits, runtime));
        } catch (e) {
          results.set(dir, { verdict: 'fail', detail: `threw: ${(e as Error).message.slice(0, 200)}` });
        }
      }
      const equal = [...results.values()].filter((r) => r.verdict !== 'fail').length;
      const lsb = [...results.values()].filter((r) => r.verdict === 'lsb').length;
      process.stderr.write(`ops sim ${group}: ${equal}/${all.length} (${lsb} within ±1 LSB)\n`);
      report(group, all, results);
      expect(all.length).toBeGreaterThan(100);
      expect(equal).toBeGreaterThanOrEqual(floor);
      expect(lsb).toBeLessThanOrEqual(lsbMax);
    });
  }
});
