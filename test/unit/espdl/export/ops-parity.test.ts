/**
 * Exporter parity with ESP-PPQ on the 630 single-operator fixtures: for every case, the model is exported with
 * ESP-PPQ's own scales (model.json) and test values (input/output .npy), and our canonical view must equal
 * ESP-PPQ's model.canonical.json by name. One test per group with a coverage floor (the level reached).
 */
import { readdirSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { opsFixture } from '../../../helpers/paths.js';
import { caseTestValues, exportAndDiff } from './parity-helpers.js';
import { loadCaseModel } from '../../../helpers/ops-case.js';
import { ortRuntime } from '../../../../src/node/ort-runtime.js';

const runtime = ortRuntime();
import type { Target } from '../../../../src/quant/types.js';

const GROUPS: { group: string; target: Target; bits: 8 | 16; floor: number }[] = [
  { group: 'esp32p4_8', target: 'esp32p4', bits: 8, floor: 170 },
  { group: 'esp32s3_8', target: 'esp32s3', bits: 8, floor: 170 },
  { group: 'esp32p4_16', target: 'esp32p4', bits: 16, floor: 143 },
  { group: 'esp32s3_16', target: 'esp32s3', bits: 16, floor: 143 },
];

function cases(group: string): string[] {
  const root = opsFixture(group);
  const out: string[] = [];
  for (const op of readdirSync(root).sort()) {
    const opDir = path.join(root, op);
    if (!statSync(opDir).isDirectory()) continue;
    for (const c of readdirSync(opDir).sort()) if (existsSync(path.join(opDir, c, 'model.canonical.json'))) out.push(path.join(opDir, c));
  }
  return out;
}

describe('exportEspdl parity with ESP-PPQ (ops fixtures)', () => {
  for (const { group, target, bits, floor } of GROUPS) {
    it(`${group}: canonical views equal`, async () => {
      const all = cases(group);
      const failures = new Map<string, string[]>();
      let equal = 0;
      for (const dir of all) {
        const op = path.basename(path.dirname(dir));
        let diffs: string[];
        try {
          diffs = exportAndDiff(await loadCaseModel(dir, runtime), dir, target, bits, caseTestValues(dir), 1);
        } catch (e) {
          diffs = [`threw: ${(e as Error).message.slice(0, 160)}`];
        }
        if (diffs.length === 0) equal++;
        else failures.set(`${op}/${path.basename(dir)}`, diffs);
      }
      process.stderr.write(`ops coverage ${group}: ${equal}/${all.length}\n`);
      const perOp = new Map<string, { total: number; failed: string[] }>();
      for (const dir of all) {
        const op = path.basename(path.dirname(dir));
        const row = perOp.get(op) ?? { total: 0, failed: [] };
        row.total++;
        if (failures.has(`${op}/${path.basename(dir)}`)) row.failed.push(path.basename(dir));
        perOp.set(op, row);
      }
      for (const [op, row] of perOp) {
        if (row.failed.length === 0) continue;
        const first = failures.get(`${op}/${row.failed[0]}`)!;
        process.stderr.write(`  ${op.padEnd(18)} ${row.failed.length}/${row.total} failed; ${row.failed[0]}: ${first.slice(0, 2).join(' | ').slice(0, 240)}\n`);
      }
      expect(all.length).toBeGreaterThan(100);
      expect(equal).toBeGreaterThanOrEqual(floor);
    });
  }
});
