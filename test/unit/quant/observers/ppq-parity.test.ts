/**
 * Parity with ESP-PPQ 1.3.5's own outputs (test/fixtures/digits/ppq/<target>_<bits>_<algo>/
 * tensor_exponents.json) for the tensors that need no network execution: the graph input (calibrated from
 * calib.npy as 8 batches of 8, every algorithm, int8 and int16) and every Conv/Gemm weight (P4: per-channel
 * minmax; S3: per-tensor percentile — the quantizer's parameter defaults).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../../../../src/data/npy.js';
import { decodeModel } from '../../../../src/onnx/read.js';
import { attrInt } from '../../../../src/ir/graph.js';
import { createObserver, klBinsFor } from '../../../../src/quant/observers/index.js';
import { quantRange } from '../../../../src/quant/pot.js';
import type { ObserverName } from '../../../../src/quant/types.js';
import { fixture } from '../../../helpers/paths.js';

interface Entry { bits: number; state: string; op: string; exponent: number | number[] }
const exponents = (dir: string): Record<string, Entry> =>
  JSON.parse(readFileSync(fixture('digits', 'ppq', dir, 'tensor_exponents.json'), 'utf8'));

const calib = parseNpy(readFileSync(fixture('digits', 'calib.npy'))).data as Float32Array;
const batches = Array.from({ length: 8 }, (_, b) => calib.subarray(b * 8 * 1024, (b + 1) * 8 * 1024));
const model = decodeModel(readFileSync(fixture('digits', 'model.onnx')));

describe('ESP-PPQ parity: graph input exponent', () => {
  const algos: ObserverName[] = ['kl', 'minmax', 'percentile', 'mse'];
  for (const bits of [8, 16]) {
    it.each(algos)(`int${bits} %s`, (algo) => {
      const { qmin, qmax } = quantRange(bits);
      const o = createObserver(algo, { bits, qmin, qmax, klBins: klBinsFor(bits) });
      for (const b of batches) o.observe(b, 1);
      if (o.passes === 2) for (const b of batches) o.observe(b, 2);
      const got = o.render();
      for (const target of ['esp32p4', 'esp32s3']) {
        expect({ target, e: got }).toEqual({ target, e: exponents(`${target}_${bits}_${algo}`)['input']!.exponent });
      }
    });
  }
});

describe('ESP-PPQ parity: Conv/Gemm weight exponents', () => {
  for (const [target, bits] of [['esp32p4', 8], ['esp32p4', 16], ['esp32s3', 8], ['esp32s3', 16]] as const) {
    it(`${target} int${bits}`, () => {
      const table = exponents(`${target}_${bits}_kl`);
      const { qmin, qmax } = quantRange(bits);
      let checked = 0;
      for (const node of model.graph.nodes) {
        if (node.opType !== 'Conv' && node.opType !== 'Gemm') continue;
        const name = node.inputs[1]!;
        const w = model.graph.initializers.get(name);
        const expected = table[name];
        if (!w || !expected || expected.state !== 'ACTIVATED') continue;
        const axis = node.opType === 'Gemm' && attrInt(node, 'transB', 0) !== 1 ? 1 : 0;
        const perChannel = target === 'esp32p4' ? { dims: w.dims, axis } : undefined;
        const o = createObserver(perChannel ? 'minmax' : 'percentile', { bits, qmin, qmax, perChannel });
        o.observe(w.data as Float32Array, 1);
        expect({ name, e: o.render() }).toEqual({ name, e: expected.exponent });
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(15);
    });
  }
});
