/**
 * A search quantizes many candidates from one prepared model: no candidate may change it. (Bias correction once
 * wrote its corrected biases into the shared model, so every later candidate without equalization started from
 * corrupted biases.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryDataSource } from '../../../src/data/memory-source.js';
import { parseNpy } from '../../../src/data/npy.js';
import { nullLogger } from '../../../src/log.js';
import { loadOnnxFile } from '../../../src/node/onnx-file.js';
import { ortRuntime } from '../../../src/node/ort-runtime.js';
import { prepareModel } from '../../../src/onnx/prepare-model.js';
import { quantizeOnnx } from '../../../src/quant/quantize-model.js';
import { defaultQuantOptions } from '../../../src/quant/options.js';
import { REPO_ROOT } from '../../helpers/paths.js';

describe('the prepared model is never modified by a quantization', () => {
  it('bias correction leaves the shared model untouched and a later plain run unchanged', async () => {
    const example = (f: string) => path.join(REPO_ROOT, 'examples', 'digits', f);
    const model = prepareModel(await loadOnnxFile(example('model.onnx')), {}, nullLogger);
    const calib = parseNpy(new Uint8Array(readFileSync(example('calib.npy'))));
    const data = memoryDataSource({ input: calib }, { limit: 32 });
    const runtime = ortRuntime();
    const plain = { ...defaultQuantOptions('esp32p4', 8), calibSteps: 4 };
    const run = (options: typeof plain) => quantizeOnnx({ model, data, options, runtime, batchSize: 8, logger: nullLogger });
    const before = new Map([...model.graph.initializers].map(([k, t]) => [k, Array.from(t.data as Float32Array)]));
    const first = await run(plain);
    await run({ ...plain, biasCorrection: { interestedLayers: [], blockSize: 4, steps: 32 } });
    for (const [k, t] of model.graph.initializers) expect(Array.from(t.data as Float32Array), k).toEqual(before.get(k));
    const again = await run(plain);
    expect(again.top3Mean).toBe(first.top3Mean);
    expect(again.tensors).toEqual(first.tensors);
  }, 120_000);
});
