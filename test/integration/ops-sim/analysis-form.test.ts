/**
 * Graph-wise analysis simulates int8 half-to-even activations as QuantizeLinear → DequantizeLinear, with the
 * scales as constants or fed as inputs (sim-model.ts qdq, feedQuantParams). On every single-operator fixture of the
 * ESP32-P4 groups, that form must give the same values as the Mul/Round/Clip chain with constant scales (the form
 * the ops-sim parity test checks against ESP-PPQ), on ESP-PPQ's own test inputs. −0 and +0 count as equal (the QDQ
 * form yields +0, as ESP-PPQ does; the chain keeps −0); NaN must stay NaN.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../../../src/data/npy.js';
import { toFloat32 } from '../../../src/ir/tensor.js';
import { ortRuntime } from '../../../src/node/ort-runtime.js';
import { buildSimModel } from '../../../src/quant/simulate/sim-model.js';
import { quantizedGraphFromPpqJson } from '../../helpers/ppq-config.js';
import { groupCases, loadCaseModel } from './sim-case.js';

const runtime = ortRuntime();

interface Meta { io: { inputs: { name: string; float_npy: string }[]; outputs: { name: string }[] } }

/** Outputs whose values differ between the two forms ('' when all agree), and whether any QDQ pair was used. */
async function compareForms(dir: string, bits: 8 | 16): Promise<{ diff: string; qdq: boolean }> {
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Meta;
  const model = await loadCaseModel(dir, runtime);
  const qg = quantizedGraphFromPpqJson(model, JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')), 'esp32p4', bits);
  const chain = buildSimModel(qg);
  const fed = buildSimModel(qg, { feedQuantParams: true, qdq: true });
  const feeds = Object.fromEntries(meta.io.inputs.map((i) => [i.name, parseNpy(new Uint8Array(readFileSync(path.join(dir, i.float_npy))))]));
  const fetch = meta.io.outputs.map((o) => o.name);
  const run = async (model: typeof chain.model, extra: typeof fed.feeds) => {
    const session = await runtime.load(model, { keepQdq: true });
    try { return await session.run({ ...feeds, ...extra }, fetch); } finally { await session.release(); }
  };
  const want = await run(chain.model, {});
  const diffs: string[] = [];
  // Both forms graph-wise analysis uses: scales fed (search, large models) and constant (otherwise).
  for (const [form, got] of [['fed', await run(fed.model, fed.feeds)], ['constant', await run(buildSimModel(qg, { qdq: true }).model, {})]] as const) {
    for (const name of fetch) {
      const a = toFloat32(want.get(name)!);
      const b = toFloat32(got.get(name)!);
      let count = a.length === b.length ? 0 : Infinity;
      for (let i = 0; i < a.length && count !== Infinity; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]!) && Number.isNaN(b[i]!))) count++;
      if (count > 0) diffs.push(`${form} ${name}: ${count} values differ`);
    }
  }
  return { diff: diffs.join('; '), qdq: fed.model.graph.nodes.some((n) => n.opType === 'QuantizeLinear') };
}

describe('graph-wise analysis form (fed scales, QDQ) equals the constant Mul/Round/Clip chain', () => {
  for (const [group, bits] of [['esp32p4_8', 8], ['esp32p4_16', 16]] as const) {
    it(`${group}: same output values on every case`, async () => {
      const failed: string[] = [];
      let withQdq = 0;
      const cases = groupCases(group);
      for (const dir of cases) {
        const { diff, qdq } = await compareForms(dir, bits);
        if (diff) failed.push(`${path.basename(dir)}: ${diff}`);
        if (qdq) withQdq++;
      }
      expect(failed).toEqual([]);
      expect(cases.length).toBeGreaterThan(100);
      // int8 cases use the QDQ form; int16 ones keep the chain (QuantizeLinear has no int16 before opset 21).
      if (bits === 8) expect(withQdq).toBeGreaterThan(cases.length / 2);
      else expect(withQdq).toBe(0);
    }, 600_000);
  }
});
