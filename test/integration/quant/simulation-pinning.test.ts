/**
 * Pins down how onnxruntime runs our fake-quantized model: graph optimisations on or off, and exposing
 * intermediate values as outputs, must not change a single output bit (ORT would fuse QuantizeLinear/
 * DequantizeLinear pairs into integer kernels with other rounding; our Mul/Round/Clip form must not be fused).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseNpy } from '../../../src/data/npy.js';
import { memoryDataSource } from '../../../src/data/memory-source.js';
import { buildSimModel } from '../../../src/quant/simulate/sim-model.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import { nullLogger } from '../../../src/log.js';
import { loadOnnxFile } from '../../../src/node/onnx-file.js';
import { ortRuntime } from '../../../src/node/ort-runtime.js';
import { prepareModel } from '../../../src/onnx/prepare-model.js';
import { quantizeGraph } from '../../../src/quant/quantize.js';
import { defaultQuantOptions } from '../../../src/quant/options.js';
import type { QuantizedGraph } from '../../../src/quant/types.js';
import { loadBatchSession } from '../../../src/exec/batches.js';
import { fixture } from '../../helpers/paths.js';

const runtime = ortRuntime();
let images: Tensor;
const graphs: Record<string, QuantizedGraph> = {};

beforeAll(async () => {
  const model = prepareModel(await loadOnnxFile(fixture('digits', 'model.onnx')), {}, nullLogger);
  const calib = parseNpy(new Uint8Array(readFileSync(fixture('digits', 'calib.npy'))));
  const all = parseNpy(new Uint8Array(readFileSync(fixture('digits', 'test_images.npy'))));
  images = { ...all, dims: [64, 1, 32, 32], data: (all.data as Float32Array).subarray(0, 64 * 1024) };
  for (const target of ['esp32p4', 'esp32s3'] as const) {
    graphs[target] = (await quantizeGraph(model, { ...defaultQuantOptions(target, 8), calibSteps: 8 },
      { runtime, data: memoryDataSource({ input: calib }), batchSize: 8, logger: nullLogger })).graph;
  }
});

async function logits(qg: QuantizedGraph, optimization: 'all' | 'disabled', extraOutputs: readonly string[] = []): Promise<Float32Array> {
  const session = await loadBatchSession(runtime, buildSimModel(qg, { extraOutputs }).model, { optimization });
  try {
    return (await session.run({ input: images }, ['logits'])).get('logits')!.data;
  } finally {
    await session.release();
  }
}

describe('fake-quant simulation is not changed by onnxruntime optimisations', () => {
  it.each(['esp32p4', 'esp32s3'])('%s: optimised = unoptimised = with every intermediate exposed, bit for bit', async (target) => {
    const qg = graphs[target]!;
    const reference = await logits(qg, 'disabled');
    const intermediates = qg.model.graph.nodes.flatMap((n) => n.outputs).filter((o) => o !== 'logits');
    expect(Array.from(await logits(qg, 'all'))).toEqual(Array.from(reference));
    expect(Array.from(await logits(qg, 'all', intermediates))).toEqual(Array.from(reference));
    // Every logit lies on the output grid: quantized with the output config's exponent.
    const exponent = qg.ops.get('/fc/Gemm')!.outputs[0]!.exponent as number;
    for (const v of reference) expect(Number.isInteger(v / 2 ** exponent)).toBe(true);
  });
});
