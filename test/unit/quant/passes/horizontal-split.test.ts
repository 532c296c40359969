import { describe, expect, it } from 'vitest';
import { InputError, UnsupportedError } from '../../../../src/errors.js';
import type { Model } from '../../../../src/ir/graph.js';
import { horizontalLayerSplit, splitLayers } from '../../../../src/quant/passes/horizontal-split.js';
import { f32, model, node, rand, vi } from '../../onnx/graph-builder.js';
import { runOrt } from '../../onnx/simplify/ort.js';

const data = (m: Model, name: string) => Array.from(m.graph.initializers.get(name)!.data as Float32Array);

function convModel(): Model {
  return model({
    nodes: [
      node('Conv', 'conv', ['x', 'w', 'b'], ['y'], { pads: [0, 0, 0, 1] }),
      node('Relu', 'relu', ['y'], ['out']),
    ],
    inputs: [vi('x', [1, 1, 3, 3])], outputs: [vi('out', undefined)],
    // |w| > 2: 3 and -2.5 are halved; -0.5 and exactly 2 are not
    initializers: { w: f32([2, 1, 1, 2], [3, -0.5, -2.5, 2]), b: f32([2], [0.25, -1]) },
    valueInfo: [vi('y', [1, 2, 3, 3])],
  });
}

describe('horizontalLayerSplit (ESP-PPQ HorizontalLayerSplitPass, balance)', () => {
  it('splits a Conv into R (with bias) + S clone joined by an Add that keeps the output name', async () => {
    const m = convModel();
    const { model: s, splits } = splitLayers(m, { interestedLayers: ['conv'], valueThreshold: 2 });
    expect(splits).toEqual([{ layer: 'conv', clone: 'PPQ_Operation_0', add: 'PPQ_Operation_1', splitWeight: 'PPQ_Variable_0', processed: 2, total: 4 }]);
    expect(s.graph.nodes.map((n) => [n.name, n.opType, n.inputs, n.outputs])).toEqual([
      ['conv', 'Conv', ['x', 'w', 'b'], ['PPQ_Variable_1']],
      ['PPQ_Operation_0', 'Conv', ['x', 'PPQ_Variable_0'], ['PPQ_Variable_2']],
      ['PPQ_Operation_1', 'Add', ['PPQ_Variable_1', 'PPQ_Variable_2'], ['y']],
      ['relu', 'Relu', ['y'], ['out']],
    ]);
    expect(s.graph.nodes[1]!.attributes.get('pads')).toEqual({ type: 'ints', value: [0, 0, 0, 1] });
    expect(data(s, 'w')).toEqual([1.5, -0.5, -1.25, 2]);
    expect(data(s, 'PPQ_Variable_0')).toEqual([1.5, 0, -1.25, 0]);
    expect(data(s, 'b')).toEqual([0.25, -1]);
    expect(s.graph.valueInfo.get('PPQ_Variable_2')?.shape).toEqual([1, 2, 3, 3]);
    // the input model is untouched
    expect(data(m, 'w')).toEqual([3, -0.5, -2.5, 2]);
    expect(m.graph.nodes.map((n) => n.outputs)).toEqual([['y'], ['out']]);

    const x = { dims: [1, 1, 3, 3], data: Float32Array.from([1, -2, 3, 0.5, -1, 2, -3, 1, 0]) };
    const [a, b] = [await runOrt(m, { x }), await runOrt(s, { x })];
    expect(Array.from(b.out!)).toEqual(Array.from(a.out!));
  });

  it('Gemm transB=1, MatMul and ConvTranspose: same outputs, exact S/R', async () => {
    const r = rand(11);
    const w = (dims: number[]) => f32(dims, () => r(0) * 4);
    const m = model({
      nodes: [
        node('Gemm', 'gemm', ['x', 'B1', 'C1'], ['g'], { transB: 1 }),
        node('MatMul', 'mm', ['g', 'B2'], ['h']),
        node('Reshape', 'rs', ['h', 'shape'], ['h4']),
        node('ConvTranspose', 'ct', ['h4', 'W3', 'b3'], ['out'], { strides: [2, 2], group: 2 }),
      ],
      inputs: [vi('x', [3, 5])], outputs: [vi('out', undefined)],
      initializers: { B1: w([6, 5]), C1: w([6]), B2: w([6, 8]), shape: { dtype: 'int64', dims: [4], data: BigInt64Array.from([3n, 2n, 2n, 2n]) }, W3: w([2, 3, 2, 2]), b3: w([6]) },
    });
    const layers = ['gemm', 'mm', 'ct'];
    const { model: s, splits } = splitLayers(m, { interestedLayers: layers, valueThreshold: 2 });
    expect(splits.map((x) => [x.layer, x.clone, x.add, x.splitWeight])).toEqual([
      ['gemm', 'PPQ_Operation_0', 'PPQ_Operation_1', 'PPQ_Variable_0'],
      ['mm', 'PPQ_Operation_2', 'PPQ_Operation_3', 'PPQ_Variable_3'],
      ['ct', 'PPQ_Operation_4', 'PPQ_Operation_5', 'PPQ_Variable_6'],
    ]);
    for (const [i, rec] of splits.entries()) {
      const orig = data(m, m.graph.nodes.find((n) => n.name === layers[i])!.inputs[1]!);
      expect(rec.processed).toBe(orig.filter((v) => Math.abs(v) > 2).length);
      expect(data(s, rec.splitWeight)).toEqual(orig.map((v) => (Math.abs(v) > 2 ? Math.fround(v / 2) : 0)));
      const clone = s.graph.nodes.find((n) => n.name === rec.clone)!;
      expect(clone.inputs).toHaveLength(2); // no bias on the clone
    }
    expect(s.graph.nodes.find((n) => n.name === 'PPQ_Operation_0')!.attributes.get('transB')).toEqual({ type: 'int', value: 1 });
    const x = { dims: [3, 5], data: f32([3, 5], rand(5)).data as Float32Array };
    const [a, b] = [await runOrt(m, { x }), await runOrt(s, { x })];
    let worst = 0, scale = 0;
    for (let i = 0; i < a.out!.length; i++) { worst = Math.max(worst, Math.abs(a.out![i]! - b.out![i]!)); scale = Math.max(scale, Math.abs(a.out![i]!)); }
    expect(worst / scale).toBeLessThan(1e-6);
  });

  it('names skip existing PPQ_* names; a layer listed twice is split twice', () => {
    const m = model({
      nodes: [node('MatMul', 'PPQ_Operation_0', ['x', 'PPQ_Variable_0'], ['out'])],
      inputs: [vi('x', [1, 1])], outputs: [vi('out', undefined)],
      initializers: { PPQ_Variable_0: f32([1, 1], [8]) },
    });
    const { model: s, splits } = splitLayers(m, { interestedLayers: ['PPQ_Operation_0', 'PPQ_Operation_0'], valueThreshold: 2 });
    expect(splits.map((x) => [x.clone, x.add, x.splitWeight])).toEqual([
      ['PPQ_Operation_1', 'PPQ_Operation_2', 'PPQ_Variable_1'],
      ['PPQ_Operation_3', 'PPQ_Operation_4', 'PPQ_Variable_4'],
    ]);
    expect([data(s, 'PPQ_Variable_0'), data(s, 'PPQ_Variable_1'), data(s, 'PPQ_Variable_4')]).toEqual([[2], [4], [2]]);
    expect(s.graph.nodes.map((n) => n.name)).toEqual(['PPQ_Operation_0', 'PPQ_Operation_3', 'PPQ_Operation_4', 'PPQ_Operation_1', 'PPQ_Operation_2']);
  });

  it('leaves a layer without weights above the threshold alone', () => {
    const m = convModel();
    const { model: s, splits } = splitLayers(m, { interestedLayers: ['conv'], valueThreshold: 3 });
    expect(splits).toEqual([]);
    expect(s.graph.nodes.map((n) => n.name)).toEqual(['conv', 'relu']);
    expect(data(s, 'w')).toEqual([3, -0.5, -2.5, 2]);
  });

  it('rejects an empty list, unknown layers, other op types and non-constant weights with InputError', () => {
    const m = convModel();
    const run = (layers: string[]) => () => horizontalLayerSplit(m, { interestedLayers: layers, valueThreshold: 2 });
    expect(run([])).toThrow(InputError);
    expect(run([])).toThrow(/interested_layers is empty/);
    expect(run(['conv', 'missing'])).toThrow(/layer "missing" is not a node/);
    expect(run(['relu'])).toThrow(/"relu" is a Relu/);
    const dyn = model({
      nodes: [node('MatMul', 'mm', ['x', 'y'], ['out'])], inputs: [vi('x', [1, 2]), vi('y', [2, 2])], outputs: [vi('out', undefined)],
    });
    expect(() => horizontalLayerSplit(dyn, { interestedLayers: ['mm'], valueThreshold: 1 })).toThrow(/no constant weight/);
    // deviation: ESP-PPQ would overwrite a shared weight in place (changing the other node); refused here
    const shared = model({
      nodes: [node('MatMul', 'm1', ['x', 'w'], ['y']), node('MatMul', 'm2', ['y', 'w'], ['out'])],
      inputs: [vi('x', [1, 1])], outputs: [vi('out', undefined)], initializers: { w: f32([1, 1], [8]) },
    });
    expect(() => horizontalLayerSplit(shared, { interestedLayers: ['m1'], valueThreshold: 1 })).toThrow(UnsupportedError);
  });
});
