/**
 * Exporter parity with ESP-PPQ on the digits CNN: 16 configurations (esp32p4/esp32s3 × 8/16 bit × 4 calibration
 * algorithms) exported with ESP-PPQ's own scales, plus the esp32p4 int8 kl export with embedded test values.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../helpers/paths.js';
import { readFileSync } from 'node:fs';
import { exportAndDiff, loadModel, npy } from './parity-helpers.js';
import { exportEspdl } from '../../../../src/espdl/export/index.js';
import { quantizedGraphFromPpqJson } from '../../../helpers/ppq-config.js';
import type { Target } from '../../../../src/quant/types.js';
import type { Tensor } from '../../../../src/ir/tensor.js';

const CONFIGS: { cfg: string; target: Target; bits: 8 | 16 }[] = [];
for (const target of ['esp32p4', 'esp32s3'] as const) {
  for (const bits of [8, 16] as const) {
    for (const algo of ['kl', 'minmax', 'percentile', 'mse']) CONFIGS.push({ cfg: `${target}_${bits}_${algo}`, target, bits });
  }
}

function row0(t: Tensor, dims: number[]): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', dims, data: (t.data as Float32Array).slice(0, n) };
}

describe('exportEspdl parity with ESP-PPQ (digits)', () => {
  const model = loadModel(fixture('digits', 'model.onnx'));

  it('16 configurations: canonical views equal', () => {
    let equal = 0;
    for (const { cfg, target, bits } of CONFIGS) {
      const diffs = exportAndDiff(model, fixture('digits', 'ppq', cfg), target, bits, undefined, 256, {});
      if (diffs.length === 0) equal++;
      else process.stderr.write(`  FAIL digits ${cfg}: ${diffs.slice(0, 4).join(' | ')}\n`);
    }
    process.stderr.write(`digits parity: ${equal}/16\n`);
    expect(equal).toBe(16);
  });

  it('the config JSON we write reads back into the same export (stable ids, ESP-PPQ format)', () => {
    const json = JSON.parse(readFileSync(fixture('digits', 'ppq', 'esp32p4_8_kl', 'model.json'), 'utf8')) as unknown;
    const first = exportEspdl(quantizedGraphFromPpqJson(model, json, 'esp32p4', 8));
    const again = exportEspdl(quantizedGraphFromPpqJson(model, JSON.parse(first.configJson), 'esp32p4', 8));
    expect(Buffer.from(again.espdl).equals(Buffer.from(first.espdl))).toBe(true);
    expect(again.configJson).toBe(first.configJson);
  });

  it('p4_8_kl_testvalues: first test image and ESP-PPQ quantized logits embedded', () => {
    const inputs = { input: row0(npy(fixture('digits', 'test_images.npy')), [1, 1, 32, 32]) };
    const outputs = { logits: row0(npy(fixture('digits', 'ppq', 'esp32p4_8_kl', 'quant_test_logits.npy')), [1, 10]) };
    const dir = fixture('digits', 'ppq', 'p4_8_kl_testvalues');
    const diffs = exportAndDiff(model, path.join(dir), 'esp32p4', 8, { inputs, outputs }, 256, {});
    expect(diffs).toEqual([]);
  });
});
