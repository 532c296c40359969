/**
 * TQT against ESP-PPQ's own AutoQuant run (fixtures/digits/autoquant_tqt, experiment 0001: percentile +
 * TQT lr 1e-5, 100 steps, block 4, AutoQuant's first alignment knobs): TQT must lower the top-3 graph-wise error
 * of the same configuration, and land within 2 % of ESP-PPQ's score for it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryDataSource } from '../../../src/data/memory-source.js';
import { parseNpy } from '../../../src/data/npy.js';
import { nullLogger } from '../../../src/log.js';
import { loadOnnxFile } from '../../../src/node/onnx-file.js';
import { ortRuntime } from '../../../src/node/ort-runtime.js';
import { prepareModel } from '../../../src/onnx/prepare-model.js';
import { quantizeOnnx } from '../../../src/quant/quantize-model.js';
import { defaultQuantOptions, type QuantOptions } from '../../../src/quant/options.js';
import { fixture } from '../../helpers/paths.js';

describe('TQT parity with ESP-PPQ (digits, autoquant_tqt #0001)', () => {
  it('lowers the error and reaches ESP-PPQ\'s score within 2 %', async () => {
    const summary = JSON.parse(readFileSync(fixture('digits', 'autoquant_tqt', 'summary.json'), 'utf8')) as { index: number; score: number }[];
    const ppqScore = summary.find((r) => r.index === 1)!.score;
    const model = prepareModel(await loadOnnxFile(fixture('digits', 'model.onnx')), {}, nullLogger);
    const data = memoryDataSource({ input: parseNpy(new Uint8Array(readFileSync(fixture('digits', 'calib.npy')))) });
    const base: QuantOptions = {
      ...defaultQuantOptions('esp32p4', 8), calibAlgorithm: 'percentile', calibSteps: 8,
      alignment: { enabled: true, elementwiseTo: 'Align to Large', concatTo: 'Align to Large', avgpoolingTo: 'Align to Input', resizeTo: 'Align to Input', forceOverlap: false },
    };
    const run = (options: QuantOptions) => quantizeOnnx({ model, data, options, runtime: ortRuntime(), batchSize: 8, logger: nullLogger });
    const without = (await run(base)).top3Mean!;
    const withTqt = (await run({ ...base, tqt: { interestedLayers: [], lr: 1e-5, steps: 100, blockSize: 4, isScaleTrainable: true, gamma: 0, intLambda: 0 } })).top3Mean!;
    process.stderr.write(`tqt parity: without ${without.toFixed(5)}, with TQT ${withTqt.toFixed(5)}, ESP-PPQ ${ppqScore.toFixed(5)}\n`);
    expect(withTqt).toBeLessThan(without);
    expect(Math.abs(withTqt - ppqScore) / ppqScore).toBeLessThan(0.02);
  }, 180_000);
});
