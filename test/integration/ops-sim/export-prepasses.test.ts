/**
 * Exporter parity with ESP-PPQ on the ops fixtures that need the quantizer's pre-passes: ConvTranspose
 * (decomposition into InsertZeros + Conv), SpaceToDepth and ScatterND (traced shapes instead of the declared
 * ones; one copy per consumer of a shared parameter). Each case is loaded the way the pipeline does it
 * (simplify → ensureShapes → decomposeConvTranspose) and its `.espdl` must equal ESP-PPQ's canonical view.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ortRuntime } from '../../../src/node/ort-runtime.js';
import type { Target } from '../../../src/quant/types.js';
import { caseTestValues, exportAndDiff } from '../../unit/espdl/export/parity-helpers.js';
import { groupCases, loadCaseModel } from './sim-case.js';

const OPS = new Set(['ConvTranspose', 'SpaceToDepth', 'ScatterND']);
const GROUPS: { group: string; target: Target; bits: 8 | 16 }[] = [
  { group: 'esp32p4_8', target: 'esp32p4', bits: 8 },
  { group: 'esp32s3_8', target: 'esp32s3', bits: 8 },
  { group: 'esp32p4_16', target: 'esp32p4', bits: 16 },
  { group: 'esp32s3_16', target: 'esp32s3', bits: 16 },
];
const runtime = ortRuntime();

describe('exporter parity on cases needing pre-passes', () => {
  it.each(GROUPS)('$group: ConvTranspose, SpaceToDepth, ScatterND cases equal ESP-PPQ', async ({ group, target, bits }) => {
    const cases = groupCases(group).filter((d) => OPS.has(path.basename(path.dirname(d))));
    const failed: string[] = [];
    for (const dir of cases) {
      const model = await loadCaseModel(dir, runtime);
      const diffs = exportAndDiff(model, dir, target, bits, caseTestValues(dir), 1);
      if (diffs.length > 0) failed.push(`${path.basename(path.dirname(dir))}/${path.basename(dir)}: ${diffs.slice(0, 3).join(' | ')}`);
    }
    process.stderr.write(`export prepasses ${group}: ${cases.length - failed.length}/${cases.length}\n${failed.map((f) => `  ${f.slice(0, 300)}\n`).join('')}`);
    expect(cases.length).toBeGreaterThanOrEqual(7);
    expect(failed).toEqual([]);
  });
});
