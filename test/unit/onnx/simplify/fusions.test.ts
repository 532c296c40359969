import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../../fakes/recording-logger.js';
import { forOnnxRuntime } from '../../../../src/exec/for-onnxruntime.js';
import { simplifyModel } from '../../../../src/onnx/simplify/index.js';
import { encodeModel } from '../../../../src/onnx/write.js';
import { f32, model, node, rand, vi } from '../graph-builder.js';
import { maxRelError, runOrt } from './ort.js';

const summary = (m: ReturnType<typeof simplifyModel>) => m.graph.nodes.map((n) => [n.opType, n.name, n.inputs, n.outputs]);

/** x → Conv(no bias) → Add(Constant bias) → BN → Sigmoid·Mul → Dropout → Identity → y */
function convChain() {
  const r = rand(7);
  const c = 4;
  return model({
    nodes: [
      node('Constant', 'cbias', [], ['bias_c'], { value: f32([1, c, 1, 1], r) }),
      node('Conv', 'conv1', ['x', 'W'], ['c1'], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] }),
      node('Add', 'add1', ['c1', 'bias_c'], ['a1']),
      node('BatchNormalization', 'bn1', ['a1', 'bn_s', 'bn_b', 'bn_m', 'bn_v'], ['b1'], { epsilon: { float: 1e-3 } }),
      node('Sigmoid', 'sig', ['b1'], ['s1']),
      node('Mul', 'mul', ['b1', 's1'], ['m1']),
      node('Dropout', 'drop', ['m1'], ['d1']),
      node('Identity', 'id', ['d1'], ['y']),
    ],
    inputs: [vi('x', [1, 3, 8, 8])],
    outputs: [vi('y', [1, c, 8, 8])],
    initializers: {
      W: f32([c, 3, 3, 3], r), bn_s: f32([c], (i) => 0.5 + i * 0.25), bn_b: f32([c], r), bn_m: f32([c], r),
      bn_v: f32([c], (i) => 0.2 + i), unused: f32([2], [1, 2]),
    },
  });
}

describe('simplifyModel fusions', () => {
  it('Conv+Add+BN+Sigmoid·Mul+Dropout+Identity → Conv + Swish, names as documented, same numbers', async () => {
    const m = convChain();
    const before = encodeModel(m);
    const s = simplifyModel(m, { logger: recordingLogger() });
    expect(Buffer.from(encodeModel(m)).equals(Buffer.from(before))).toBe(true); // input untouched
    expect(summary(s)).toEqual([
      ['Conv', 'conv1', ['x', 'conv1_weight', 'conv1_bias'], ['b1']],
      ['Swish', 'conv1/Swish', ['b1'], ['y']],
    ]);
    expect([...s.graph.initializers.keys()].sort()).toEqual(['conv1_bias', 'conv1_weight']);
    expect(s.graph.outputs.map((o) => o.name)).toEqual(['y']);
    const x = f32([1, 3, 8, 8], rand(99)).data as Float32Array;
    const want = (await runOrt(m, { x: { dims: [1, 3, 8, 8], data: x } })).y!;
    const got = (await runOrt(forOnnxRuntime(s), { x: { dims: [1, 3, 8, 8], data: x } })).y!;
    expect(maxRelError(got, want)).toBeLessThan(1e-5);
  });

  it('bias Add: Conv keeps its output name and the Add output disappears (ESP-PPQ), unless it is a graph output', () => {
    const mk = (out: string) => model({
      nodes: [node('Conv', 'c', ['x', 'W'], ['co']), node('Add', 'a', ['B', 'co'], ['ao']), node('Relu', 'r', ['ao'], [out])],
      inputs: [vi('x', [1, 2, 4, 4])], outputs: [vi(out, [1, 2, 4, 4])],
      initializers: { W: f32([2, 2, 1, 1], [1, 2, 3, 4]), B: f32([1, 2, 1, 1], [5, 6]) },
    });
    const s = simplifyModel(mk('y'));
    expect(summary(s)).toEqual([['Conv', 'c', ['x', 'W', 'c_bias'], ['co']], ['Relu', 'r', ['co'], ['y']]]);
    expect(s.graph.initializers.get('c_bias')).toEqual(f32([2], [5, 6]));
    const asOutput = model({
      nodes: [node('Conv', 'c', ['x', 'W'], ['co']), node('Add', 'a', ['co', 'B'], ['y'])],
      inputs: [vi('x', [1, 2, 4, 4])], outputs: [vi('y', [1, 2, 4, 4])],
      initializers: { W: f32([2, 2, 1, 1], [1, 2, 3, 4]), B: f32([1, 2, 1, 1], [5, 6]) },
    });
    expect(summary(simplifyModel(asOutput))).toEqual([['Conv', 'c', ['x', 'W', 'c_bias'], ['y']]]);
  });

  it('does not fuse a bias that is not per-channel, a Conv with a bias, or a shared Conv output', () => {
    const base = (nodes: ReturnType<typeof node>[], B: number[]) => model({
      nodes, inputs: [vi('x', [1, 2, 4, 4])], outputs: [vi('y', undefined)],
      initializers: { W: f32([2, 2, 1, 1], [1, 2, 3, 4]), Wb: f32([2], [1, 1]), B: f32(B, (i) => i) },
    });
    const spatial = base([node('Conv', 'c', ['x', 'W'], ['co']), node('Add', 'a', ['co', 'B'], ['y'])], [1, 1, 4, 4]);
    expect(simplifyModel(spatial).graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Add']);
    const hasBias = base([node('Conv', 'c', ['x', 'W', 'Wb'], ['co']), node('Add', 'a', ['co', 'B'], ['y'])], [1, 2, 1, 1]);
    expect(simplifyModel(hasBias).graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Add']);
    const shared = base([node('Conv', 'c', ['x', 'W'], ['co']), node('Add', 'a', ['co', 'B'], ['ao']), node('Mul', 'm', ['co', 'ao'], ['y'])], [1, 2, 1, 1]);
    expect(simplifyModel(shared).graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Add', 'Mul']);
  });

  it('Swish needs the exclusive pattern: a second consumer of x or an SE-style gate is left alone', () => {
    const se = model({
      nodes: [node('Conv', 'c', ['x', 'W'], ['g']), node('Sigmoid', 's', ['g'], ['sg']), node('Mul', 'm', ['x', 'sg'], ['y'])],
      inputs: [vi('x', [1, 2, 1, 1])], outputs: [vi('y', undefined)], initializers: { W: f32([2, 2, 1, 1], [1, 0, 0, 1]) },
    });
    expect(simplifyModel(se).graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Sigmoid', 'Mul']);
    const extra = model({
      nodes: [node('Conv', 'c', ['x', 'W'], ['v']), node('Sigmoid', 's', ['v'], ['sv']), node('Mul', 'm', ['v', 'sv'], ['y']), node('Relu', 'r', ['v'], ['z'])],
      inputs: [vi('x', [1, 2, 1, 1])], outputs: [vi('y', undefined), vi('z', undefined)], initializers: { W: f32([2, 2, 1, 1], [1, 0, 0, 1]) },
    });
    expect(simplifyModel(extra).graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Sigmoid', 'Mul', 'Relu']);
  });

  it('ConvTranspose (group 2) + BN and Gemm (transB) + BN fold with the same outputs', async () => {
    const r = rand(3);
    const bn = (name: string, input: string, out: string, c: number) => ({
      node: node('BatchNormalization', name, [input, `${name}_s`, `${name}_b`, `${name}_m`, `${name}_v`], [out]),
      inits: { [`${name}_s`]: f32([c], r), [`${name}_b`]: f32([c], r), [`${name}_m`]: f32([c], r), [`${name}_v`]: f32([c], (i) => 0.5 + i) },
    });
    const b1 = bn('bnt', 't', 'y', 6);
    const ct = model({
      nodes: [node('ConvTranspose', 'ct', ['x', 'Wt', 'Bt'], ['t'], { group: 2, strides: [2, 2] }), b1.node],
      inputs: [vi('x', [1, 4, 3, 3])], outputs: [vi('y', undefined)],
      initializers: { Wt: f32([4, 3, 2, 2], r), Bt: f32([6], r), ...b1.inits },
    });
    const b2 = bn('bng', 'gm', 'z', 5);
    const gemm = model({
      nodes: [node('Gemm', 'gemm', ['v', 'Wg'], ['gm'], { transB: 1 }), b2.node],
      inputs: [vi('v', [2, 3])], outputs: [vi('z', undefined)],
      initializers: { Wg: f32([5, 3], r), ...b2.inits },
    });
    for (const [m, name, dims] of [[ct, 'x', [1, 4, 3, 3]], [gemm, 'v', [2, 3]]] as const) {
      const s = simplifyModel(m);
      expect(s.graph.nodes.map((n) => n.opType)).toEqual([m.graph.nodes[0]!.opType]);
      expect(s.graph.nodes[0]!.outputs).toEqual(m.graph.outputs.map((o) => o.name));
      const feed = { [name]: { dims: [...dims], data: f32([...dims], rand(5)).data as Float32Array } };
      const want = Object.values(await runOrt(m, feed))[0]!;
      const got = Object.values(await runOrt(s, feed))[0]!;
      expect(maxRelError(got, want)).toBeLessThan(1e-5);
    }
  });

  it('a lone BatchNormalization becomes a 1x1 depthwise Conv with the BN name and output', async () => {
    const r = rand(11);
    const m = model({
      nodes: [node('Relu', 'relu', ['x'], ['rx']), node('BatchNormalization', 'bn', ['rx', 's', 'b', 'mean', 'var'], ['y'])],
      inputs: [vi('x', [1, 3, 4, 4])], outputs: [vi('y', [1, 3, 4, 4])],
      initializers: { s: f32([3], r), b: f32([3], r), mean: f32([3], r), var: f32([3], [0.5, 1, 2]) },
    });
    const s = simplifyModel(m);
    const conv = s.graph.nodes[1]!;
    expect([conv.opType, conv.name, conv.inputs, conv.outputs]).toEqual(['Conv', 'bn', ['rx', 's', 'b'], ['y']]);
    expect(conv.attributes.get('group')).toEqual({ type: 'int', value: 3 });
    expect(s.graph.initializers.get('s')!.dims).toEqual([3, 1, 1, 1]);
    const feed = { x: { dims: [1, 3, 4, 4], data: f32([1, 3, 4, 4], rand(2)).data as Float32Array } };
    expect(maxRelError((await runOrt(s, feed)).y!, (await runOrt(m, feed)).y!)).toBeLessThan(1e-5);
  });
});
