import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../../src/onnx/read.js';
import { forOnnxRuntime } from '../../../../src/exec/for-onnxruntime.js';
import { simplifyModel } from '../../../../src/onnx/simplify/index.js';
import { opsFixture } from '../../../helpers/paths.js';
import { f32, rand } from '../graph-builder.js';
import { maxRelError, runOrt } from './ort.js';

interface Case { id: string; dir: string; target: string; bits: number }

/** canonical.json may hold NaN/Infinity test values, which JSON.parse rejects; node lists do not need them. */
interface Canonical {
  nodes: { name: string; op_type: string }[];
  inputs: { name: string }[]; outputs: { name: string }[]; value_info: { name: string }[]; initializers?: { name: string }[];
}
const canonical = (dir: string): Canonical =>
  JSON.parse(readFileSync(opsFixture(dir, 'model.canonical.json'), 'utf8').replace(/\bNaN\b|-?Infinity/g, '0'));

describe('node names match ESP-PPQ exports', () => {
  it('every esp32p4_8 case: each node and value ESP-PPQ exported exists in the simplified graph under the same name', () => {
    const index = JSON.parse(readFileSync(opsFixture('INDEX.json'), 'utf8'));
    const cases: Case[] = index.cases.filter((c: Case) => c.target === 'esp32p4' && c.bits === 8);
    const problems: string[] = [];
    for (const c of cases) {
      const m = simplifyModel(decodeModel(readFileSync(opsFixture(c.dir, 'model.onnx'))));
      // The exporter (not the formatter) turns ConvTranspose into Conv and adds PPQ_Operation_* nodes.
      const ours = new Set(m.graph.nodes.map((n) => `${n.name}|${n.opType === 'ConvTranspose' ? 'Conv' : n.opType}`));
      const canon = canonical(c.dir);
      for (const n of canon.nodes) {
        if (n.name.startsWith('PPQ_Operation_')) continue;
        if (!ours.has(`${n.name}|${n.op_type}`)) problems.push(`${c.id}: ${n.name} (${n.op_type})`);
      }
      // Values: all but the exporter's own (PPQ_Variable_*, LUT tables `<Op>_lut_<k>`).
      const values = new Set<string>([...m.graph.initializers.keys(), ...m.graph.inputs.map((i) => i.name)]);
      for (const n of m.graph.nodes) for (const v of [...n.inputs, ...n.outputs]) values.add(v);
      for (const v of [...canon.inputs, ...canon.outputs, ...canon.value_info, ...(canon.initializers ?? [])]) {
        if (!v.name.startsWith('PPQ_') && !/_lut_\d+$/.test(v.name) && !values.has(v.name)) problems.push(`${c.id}: value ${v.name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('RMSNorm written out is fused to RMSNormalization and computes the same as the original', async () => {
    const dir = 'esp32p4_8/RMSNormalization/02_rmsnorm_4d_default_axis';
    const bytes = readFileSync(opsFixture(dir, 'model.onnx'));
    const s = simplifyModel(decodeModel(bytes));
    expect(s.graph.nodes.map((n) => n.opType)).toEqual(['Relu', 'Reshape', 'RMSNormalization', 'Reshape']);
    const x = f32([1, 3, 8, 32], rand(8)).data as Float32Array;
    const name = s.graph.inputs[0]!.name;
    const want = Object.values(await runOrt(bytes, { [name]: { dims: [1, 3, 8, 32], data: x } }))[0]!;
    const got = Object.values(await runOrt(forOnnxRuntime(s), { [name]: { dims: [1, 3, 8, 32], data: x } }))[0]!;
    expect(maxRelError(got, want)).toBeLessThan(1e-5);
  });

  it('Sigmoid·Mul on a graph input is not a Swish (ESP-PPQ exported Sigmoid and Mul)', () => {
    const m = simplifyModel(decodeModel(readFileSync(opsFixture('esp32p4_8/Swish/01_Swish_ishap_1_96_20_20/model.onnx'))));
    expect(m.graph.nodes.map((n) => n.opType)).toEqual(['Sigmoid', 'Mul']);
  });
});
