import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../../src/ir/graph.js';
import { decodeModel } from '../../../../src/onnx/read.js';
import { simplifyModel, forOnnxRuntime } from '../../../../src/onnx/simplify/index.js';
import { fixture } from '../../../helpers/paths.js';
import { f32, rand } from '../graph-builder.js';
import { maxRelError, runOrt } from './ort.js';

const hist = (m: Model) => {
  const h: Record<string, number> = {};
  for (const n of m.graph.nodes) h[n.opType] = (h[n.opType] ?? 0) + 1;
  return h;
};

describe('simplifyModel on fixture models', () => {
  it('PP-OCRv4 det: no BatchNormalization or Identity left, same output within 1e-4', async () => {
    const bytes = readFileSync(fixture('perf/ppocr_v4_det.onnx'));
    const m = decodeModel(bytes);
    const t0 = performance.now();
    const s = simplifyModel(m);
    const ms = performance.now() - t0;
    const h = hist(s);
    expect(h.BatchNormalization).toBeUndefined();
    expect(h.Identity).toBeUndefined();
    // Every surviving node keeps an original node name (fused Convs keep theirs).
    const names = new Set(m.graph.nodes.map((n) => n.name));
    expect(s.graph.nodes.filter((n) => !names.has(n.name)).map((n) => n.name)).toEqual([]);
    expect(s.graph.outputs.map((o) => o.name)).toEqual(['sigmoid_0.tmp_0']);
    const x = f32([1, 3, 320, 320], rand(2024)).data as Float32Array;
    const want = (await runOrt(bytes, { x: { dims: [1, 3, 320, 320], data: x } }))['sigmoid_0.tmp_0']!;
    const got = (await runOrt(forOnnxRuntime(s), { x: { dims: [1, 3, 320, 320], data: x } }))['sigmoid_0.tmp_0']!;
    expect(got.length).toBe(320 * 320);
    // Sigmoid outputs in (0,1): compare with an absolute floor so tiny probabilities do not dominate.
    expect(maxRelError(got, want, 1e-2)).toBeLessThan(1e-4);
    expect(ms).toBeLessThan(2000);
  });

  it('digits and mobilenet_v2 (BN already folded, no Constant nodes) come out unchanged', () => {
    for (const f of ['digits/model.onnx', 'perf/mobilenet_v2.onnx']) {
      const m = decodeModel(readFileSync(fixture(f)));
      const s = simplifyModel(m);
      expect(s.graph.nodes.map((n) => [n.name, n.opType, n.inputs, n.outputs]), f).toEqual(m.graph.nodes.map((n) => [n.name, n.opType, n.inputs, n.outputs]));
      expect([...s.graph.initializers.keys()].sort(), f).toEqual([...m.graph.initializers.keys()].sort());
    }
  });

  it('digits dynamic batch: fixBatchTo1 gives the static model\'s input and output shapes', () => {
    const m = decodeModel(readFileSync(fixture('digits/model_dynbatch.onnx')));
    const s = simplifyModel(m, { fixBatchTo1: true });
    expect(s.graph.inputs.map((i) => i.shape)).toEqual([[1, 1, 32, 32]]);
    expect(s.graph.outputs.map((o) => o.shape)).toEqual([[1, 10]]);
  });
});
