/**
 * Batch runs of batch-1 models: which models can take a batch (rules on hand-built graphs), and that a batch run
 * gives exactly the per-sample numbers on real models (the digits model's quantized simulation, a MobileNetV2 and
 * the PP-OCR-shaped detector), with chunking by output size.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withBatchDim } from '../../../src/exec/batch-dim.js';
import { loadBatchSession } from '../../../src/exec/batches.js';
import type { Model } from '../../../src/ir/graph.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import { nullLogger } from '../../../src/log.js';
import { ortRuntime } from '../../../src/node/ort-runtime.js';
import { loadOnnxFile } from '../../../src/node/onnx-file.js';
import { prepareModel } from '../../../src/onnx/prepare-model.js';
import { parseNpy } from '../../../src/data/npy.js';
import { memoryDataSource } from '../../../src/data/memory-source.js';
import { quantizeGraph } from '../../../src/quant/quantize.js';
import { defaultQuantOptions } from '../../../src/quant/options.js';
import { buildSimModel, probeName } from '../../../src/quant/simulate/sim-model.js';
import { ensureShapes } from '../../../src/exec/infer-shapes.js';
import { fixture } from '../../helpers/paths.js';
import { f32, i64, model, node, rand, vi } from '../onnx/graph-builder.js';
import { mobileNetV2 } from '../../../scripts/mobilenet-v2.mjs';
import { DET_INPUT, detHeadModel } from '../onnx/det-head-model.js';

const runtime = ortRuntime();

/** x [1,4,6,6] → Conv → `tail` nodes → y. */
function convThen(tail: ReturnType<typeof node>[], out: string, extra: Record<string, Tensor> = {}): Model {
  return model({
    nodes: [node('Conv', 'conv', ['x', 'w'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }), ...tail],
    inputs: [vi('x', [1, 4, 6, 6])], outputs: [vi(out, undefined)],
    initializers: { w: f32([8, 4, 3, 3], rand(1)), ...extra },
  });
}

describe('withBatchDim', () => {
  it('gives a conv net with Flatten and Gemm a batch dim, and rewrites a Reshape target of 1 to 0 (copy)', () => {
    const m = convThen([
      node('Relu', 'relu', ['c'], ['r']),
      node('Reshape', 'reshape', ['r', 'shape'], ['flat']),
      node('Gemm', 'fc', ['flat', 'fcw', 'fcb'], ['y'], { transB: 1 }),
    ], 'y', { shape: i64([2], [1, -1]), fcw: f32([3, 288], rand(2)), fcb: f32([3]) });
    const b = withBatchDim(m)!;
    expect(b).toBeDefined();
    expect(b.batchInputs).toEqual(['x']);
    expect(b.model.graph.inputs[0]!.shape).toEqual(['batch', 4, 6, 6]);
    const reshape = b.model.graph.nodes.find((n) => n.opType === 'Reshape')!;
    expect(Array.from(b.model.graph.initializers.get(reshape.inputs[1]!)!.data as BigInt64Array)).toEqual([0n, -1n]);
    // The caller's model is not changed.
    expect(m.graph.nodes.find((n) => n.opType === 'Reshape')!.inputs[1]).toBe('shape');
  });

  it.each([
    ['Concat along the batch axis', [node('Concat', 'cat', ['c', 'c'], ['y'], { axis: 0 })], {}],
    ['Concat with a constant', [node('Concat', 'cat', ['c', 'k'], ['y'], { axis: 1 })], { k: f32([1, 8, 6, 6]) }],
    ['Softmax over the batch axis', [node('Softmax', 'sm', ['c'], ['y'], { axis: 0 })], {}],
    ['Transpose moving the batch axis', [node('Transpose', 't', ['c'], ['y'], { perm: [1, 0, 2, 3] })], {}],
    ['a reduction over every axis', [node('ReduceMax', 'r', ['c'], ['y'], { keepdims: 0 })], {}],
    ['Shape', [node('Shape', 's', ['c'], ['y'])], {}],
    ['a Reshape whose target is not a constant', [node('Shape', 's', ['c'], ['sh']), node('Reshape', 'r', ['c', 'sh'], ['y'])], {}],
    ['a Gemm whose weight is computed (one-row kernel on x86)', [
      node('Flatten', 'f', ['c'], ['flat']), node('Relu', 'rw', ['fcw'], ['w2']), node('Gemm', 'g', ['flat', 'w2'], ['y'], { transB: 1 }),
    ], { fcw: f32([3, 288], rand(3)) }],
    ['a custom-domain op', [{ ...node('Foo', 'foo', ['c'], ['y']), domain: 'com.example' }], {}],
  ] as const)('keeps batch 1 for %s', (_what, tail, extra) => {
    expect(withBatchDim(convThen([...tail], 'y', extra as Record<string, Tensor>))).toBeUndefined();
  });

  it('leaves graph inputs that are not samples (a gate scalar) alone', () => {
    const m = model({
      nodes: [node('Relu', 'r', ['x'], ['rx']), node('Where', 'w', ['gate', 'rx', 'x'], ['y'])],
      inputs: [vi('x', [1, 3]), vi('gate', [], 'bool')], outputs: [vi('y', [1, 3])],
    });
    const b = withBatchDim(m)!;
    expect(b.batchInputs).toEqual(['x']);
    expect(b.model.graph.inputs[1]!.shape).toEqual([]);
  });
});

/** Every fetched value, run per sample and batched, must be the same float32 bits. */
async function expectSameAsPerSample(m: Model, batch: Record<string, Tensor>, fetch: string[], maxBytesPerCall?: number): Promise<void> {
  const perSample = await loadBatchSession(runtime, m, { perSample: true });
  const batched = await loadBatchSession(runtime, m, maxBytesPerCall ? { maxBytesPerCall } : {});
  try {
    expect(batched.batched).toBe(true);
    const a = await perSample.run(batch, fetch);
    const b = await batched.run(batch, fetch);
    for (const name of fetch) {
      const x = a.get(name)!;
      const y = b.get(name)!;
      expect(y.sampleDims, name).toEqual(x.sampleDims);
      expect(Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength).equals(Buffer.from(x.data.buffer, x.data.byteOffset, x.data.byteLength)), name).toBe(true);
    }
  } finally {
    await perSample.release();
    await batched.release();
  }
}

const allValues = (m: Model): string[] => [...new Set(m.graph.nodes.flatMap((n) => n.outputs).filter(Boolean))];

function withOutputs(m: Model, names: string[]): Model {
  const have = new Set(m.graph.outputs.map((o) => o.name));
  return { ...m, graph: { ...m.graph, outputs: [...m.graph.outputs, ...names.filter((n) => !have.has(n)).map((name) => vi(name, undefined))] } };
}

describe('batch runs give the per-sample numbers bit for bit', () => {
  it('digits: the quantized simulation with every intermediate value and the calibration probes', async () => {
    const calib = parseNpy(new Uint8Array(readFileSync(fixture('digits', 'calib.npy'))));
    const prepared = prepareModel(await loadOnnxFile(fixture('digits', 'model.onnx')), {}, nullLogger);
    await ensureShapes(prepared, runtime);
    const data = memoryDataSource({ input: calib });
    const { graph } = await quantizeGraph(prepared, { ...defaultQuantOptions('esp32p4', 8), calibSteps: 2 }, { runtime, data, batchSize: 8, logger: nullLogger });
    const values = allValues(graph.model);
    const sim = buildSimModel(graph, { extraOutputs: values, probes: { minmax: values.slice(0, 5), gather: new Map([[values[3]!, Uint32Array.of(0, 7, 7, 100)]]) } }).model;
    const fetch = [...allValues(sim).filter((v) => !v.includes('::per_sample') && !v.endsWith('/flat'))];
    expect(fetch).toContain(probeName.min(values[0]!));
    const batch = { input: { ...calib, dims: [13, ...calib.dims.slice(1)], data: (calib.data as Float32Array).subarray(0, 13 * 32 * 32) } };
    // 5 KiB per call: several chunks of a few samples each.
    await expectSameAsPerSample(withOutputs(sim, fetch), batch, fetch, 5 * 1024);
  }, 60_000);

  it('MobileNetV2 (random weights) and the PP-OCR-shaped detector, float, every value', async () => {
    for (const [m, input, dims] of [[mobileNetV2({ seed: 3 }), 'input', [3, 224, 224]], [detHeadModel(), DET_INPUT.name, DET_INPUT.dims.slice(1)]] as const) {
      const prepared = prepareModel(m, {}, nullLogger);
      const values = allValues(prepared);
      const n = 3;
      const per = dims.reduce((a, b) => a * b, 1);
      const next = rand(5);
      const x = f32([n, ...dims], () => next(0) * 2);
      await expectSameAsPerSample(withOutputs(prepared, values), { [input]: x }, values);
      expect(per * n).toBe(x.data.length);
    }
  }, 120_000);
});
