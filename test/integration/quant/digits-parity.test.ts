/**
 * Parity with ESP-PPQ 1.3.5 on the digits fixture (test/fixtures/digits): the same model, data and settings
 * as its README describes (8 calibration batches of 8 images in file order, calib_steps 8). For every
 * target × bits × calibration algorithm: exponents of the quantized tensors, quantized top-1 on the test set and
 * the default AutoQuant score (mean of the 3 worst graph-wise ratios) against ESP-PPQ's own files.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, beforeAll } from 'vitest';
import { parseNpy } from '../../../src/data/npy.js';
import { memoryDataSource } from '../../../src/data/memory-source.js';
import type { Model } from '../../../src/ir/graph.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import { nullLogger } from '../../../src/log.js';
import { loadOnnxFile } from '../../../src/node/onnx-file.js';
import { ortRuntime } from '../../../src/node/ort-runtime.js';
import { prepareModel } from '../../../src/onnx/prepare-model.js';
import { quantizeOnnx } from '../../../src/quant/quantize-model.js';
import { defaultQuantOptions } from '../../../src/quant/options.js';
import type { ObserverName, Target } from '../../../src/quant/types.js';
import { fixture } from '../../helpers/paths.js';
import { loadBatchSession } from '../../../src/exec/batches.js';
import { topOneAccuracy } from '../../helpers/accuracy.js';

interface PpqTensor { bits: number; state: string; exponent: number | number[] }
const runtime = ortRuntime();
const npyAt = (file: string): Tensor => parseNpy(new Uint8Array(readFileSync(file)));
const npy = (name: string): Tensor => npyAt(fixture('digits', name));

async function simulatedLogits(model: Model): Promise<Float32Array> {
  const session = await loadBatchSession(runtime, model);
  try {
    return (await session.run({ input: testImages }, ['logits'])).get('logits')!.data;
  } finally {
    await session.release();
  }
}

let model: Model;
let calib: Tensor;
let testImages: Tensor;
let labels: number[];

beforeAll(async () => {
  model = prepareModel(await loadOnnxFile(fixture('digits', 'model.onnx')), {}, nullLogger);
  calib = npy('calib.npy');
  testImages = npy('test_images.npy');
  labels = Array.from(npy('test_labels.npy').data as BigInt64Array, Number);
});

const CONFIGS: [Target, 8 | 16, ObserverName][] = [];
for (const target of ['esp32p4', 'esp32s3'] as const) {
  for (const bits of [8, 16] as const) for (const algo of ['kl', 'minmax', 'percentile', 'mse'] as const) CONFIGS.push([target, bits, algo]);
}

describe('digits parity with ESP-PPQ 1.3.5', () => {
  it.each(CONFIGS)('%s int%d %s: exponents, top-1 and top-3 score', async (target, bits, algo) => {
    const dir = fixture('digits', 'ppq', `${target}_${bits}_${algo}`);
    const expected = JSON.parse(readFileSync(`${dir}/tensor_exponents.json`, 'utf8')) as Record<string, PpqTensor>;
    const metrics = JSON.parse(readFileSync(`${dir}/metrics.json`, 'utf8')) as { graphwise_top3_mean: number; quant_top1: number };
    const options = { ...defaultQuantOptions(target, bits), calibAlgorithm: algo, calibSteps: 8 };
    const r = await quantizeOnnx({ model, data: memoryDataSource({ input: calib }), options, runtime, batchSize: 8, logger: nullLogger });

    const names = Object.keys(expected);
    const mismatched = names.filter((n) => JSON.stringify(r.tensors[n]?.exponent) !== JSON.stringify(expected[n]!.exponent));
    const equalShare = 1 - mismatched.length / names.length;
    process.stderr.write(`parity ${target} int${bits} ${algo}: exponents ${names.length - mismatched.length}/${names.length}` +
      `${mismatched.length ? ` (differ: ${mismatched.map((n) => `${n} ours ${JSON.stringify(r.tensors[n]?.exponent)} ppq ${JSON.stringify(expected[n]!.exponent)}`).join('; ')})` : ''}` +
      `, top3 ${r.top3Mean?.toFixed(5)} vs ${metrics.graphwise_top3_mean.toFixed(5)}\n`);
    expect(equalShare).toBeGreaterThanOrEqual(0.95);
    if (target === 'esp32p4' && bits === 8 && algo === 'kl') expect(mismatched).toEqual([]);
    expect(Math.abs(r.top3Mean! - metrics.graphwise_top3_mean)).toBeLessThanOrEqual(0.2 * metrics.graphwise_top3_mean);
    if (bits === 8) {
      // Our simulated logits against ESP-PPQ's own simulated logits, element by element.
      const ours = await simulatedLogits(r.qdqModel);
      const ppq = npyAt(`${dir}/quant_test_logits.npy`).data as Float32Array;
      let equal = 0;
      for (let i = 0; i < ppq.length; i++) if (ours[i] === ppq[i]) equal++;
      process.stderr.write(`parity ${target} int8 ${algo}: simulated logits equal to ESP-PPQ's ${equal}/${ppq.length}\n`);
      expect(equal / ppq.length).toBeGreaterThanOrEqual(0.99);
      const top1 = await topOneAccuracy(runtime, r.qdqModel, testImages, labels);
      process.stderr.write(`parity ${target} int8 ${algo}: top-1 ${(top1 * 100).toFixed(2)}% vs ESP-PPQ ${(metrics.quant_top1 * 100).toFixed(2)}%\n`);
      expect(Math.abs(top1 - metrics.quant_top1)).toBeLessThanOrEqual(0.005);
    }
  });
});
