import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EspdlError, InputError } from '../../../src/errors.js';
import type { Model } from '../../../src/ir/graph.js';
import { toRawBytes } from '../../../src/ir/tensor.js';
import { decodeModel } from '../../../src/onnx/read.js';
import { encodeModel } from '../../../src/onnx/write.js';
import { fixture, opsFixture } from '../../helpers/paths.js';
import { mobileNetV2 } from '../../../scripts/mobilenet-v2.mjs';
import { detHeadModel } from './det-head-model.js';

function histogram(m: Model): Record<string, number> {
  const h: Record<string, number> = {};
  for (const n of m.graph.nodes) h[n.opType] = (h[n.opType] ?? 0) + 1;
  return h;
}

/** Structural equality that compares typed arrays element-wise (BigInt64Array included). */
function expectSameModel(a: Model, b: Model): void {
  const { graph: ga, ...restA } = a;
  const { graph: gb, ...restB } = b;
  expect(restB).toEqual(restA);
  expect(gb.nodes).toEqual(ga.nodes);
  expect(gb.inputs).toEqual(ga.inputs);
  expect(gb.outputs).toEqual(ga.outputs);
  expect([...gb.valueInfo.entries()]).toEqual([...ga.valueInfo.entries()]);
  expect([...gb.initializers.keys()]).toEqual([...ga.initializers.keys()]);
  for (const [k, t] of ga.initializers) {
    const u = gb.initializers.get(k)!;
    expect(u.dtype).toBe(t.dtype);
    expect(u.dims).toEqual(t.dims);
    expect(u.data.constructor).toBe(t.data.constructor);
    if (Array.isArray(t.data)) expect(u.data).toEqual(t.data);
    // Byte comparison: deep-equal over millions of elements is far too slow.
    else expect(Buffer.compare(toRawBytes(u.data as typeof t.data), toRawBytes(t.data)), k).toBe(0);
  }
}

describe('decodeModel on fixtures', () => {
  it('digits: ops, io and opset match meta.json', () => {
    const meta = JSON.parse(readFileSync(fixture('digits/meta.json'), 'utf8'));
    const m = decodeModel(readFileSync(fixture('digits/model.onnx')));
    expect(histogram(m)).toEqual(meta.onnx_op_histogram);
    expect(m.graph.inputs).toEqual([{ name: meta.input_name, dtype: 'float32', shape: meta.input_shape }]);
    expect(m.graph.outputs.map((o) => [o.name, o.shape])).toEqual([[meta.output_name, meta.output_shape]]);
    expect(m.opsetImports).toEqual([{ domain: '', version: 13 }]);
    // meta.num_params counts torch's BN parameters, which the export folded away; check shapes from the
    // architecture instead: stem Conv 1->16 3x3, head Gemm 32->10.
    const weightOf = (op: string, k: number) => m.graph.initializers.get(m.graph.nodes.filter((n) => n.opType === op)[k]!.inputs[1]!)!;
    expect(weightOf('Conv', 0).dims).toEqual([16, 1, 3, 3]);
    expect(weightOf('Gemm', 0).dims).toEqual([10, 32]);
    const dyn = decodeModel(readFileSync(fixture('digits/model_dynbatch.onnx')));
    expect(dyn.graph.inputs[0]!.shape).toEqual(['batch', 1, 32, 32]);
  });

  it('MobileNetV2 (generated, 14 MB): torchvision\'s op counts, io and classifier shape; round-trips', () => {
    // torch.onnx.export of torchvision 0.14's mobilenet_v2 (opset 13, BN folded) has exactly these nodes.
    const bytes = encodeModel(mobileNetV2({ seed: 0 }));
    const m = decodeModel(bytes);
    expect(histogram(m)).toEqual({ Conv: 52, Clip: 35, Add: 10, GlobalAveragePool: 1, Flatten: 1, Gemm: 1 });
    expect(m.graph.inputs.map((i) => [i.name, i.shape])).toEqual([['input', [1, 3, 224, 224]]]);
    expect(m.graph.outputs.map((i) => [i.name, i.shape])).toEqual([['logits', [1, 1000]]]);
    expect(m.graph.initializers.get(m.graph.nodes.find((n) => n.opType === 'Gemm')!.inputs[1]!)!.dims).toEqual([1000, 1280]);
    // The exported file's parameters (BN folded into Conv weights and biases), Clip's scalar bounds aside.
    let params = 0;
    for (const t of m.graph.initializers.values()) if (t.dims.length > 0) params += t.data.length;
    expect(params).toBe(3_487_816);
    expectSameModel(decodeModel(encodeModel(m)), m);
  });

  it('a PP-OCR-shaped detector with BatchNormalization kept: decodes what it encodes', () => {
    const m = detHeadModel();
    const d = decodeModel(encodeModel(m));
    expect(histogram(d)).toEqual(histogram(m));
    expect(histogram(d).BatchNormalization).toBe(3);
    expectSameModel(d, m);
  });

  it('every esp32p4_8 operator case: node list and input shapes match INDEX.json, and round-trips', () => {
    const index = JSON.parse(readFileSync(opsFixture('INDEX.json'), 'utf8'));
    const cases = index.cases.filter((c: { target: string; bits: number }) => c.target === 'esp32p4' && c.bits === 8);
    expect(cases.length).toBe(171);
    for (const c of cases) {
      const m = decodeModel(readFileSync(opsFixture(c.dir, 'model.onnx')));
      expect(m.graph.nodes.map((n) => n.opType), c.id).toEqual(c.onnx_nodes);
      const declared = m.graph.inputs.filter((i) => !m.graph.initializers.has(i.name));
      expect(declared.map((i) => [i.name, i.shape]), c.id).toEqual(c.inputs.map((i: { name: string; shape: number[] }) => [i.name, i.shape]));
      expectSameModel(decodeModel(encodeModel(m)), m);
    }
  });
});

describe('decodeModel errors', () => {
  const bytes = readFileSync(fixture('digits/model.onnx'));
  it('truncated bytes are an InputError naming the byte', () => {
    const cut = bytes.subarray(0, 20000);
    expect(() => decodeModel(cut, { source: 'cut.onnx' })).toThrow(InputError);
    expect(() => decodeModel(cut, { source: 'cut.onnx' })).toThrow(/^cut\.onnx is not a valid ONNX model: .* at byte \d+$/);
  });
  it('randomly corrupted bytes either decode or throw our own typed errors (never a crash)', () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const odd: string[] = [];
    for (let it = 0; it < 300; it++) {
      const b = Uint8Array.from(bytes);
      for (let k = 0; k < 3; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      try {
        decodeModel(rnd() < 0.3 ? b.subarray(0, Math.floor(rnd() * b.length)) : b);
      } catch (e) {
        if (!(e instanceof EspdlError)) odd.push(String(e));
      }
    }
    expect(odd).toEqual([]);
  });
  it('garbage and empty input are InputErrors', () => {
    expect(() => decodeModel(new TextEncoder().encode('hello, this is not onnx'))).toThrow(/^the input is not a valid ONNX model: /);
    expect(() => decodeModel(new Uint8Array(0))).toThrow('the input is not a valid ONNX model: empty file at byte 0');
  });
});
