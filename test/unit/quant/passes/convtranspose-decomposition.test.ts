/**
 * ConvTranspose → InsertZeros + Conv (ESP-PPQ's ConvTransposeDecompositionPass): the decomposed model, run by
 * onnxruntime through forOnnxRuntime's InsertZeros expansion, must equal onnxruntime's own ConvTranspose in
 * float; the graph must look like ESP-PPQ's (fixture ConvTranspose/04: names, attributes, shapes).
 */
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../../src/ir/graph.js';
import type { Tensor } from '../../../../src/ir/tensor.js';
import { ortRuntime } from '../../../../src/node/ort-runtime.js';
import { forOnnxRuntime } from '../../../../src/exec/for-onnxruntime.js';
import { convTransposeWeightToConv, decomposeConvTranspose } from '../../../../src/quant/passes/convtranspose-decomposition.js';
import { f32, model, node, rand, vi } from '../../onnx/graph-builder.js';

const runtime = ortRuntime();

interface Case {
  name: string; x: number[]; w: number[]; attrs: Record<string, number | number[]>; bias?: boolean; opset?: number;
}

const CASES: Case[] = [
  { name: '1d stride 2, output_padding 1 (fixture 04)', x: [1, 3, 20], w: [3, 16, 3], attrs: { strides: [2], output_padding: [1], pads: [0, 0] }, bias: true },
  { name: '1d stride 3, pad 1, output_padding 2 (fixture 06)', x: [1, 16, 20], w: [16, 20, 5], attrs: { strides: [3], output_padding: [2], pads: [1, 1] } },
  { name: '2d stride 1 1x1 (fixture 01)', x: [1, 8, 6, 6], w: [8, 32, 1, 1], attrs: { strides: [1, 1] }, bias: true },
  { name: '2d stride 2x3, asymmetric pads, dilation 2', x: [2, 4, 5, 7], w: [4, 6, 3, 2], attrs: { strides: [2, 3], pads: [1, 0, 2, 1], dilations: [2, 2], output_padding: [1, 2] }, bias: true },
  { name: '2d groups 2', x: [1, 6, 5, 5], w: [6, 4, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], group: 2 }, bias: true },
  { name: '2d opset 11 (Unsqueeze axes attribute)', x: [1, 2, 4, 3], w: [2, 3, 2, 2], attrs: { strides: [3, 2], output_padding: [2, 1] }, opset: 11 },
];

function build(c: Case): { m: Model; x: Tensor } {
  const r = rand(c.x.length * 31 + c.w.reduce((a, b) => a + b, 0));
  const cout = c.w[1]! * ((c.attrs['group'] as number | undefined) ?? 1);
  const inits: Record<string, Tensor> = { W: f32(c.w, r) };
  if (c.bias) inits['B'] = f32([cout], r);
  const m = model({
    nodes: [node('ConvTranspose', '/ct', ['x', 'W', ...(c.bias ? ['B'] : [])], ['y'], c.attrs)],
    inputs: [vi('x', c.x)], outputs: [vi('y', undefined)], initializers: inits, opset: c.opset ?? 17,
  });
  return { m, x: f32(c.x, r) };
}

async function run(m: Model, x: Tensor): Promise<Tensor> {
  const s = await runtime.load(forOnnxRuntime(m));
  try {
    return (await s.run({ x }, ['y'])).get('y')!;
  } finally {
    await s.release();
  }
}

describe('decomposeConvTranspose', () => {
  it.each(CASES)('$name: equals ConvTranspose within 1e-5', async (c) => {
    const { m, x } = build(c);
    const d = decomposeConvTranspose(m);
    expect(d.graph.nodes.some((n) => n.opType === 'ConvTranspose')).toBe(false);
    expect(m.graph.nodes[0]!.opType).toBe('ConvTranspose'); // input untouched
    const [want, got] = [await run(m, x), await run(d, x)];
    expect(got.dims).toEqual(want.dims);
    const a = got.data as Float32Array;
    const b = want.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThan(1e-5);
  });

  it('builds the graph ESP-PPQ exports for fixture ConvTranspose/04', () => {
    const { m } = build(CASES[0]!);
    const d = decomposeConvTranspose(m);
    const [iz, conv] = d.graph.nodes;
    expect(iz).toMatchObject({ name: 'PPQ_Operation_0', opType: 'InsertZeros', inputs: ['x'], outputs: ['PPQ_Variable_0'] });
    expect(Object.fromEntries(iz!.attributes)).toEqual({ stride: { type: 'ints', value: [2] }, output_padding: { type: 'ints', value: [1] } });
    expect(conv).toMatchObject({ name: '/ct', opType: 'Conv', inputs: ['PPQ_Variable_0', 'W', 'B'], outputs: ['y'] });
    expect(Object.fromEntries(conv!.attributes)).toEqual({
      dilations: { type: 'ints', value: [1] }, group: { type: 'int', value: 1 }, kernel_shape: { type: 'ints', value: [3] },
      pads: { type: 'ints', value: [2, 2] }, strides: { type: 'ints', value: [1] },
    });
    // ESP-PPQ's value_info: PPQ_Variable_0 [1, 40, 3] in NWC = [1, 3, 40] in NCW; the weight [16, 3, 3].
    expect(d.graph.valueInfo.get('PPQ_Variable_0')?.shape).toEqual([1, 3, 40]);
    expect(d.graph.initializers.get('W')!.dims).toEqual([16, 3, 3]);
  });

  it('stride 1 without output padding is a lone Conv (fixture ConvTranspose/01)', () => {
    const d = decomposeConvTranspose(build(CASES[2]!).m);
    expect(d.graph.nodes.map((n) => n.opType)).toEqual(['Conv']);
  });

  it('rotates the kernel and swaps channels: W[i, o, k] → W′[o, i, K−1−k]', () => {
    const w = f32([2, 3, 2], (i) => i);
    const c = convTransposeWeightToConv(w, 1);
    expect(c.dims).toEqual([3, 2, 2]);
    // W[i][o] = [2(3i+o), 2(3i+o)+1] → W′[o][i] = reversed.
    expect(Array.from(c.data as Float32Array)).toEqual([1, 0, 7, 6, 3, 2, 9, 8, 5, 4, 11, 10]);
  });
});
