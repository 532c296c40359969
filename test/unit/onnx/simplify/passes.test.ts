import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../../fakes/recording-logger.js';
import { simplifyModel } from '../../../../src/onnx/simplify/index.js';
import { f32, i64, model, node, rand, vi } from '../graph-builder.js';
import { maxRelError, runOrt } from './ort.js';

describe('constant folding', () => {
  /** y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])) : a flatten written as a shape subgraph. */
  const flatten = (batch: number | string) => model({
    nodes: [
      node('Shape', 'shape', ['x'], ['s']),
      node('Constant', 'zero', [], ['k0'], { value: i64([], [0]) }),
      node('Gather', 'gather', ['s', 'k0'], ['n']),
      node('Unsqueeze', 'unsq', ['n', 'ax'], ['nu']),
      node('Constant', 'minus1', [], ['m1'], { value_ints: [-1] }),
      node('Concat', 'cat', ['nu', 'm1'], ['shp'], { axis: 0 }),
      node('Reshape', 'reshape', ['x', 'shp'], ['y']),
    ],
    inputs: [vi('x', [batch, 2, 3, 4])], outputs: [vi('y', [batch, 24])],
    initializers: { ax: i64([1], [0]) },
  });

  it('folds a static shape subgraph into one int64 initializer named after the Concat output', async () => {
    const m = flatten(2);
    const s = simplifyModel(m);
    expect(s.graph.nodes.map((n) => [n.opType, n.name, n.inputs])).toEqual([['Reshape', 'reshape', ['x', 'shp']]]);
    expect(s.graph.initializers.get('shp')).toEqual(i64([2], [2, -1]));
    expect([...s.graph.initializers.keys()]).toEqual(['shp']);
    const feed = { x: { dims: [2, 2, 3, 4], data: f32([2, 2, 3, 4], rand(1)).data as Float32Array } };
    expect((await runOrt(s, feed)).y).toEqual((await runOrt(m, feed)).y);
  });

  it('keeps Shape of a symbolic batch unless fixBatchTo1', () => {
    const dyn = flatten('N');
    expect(simplifyModel(dyn).graph.nodes.map((n) => n.opType)).toEqual(['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Reshape']);
    const log = recordingLogger();
    const fixed = simplifyModel(dyn, { fixBatchTo1: true, logger: log });
    expect(fixed.graph.inputs[0]!.shape).toEqual([1, 2, 3, 4]);
    expect(fixed.graph.outputs[0]!.shape).toEqual([1, 24]);
    expect(fixed.graph.initializers.get('shp')).toEqual(i64([2], [1, -1]));
    expect(log.lines.filter((l) => l.level === 'info').map((l) => l.message)).toEqual(['x: batch dim N fixed to 1', 'y: batch dim N fixed to 1']);
  });

  it('evaluates Slice (INT64_MAX end, negative step), Transpose, Expand, Where, Equal, Range, Cast, Div, ConstantOfShape', () => {
    const m = model({
      nodes: [
        node('Slice', 'sl', ['data', 'st', 'en', 'axs'], ['sliced']),
        node('Slice', 'rev', ['data', 'rst', 'ren', 'axs', 'rsp'], ['reversed']),
        node('Transpose', 'tr', ['mat'], ['mt'], { perm: [1, 0] }),
        node('Expand', 'ex', ['col', 'eshape'], ['expanded']),
        node('Equal', 'eq', ['data', 'two'], ['iseq']),
        node('Where', 'wh', ['iseq', 'data', 'hundred'], ['picked']),
        node('Range', 'rg', ['r0', 'r1', 'r2'], ['range']),
        node('Cast', 'cast', ['fl'], ['casted'], { to: 7 }),
        node('Div', 'div', ['seven', 'two'], ['quot']),
        node('ConstantOfShape', 'cos', ['eshape'], ['filled'], { value: f32([1], [1.5]) }),
        node('Concat', 'all', ['sliced', 'reversed', 'picked', 'range', 'casted', 'quot'], ['ints'], { axis: 0 }),
        node('Add', 'sum', ['mt', 'expanded'], ['mats']),
        node('Add', 'use1', ['x', 'mats'], ['y']),
        node('Cast', 'use2', ['ints'], ['z'], { to: 1 }),
        node('Add', 'use3', ['x', 'filled'], ['w']),
      ],
      inputs: [vi('x', [2, 3])], outputs: [vi('y', [2, 3]), vi('z', undefined), vi('w', [2, 3])],
      initializers: {
        data: i64([4], [1, 2, 3, 4]), st: i64([1], [1]), en: { dtype: 'int64', dims: [1], data: BigInt64Array.of(9223372036854775807n) }, axs: i64([1], [0]),
        rst: i64([1], [-1]), ren: i64([1], [-9007199254740991]), rsp: i64([1], [-2]),
        mat: f32([3, 2], [1, 2, 3, 4, 5, 6]), col: f32([2, 1], [10, 20]), eshape: i64([2], [2, 3]),
        two: i64([], [2]), hundred: i64([], [100]), r0: i64([], [5]), r1: i64([], [0]), r2: i64([], [-2]),
        fl: f32([2], [-2.7, 3.9]), seven: i64([1], [-7]),
      },
    });
    const s = simplifyModel(m);
    expect(s.graph.nodes.map((n) => n.name)).toEqual(['use1', 'use2', 'use3']);
    // Expected values worked out by hand from the ONNX operator definitions.
    expect(s.graph.initializers.get('ints')).toEqual(i64([15], [2, 3, 4, 4, 2, 100, 2, 100, 100, 5, 3, 1, -2, 3, -3]));
    expect(s.graph.initializers.get('mats')).toEqual(f32([2, 3], [11, 13, 15, 22, 24, 26]));
    expect(s.graph.initializers.get('filled')).toEqual(f32([2, 3], [1.5, 1.5, 1.5, 1.5, 1.5, 1.5]));
  });
});

describe('Identity, legacy attributes, pruning', () => {
  it('an Identity from a graph input to a graph output stays; other Identities go', () => {
    const m = model({
      nodes: [node('Identity', 'keep', ['x'], ['y']), node('Identity', 'go', ['x'], ['t']), node('Relu', 'r', ['t'], ['z'])],
      inputs: [vi('x', [1])], outputs: [vi('y', [1]), vi('z', [1])],
    });
    expect(simplifyModel(m).graph.nodes.map((n) => [n.name, n.inputs, n.outputs])).toEqual([['keep', ['x'], ['y']], ['r', ['x'], ['z']]]);
  });

  it('removes isolated nodes, unused initializers and initializers listed as inputs', () => {
    const m = model({
      nodes: [node('Relu', 'dead1', ['x'], ['d1']), node('Neg', 'dead2', ['d1'], ['d2']), node('Add', 'a', ['x', 'B'], ['y'])],
      inputs: [vi('x', [2]), vi('B', [2])], outputs: [vi('y', [2])],
      initializers: { B: f32([2], [1, 2]), unused: f32([1], [0]) },
      valueInfo: [vi('d1', [2])],
    });
    const s = simplifyModel(m);
    expect(s.graph.nodes.map((n) => n.name)).toEqual(['a']);
    expect([...s.graph.initializers.keys()]).toEqual(['B']);
    expect(s.graph.inputs.map((i) => i.name)).toEqual(['x']);
    expect(s.graph.valueInfo.size).toBe(0);
  });

  it('opset 10: Clip and Pad attributes become inputs, opset becomes 11, same numbers', async () => {
    const m = model({
      opset: 10,
      nodes: [
        node('Clip', 'clip', ['x'], ['c'], { min: { float: -0.5 }, max: { float: 0.25 } }),
        node('Pad', 'pad', ['c'], ['y'], { pads: [0, 1, 0, 2], value: { float: 0.75 } }),
      ],
      inputs: [vi('x', [2, 3])], outputs: [vi('y', [2, 6])],
    });
    const s = simplifyModel(m);
    expect(s.opsetImports).toEqual([{ domain: '', version: 11 }]);
    expect(s.graph.nodes.map((n) => [n.name, n.inputs, [...n.attributes.keys()]])).toEqual([
      ['clip', ['x', 'clip_min', 'clip_max'], []], ['pad', ['c', 'pad_pads', 'pad_value'], []],
    ]);
    expect(s.graph.initializers.get('clip_min')).toEqual(f32([], [-0.5]));
    expect(s.graph.initializers.get('pad_pads')).toEqual(i64([4], [0, 1, 0, 2]));
    const feed = { x: { dims: [2, 3], data: f32([2, 3], rand(4)).data as Float32Array } };
    const got = (await runOrt(s, feed)).y!;
    expect(maxRelError(got, (await runOrt(m, feed)).y!)).toBe(0);
    expect(got.length).toBe(12);
  });
});
