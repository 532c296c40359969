import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../../src/ir/graph.js';
import { decodeModel } from '../../../../src/onnx/read.js';
import { forOnnxRuntime } from '../../../../src/exec/for-onnxruntime.js';
import { simplifyModel } from '../../../../src/onnx/simplify/index.js';
import { fixture } from '../../../helpers/paths.js';
import { f32, rand } from '../graph-builder.js';
import { maxRelError, runOrt } from './ort.js';
import { mobileNetV2 } from '../../../../scripts/mobilenet-v2.mjs';
import { DET_INPUT, DET_OUTPUT, detHeadModel } from '../det-head-model.js';

const hist = (m: Model) => {
  const h: Record<string, number> = {};
  for (const n of m.graph.nodes) h[n.opType] = (h[n.opType] ?? 0) + 1;
  return h;
};

describe('simplifyModel on fixture models', () => {
  it('PP-OCR-shaped detector: no BatchNormalization or Identity left, original names kept, same output within 1e-4', async () => {
    const m = detHeadModel();
    const s = simplifyModel(m);
    const h = hist(s);
    expect(h.BatchNormalization).toBeUndefined();
    expect(h.Identity).toBeUndefined();
    // Every surviving node keeps an original node name (fused Convs keep theirs).
    const names = new Set(m.graph.nodes.map((n) => n.name));
    expect(s.graph.nodes.filter((n) => !names.has(n.name)).map((n) => n.name)).toEqual([]);
    expect(s.graph.outputs.map((o) => o.name)).toEqual([DET_OUTPUT]);
    const x = f32(DET_INPUT.dims, rand(2024)).data as Float32Array;
    const want = (await runOrt(m, { x: { dims: DET_INPUT.dims, data: x } }))[DET_OUTPUT]!;
    const got = (await runOrt(forOnnxRuntime(s), { x: { dims: DET_INPUT.dims, data: x } }))[DET_OUTPUT]!;
    expect(got.length).toBe(32 * 32);
    // Sigmoid outputs in (0,1): compare with an absolute floor so tiny probabilities do not dominate.
    expect(maxRelError(got, want, 1e-2)).toBeLessThan(1e-4);
  });

  it('digits and MobileNetV2 (BN already folded, no Constant nodes) come out unchanged', () => {
    const models: [string, Model][] = [['digits', decodeModel(readFileSync(fixture('digits/model.onnx')))], ['mobilenet_v2', mobileNetV2()]];
    for (const [f, m] of models) {
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
