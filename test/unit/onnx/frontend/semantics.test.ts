/**
 * Every front-end rewrite preserves the float model: the same inputs give the same outputs in onnxruntime
 * before and after (tolerance: exact for data movement and folding, 1e-6 relative where an op is replaced by
 * an equivalent float computation — Softmax flattened and reshaped, ImageScaler as Mul + Add). Each case also
 * checks the rewrite happened (what it became), so a test cannot pass by leaving the model alone.
 */
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../../src/ir/graph.js';
import { recordingLogger } from '../../../fakes/recording-logger.js';
import { runFrontEnd } from '../../../../src/onnx/frontend/index.js';
import { f32, i64, model, node, rand, vi } from '../graph-builder.js';
import { maxRelError, runOrt } from '../simplify/ort.js';

const x4 = (dims = [1, 3, 4, 5], seed = 1) => ({ x: { dims, data: f32(dims, rand(seed)).data as Float32Array } });

async function same(before: Model, after: Model, feeds: Record<string, { dims: number[]; data: Float32Array }>, tol = 0): Promise<void> {
  const a = await runOrt(before, feeds);
  const b = await runOrt(after, feeds);
  for (const [k, v] of Object.entries(a)) {
    expect(b[k], `output ${k}`).toBeDefined();
    if (tol === 0) expect(Array.from(b[k]!)).toEqual(Array.from(v));
    else expect(maxRelError(b[k]!, v)).toBeLessThan(tol);
  }
}

const ops = (m: Model) => m.graph.nodes.map((n) => n.opType);

describe('opset conversion (7–12 → 13)', () => {
  it('Upsample-9 (nearest, scales input) → Resize-13 asymmetric/floor, same output', async () => {
    const m = model({
      opset: 9, nodes: [node('Upsample', 'up', ['x', 'sc'], ['y'], { mode: 'nearest' })],
      inputs: [vi('x', [1, 3, 4, 5])], outputs: [vi('y', [1, 3, 8, 15])], initializers: { sc: f32([4], [1, 1, 2, 3]) },
    });
    const out = runFrontEnd(m);
    expect(ops(out)).toEqual(['Resize']);
    expect(out.opsetImports[0]!.version).toBe(13);
    await same(m, out, x4());
  });

  it('Upsample-7 (linear, scales attribute) → Resize-13 linear', async () => {
    const m = model({
      opset: 7, nodes: [node('Upsample', 'up', ['x'], ['y'], { mode: 'linear', scales: { floats: [1, 1, 2, 2] } })],
      inputs: [vi('x', [1, 3, 4, 5])], outputs: [vi('y', [1, 3, 8, 10])],
    });
    const out = runFrontEnd(m);
    expect(ops(out)).toEqual(['Resize']);
    await same(m, out, x4(), 1e-6);
  });

  it('Resize-10 (nearest) → Resize-13 with asymmetric coordinates and floor rounding', async () => {
    const m = model({
      opset: 10, nodes: [node('Resize', 'rs', ['x', 'sc'], ['y'], { mode: 'nearest' })],
      inputs: [vi('x', [1, 3, 4, 5])], outputs: [vi('y', [1, 3, 6, 6])], initializers: { sc: f32([4], [1, 1, 1.5, 1.4]) },
    });
    const out = runFrontEnd(m);
    expect(out.graph.nodes[0]!.inputs).toEqual(['x', '', 'sc']);
    await same(m, out, x4());
  });

  it('Clip-6, Pad-2, Slice-1, Squeeze-11, Unsqueeze-11, ReduceSum-11, Split-11, TopK-1: attributes → inputs', async () => {
    const m = model({
      opset: 9,
      nodes: [
        node('Clip', 'clip', ['x'], ['c'], { min: { float: -0.5 }, max: { float: 0.5 } }),
        node('Pad', 'pad', ['c'], ['p'], { pads: [0, 0, 1, 1, 0, 0, 1, 1], value: { float: 0.25 } }),
        node('Slice', 'slice', ['p'], ['s'], { starts: [1, 0], ends: [3, -1], axes: [1, 3] }),
        node('Unsqueeze', 'unsq', ['s'], ['u'], { axes: [0] }),
        node('Squeeze', 'sq', ['u'], ['q'], { axes: [0] }),
        node('ReduceSum', 'rs', ['q'], ['r'], { axes: [3], keepdims: 1 }),
        node('Split', 'split', ['r'], ['r1', 'r2'], { axis: 1, split: [1, 1] }),
        node('TopK', 'topk', ['x'], ['tv', 'ti'], { k: 2, axis: -1 }),
      ],
      inputs: [vi('x', [1, 3, 4, 5])], outputs: [vi('r1', undefined), vi('r2', undefined), vi('tv', undefined)],
    });
    const out = runFrontEnd(m);
    for (const n of out.graph.nodes) expect([...n.attributes.keys()].filter((k) => ['min', 'max', 'pads', 'starts', 'axes', 'split', 'k'].includes(k)), n.opType).toEqual([]);
    await same(m, out, x4());
  });

  it('Softmax-11 on an inner axis (coerced to 2-D) → Flatten + Softmax(-1) + Reshape; last axis only gets axis -1', async () => {
    const m = model({
      opset: 11,
      nodes: [node('Softmax', 'sm', ['x'], ['y'], { axis: 1 }), node('LogSoftmax', 'lsm', ['x'], ['z'], { axis: 3 })],
      inputs: [vi('x', [1, 3, 4, 5])], outputs: [vi('y', [1, 3, 4, 5]), vi('z', [1, 3, 4, 5])],
    });
    const out = runFrontEnd(m);
    expect(ops(out)).toEqual(['Flatten', 'Softmax', 'Reshape', 'LogSoftmax']);
    expect(out.graph.nodes.find((n) => n.outputs[0] === 'y')!.opType).toBe('Reshape');
    await same(m, out, x4(), 1e-6);
  });

  it('BatchNormalization-7 spatial=1: attribute dropped; Dropout-7 → Identity', async () => {
    const m = model({
      opset: 7,
      nodes: [
        node('BatchNormalization', 'bn', ['x', 's', 'b', 'mu', 'var'], ['n'], { spatial: 1, epsilon: { float: 1e-3 } }),
        node('Dropout', 'drop', ['n'], ['y'], { ratio: { float: 0.5 } }),
      ],
      inputs: [vi('x', [1, 3, 4, 5])], outputs: [vi('y', [1, 3, 4, 5])],
      initializers: { s: f32([3], [1, 2, 3]), b: f32([3], [0.1, 0.2, 0.3]), mu: f32([3], [0, 1, -1]), var: f32([3], [1, 4, 0.5]) },
    });
    const out = runFrontEnd(m);
    expect(ops(out)).toEqual(['BatchNormalization', 'Identity']);
    expect(out.graph.nodes[0]!.attributes.has('spatial')).toBe(false);
    await same(m, out, x4());
  });

  it('ImageScaler (experimental, opset 8) → Mul + Add', async () => {
    const m = model({
      opset: 8, nodes: [node('ImageScaler', 'scale', ['x'], ['y'], { scale: { float: 0.5 }, bias: { floats: [1, 2, 3] } })],
      inputs: [vi('x', [1, 3, 4, 5])], outputs: [vi('y', [1, 3, 4, 5])],
    });
    const out = runFrontEnd(m);
    expect(ops(out)).toEqual(['Mul', 'Add']);
    // onnxruntime no longer runs ImageScaler; the expected output is computed here from its definition.
    const feeds = x4();
    const y = (await runOrt(out, feeds)).y!;
    const want = Float32Array.from(feeds.x.data, (v, i) => Math.fround(Math.fround(v * 0.5) + [1, 2, 3][Math.floor(i / 20) % 3]!));
    expect(maxRelError(y, want)).toBeLessThan(1e-6);
  });

  it('opset 22/23 models are read as 21; opsets outside 7–23 are refused with exit-2 errors', () => {
    const m = (opset: number) => model({ opset, nodes: [node('Relu', 'r', ['x'], ['y'])], inputs: [vi('x', [1, 4])], outputs: [vi('y', [1, 4])] });
    expect(runFrontEnd(m(23)).opsetImports[0]!.version).toBe(21);
    expect(runFrontEnd(m(17)).opsetImports[0]!.version).toBe(17);
    expect(() => runFrontEnd(m(6))).toThrow(/opset 6; this tool reads opsets 7 to 23/);
    expect(() => runFrontEnd(m(24))).toThrow(/opset 24/);
  });
});

describe('folding with static shapes', () => {
  it('Shape → Gather/Slice → Concat → Reshape after a Conv folds to one constant shape', async () => {
    const m = model({
      nodes: [
        node('Conv', 'conv', ['x', 'w'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
        node('Shape', 'shape', ['c'], ['s']),
        node('Gather', 'g0', ['s', 'zero'], ['n']),
        node('Slice', 'sl', ['s', 'one', 'two'], ['ch']),
        node('Unsqueeze', 'un', ['n', 'ax0'], ['nu']),
        node('Concat', 'cat', ['nu', 'ch', 'm1'], ['shp'], { axis: 0 }),
        node('Reshape', 'reshape', ['c', 'shp'], ['y']),
      ],
      inputs: [vi('x', ['N', 3, 4, 5])], outputs: [vi('y', ['N', 2, 20])],
      initializers: { w: f32([2, 3, 3, 3], rand(5)), zero: i64([], [0]), one: i64([1], [1]), two: i64([1], [2]), ax0: i64([1], [0]), m1: i64([1], [-1]) },
    });
    const log = recordingLogger();
    const out = runFrontEnd(m, { logger: log });
    expect(ops(out)).toEqual(['Conv', 'Reshape']);
    expect(out.graph.initializers.get('shp')).toEqual(i64([3], [1, 2, -1]));
    expect(out.graph.outputs[0]!.shape).toEqual([1, 2, 20]);
    expect(log.lines.map((l) => l.message)).toContain('front end: folded 5 node(s) of constant or shape arithmetic into constants');
    await same(m, out, x4());
  });

  it('ConstantOfShape, Range, Expand, Equal/Where/Cast on constants fold; a constant If is replaced by its branch', async () => {
    const thenBranch = model({
      nodes: [node('Mul', 'then_mul', ['x', 'two'], ['t'])], inputs: [], outputs: [vi('t', undefined)], initializers: { two: f32([], [2]) },
    }).graph;
    const elseBranch = model({ nodes: [node('Neg', 'else_neg', ['x'], ['e'])], inputs: [], outputs: [vi('e', undefined)] }).graph;
    const m = model({
      nodes: [
        node('Shape', 'shape', ['x'], ['s']),
        node('ConstantOfShape', 'cos', ['s'], ['ones'], { value: f32([1], [1]) }),
        node('Range', 'range', ['r0', 'r5', 'r1'], ['rg']),
        node('Cast', 'cast', ['rg'], ['rgf'], { to: 1 }),
        node('Expand', 'expand', ['rgf', 's'], ['ex']),
        node('Equal', 'eq', ['sr', 'k16000'], ['cond']),
        node('Where', 'where', ['cond', 'ones', 'ex'], ['sel']),
        node('Add', 'add', ['x', 'sel'], ['a']),
        { name: 'if', opType: 'If', domain: '', inputs: ['cond'], outputs: ['y'], attributes: new Map([['then_branch', { type: 'graph', value: thenBranch }], ['else_branch', { type: 'graph', value: elseBranch }]]) },
        node('Add', 'final', ['y', 'a'], ['out']),
      ],
      inputs: [vi('x', [1, 3, 4, 5])], outputs: [vi('out', [1, 3, 4, 5])],
      initializers: { r0: i64([], [0]), r5: i64([], [5]), r1: i64([], [1]), sr: i64([], [16000]), k16000: i64([], [16000]) },
    });
    const log = recordingLogger();
    const out = runFrontEnd(m, { logger: log });
    expect(ops(out)).toEqual(['Add', 'Mul', 'Add']);
    expect(out.graph.nodes[1]!.outputs).toEqual(['y']);
    expect(log.lines.map((l) => l.message)).toContain('front end: If with a constant condition replaced by its branch: if');
    await same(m, out, x4());
  });
  it('Split of a constant folds (tf2onnx computes Pad pads as Split → Concat), so the Shape after the Pad folds too', async () => {
    // tf2onnx (e.g. M-LSD, jp.keijiro.mlsd) reorders TF paddings into ONNX pads by splitting a constant [8] into
    // eight scalars and concatenating them in ONNX order; the Resize sizes downstream come from Shape(...).
    const m = model({
      nodes: [
        node('Split', 'split8', ['tfpads'], ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'], { axis: 0 }),
        node('Concat', 'order', ['p0', 'p3', 'p1', 'p2', 'p4', 'p7', 'p5', 'p6'], ['pads'], { axis: 0 }),
        node('Pad', 'pad', ['x', 'pads'], ['y']),
        node('Shape', 'shape', ['y'], ['s']),
        node('Reshape', 'reshape', ['y', 's'], ['out']),
        node('Split', 'bysize', ['m', 'sizes'], ['a', 'b'], { axis: 1 }),
        node('Add', 'addb', ['b', 'z'], ['out2']),
      ],
      inputs: [vi('x', [1, 3, 4, 5]), vi('z', [2, 2])], outputs: [vi('out', undefined), vi('out2', [2, 2])],
      initializers: { tfpads: i64([8], [0, 0, 2, 1, 0, 0, 2, 1]), m: f32([2, 5], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), sizes: i64([2], [3, 2]) },
    });
    const log = recordingLogger();
    const out = runFrontEnd(m, { logger: log });
    expect(ops(out)).toEqual(['Pad', 'Reshape', 'Add']);
    expect(out.graph.initializers.get('pads')).toEqual(i64([8], [0, 1, 0, 2, 0, 1, 0, 2]));
    expect(out.graph.initializers.get('s')).toEqual(i64([4], [1, 5, 4, 9]));
    // Columns 3 and 4 of each row: the part after the first 3.
    expect(out.graph.initializers.get('b')).toEqual(f32([2, 2], [3, 4, 8, 9]));
    expect(log.lines.map((l) => l.message)).toContain('front end: folded 4 node(s) of constant or shape arithmetic into constants');
    const z = { dims: [2, 2], data: Float32Array.from([1, 2, 3, 4]) };
    await same(m, out, { ...x4(), z });
  });
});

describe('rewrites to ops ESP-DL has', () => {
  it('Max(x, c) → Clip(x, c); Min(x, c) → Clip(x, −2^31, c); names kept', async () => {
    const m = model({
      nodes: [node('Max', 'max', ['x', 'lo'], ['a']), node('Min', 'min', ['hi', 'a'], ['y'])],
      inputs: [vi('x', [1, 3, 4, 5])], outputs: [vi('y', [1, 3, 4, 5])],
      initializers: { lo: f32([1, 1, 1, 1], [-0.4]), hi: f32([], [0.3]) },
    });
    const log = recordingLogger();
    const out = runFrontEnd(m, { logger: log });
    expect(out.graph.nodes.map((n) => [n.name, n.opType, n.outputs[0]])).toEqual([['max', 'Clip', 'a'], ['min', 'Clip', 'y']]);
    expect(log.lines.filter((l) => l.level === 'info').map((l) => l.message)).toEqual(['front end: Max(x, constant) → Clip (1 node): max', 'front end: Min(x, constant) → Clip (1 node): min']);
    await same(m, out, x4());
  });

  it('Max(x, c) where c would broadcast x to a larger shape is left alone', () => {
    const m = model({
      nodes: [node('Max', 'max', ['x', 'lo'], ['y'])], inputs: [vi('x', [3])], outputs: [vi('y', [2, 3])], initializers: { lo: f32([2, 1], [0, 0]) },
    });
    expect(ops(runFrontEnd(m))).toEqual(['Max']);
  });

  it('Clip with +inf max loses the bound, with −inf min gets −2^31, with both becomes Identity', async () => {
    const m = model({
      nodes: [
        node('Clip', 'c1', ['x', 'zero', 'inf'], ['a']),
        node('Clip', 'c2', ['a', 'ninf', 'half'], ['b']),
        node('Clip', 'c3', ['b', 'ninf', 'inf'], ['y']),
      ],
      inputs: [vi('x', [1, 3, 4, 5])], outputs: [vi('y', [1, 3, 4, 5])],
      initializers: { zero: f32([], [0]), inf: f32([], [Infinity]), ninf: f32([], [-Infinity]), half: f32([], [0.5]) },
    });
    const out = runFrontEnd(m);
    expect(out.graph.nodes.map((n) => [n.opType, n.inputs.length])).toEqual([['Clip', 2], ['Clip', 3], ['Identity', 1]]);
    expect([...out.graph.initializers.values()].some((t) => Array.from(t.data as Float32Array).some((v) => !Number.isFinite(v)))).toBe(false);
    await same(m, out, x4());
  });

  it('Cast to the type its input already has → Identity', async () => {
    const m = model({ nodes: [node('Relu', 'r', ['x'], ['a']), node('Cast', 'cast', ['a'], ['y'], { to: 1 })], inputs: [vi('x', [1, 3, 4, 5])], outputs: [vi('y', [1, 3, 4, 5])] });
    const out = runFrontEnd(m);
    expect(ops(out)).toEqual(['Relu', 'Identity']);
    await same(m, out, x4());
  });
});

describe('input shapes', () => {
  it('named shapes bind symbolic dims everywhere; what stays dynamic is listed for every input at once', () => {
    const m = () => model({
      nodes: [node('Add', 'add', ['a', 'b'], ['y'])],
      inputs: [vi('a', [1, 'seq']), vi('b', [1, 'seq']), vi('h', [2, 'batch', 'hidden'])], outputs: [vi('y', [1, 'seq'])],
    });
    const out = runFrontEnd(m(), { inputShapes: { a: [1, 16], h: [2, 1, 64] } });
    expect(out.graph.inputs.map((i) => i.shape)).toEqual([[1, 16], [1, 16], [2, 1, 64]]);
    expect(out.graph.outputs[0]!.shape).toEqual([1, 16]);
    expect(() => runFrontEnd(m())).toThrow(/inputs "a" \[1, seq\], "b" \[1, seq\], "h" \[2, batch, hidden\] have dynamic dimensions: give their shapes, e\.g\. --input-shape a:1,N --input-shape b:1,N --input-shape h:2,N,N/);
    expect(() => runFrontEnd(m(), { inputShapes: [1, 16] })).toThrow(/the model has 3 inputs \(a, b, h\): give one --input-shape NAME:DIMS per input/);
    expect(() => runFrontEnd(m(), { inputShapes: { c: [1] } })).toThrow(/--input-shape names "c", which is not an input of the model/);
  });
});
