/**
 * The unrolled quantized GRU/LSTM (src/quant/simulate/sim-rnn.ts) in the gated (layer-wise analysis) simulator: gate on
 * must give the plain quantized simulation, gate off the float model (onnxruntime's own GRU/LSTM) — which checks
 * the unrolled recurrence (gate order, biases, directions, Y/Y_h/Y_c layout) against an independent kernel.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../../../src/data/npy.js';
import { buildSimModel } from '../../../src/quant/simulate/sim-model.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import { ortRuntime } from '../../../src/node/ort-runtime.js';
import { quantizedGraphFromPpqJson } from '../../helpers/ppq-config.js';
import type { Model } from '../../../src/ir/graph.js';
import { opsFixture } from '../../helpers/paths.js';
import { loadCaseModel } from './sim-case.js';

const runtime = ortRuntime();
const bool = (v: boolean): Tensor => ({ dtype: 'bool', dims: [], data: new Uint8Array([v ? 1 : 0]) });

async function run(m: Model, feeds: Record<string, Tensor>): Promise<Map<string, Tensor>> {
  const s = await runtime.load(m);
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  expect(a.dims).toEqual(b.dims);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  return worst;
}

describe('gated simulator with unrolled RNNs', () => {
  it.each([
    ['GRU', '05_gru_seq3_input16_hidden24_bidirectional'],
    ['GRU', '01_gru_seq2_input8_hidden27_nobias'],
    ['LSTM', '05_lstm_seq3_input16_hidden24_bidirectional'],
    ['LSTM', '01_lstm_seq2_input8_hidden27_nobias'],
  ])('%s %s: gate on = quantized, gate off = float', async (op, name) => {
    const dir = opsFixture('esp32p4_16', op, name);
    const model = await loadCaseModel(dir, runtime);
    const qg = quantizedGraphFromPpqJson(model, JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')), 'esp32p4', 16);
    const x = parseNpy(new Uint8Array(readFileSync(path.join(dir, 'input_0.npy'))));
    const feeds = { input: x };
    const quant = await run(buildSimModel(qg).model, feeds);
    const float = await run(buildSimModel(qg, { float: true }).model, feeds);
    const gated = buildSimModel(qg, { gated: true });
    const gates = (v: boolean) => Object.fromEntries([...gated.gates.values()].map((g) => [g, bool(v)]));
    const on = await run(gated.model, { ...feeds, ...gates(true) });
    const off = await run(gated.model, { ...feeds, ...gates(false) });
    for (const o of model.graph.outputs) {
      expect(maxDiff(on.get(o.name)!, quant.get(o.name)!)).toBe(0);
      expect(maxDiff(off.get(o.name)!, float.get(o.name)!)).toBeLessThan(1e-5);
      // The quantized result really differs from float (the gates switch something).
      expect(maxDiff(on.get(o.name)!, off.get(o.name)!)).toBeGreaterThan(0);
    }
  });
});
