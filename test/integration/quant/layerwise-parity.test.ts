/**
 * Layer-wise error (AutoQuant's mixed-precision baseline) against ESP-PPQ 1.3.5's layerwise_error_analyse on the
 * digits fixture: the same quantization as digits-parity.test.ts (kl, 8 calibration batches of 8 images), then
 * the error of every computing op quantized alone. onnxruntime's float kernels are not torch's, so the values agree
 * to float noise, not to the bit (int16 errors are ~1e-9, so their noise is relatively larger); what the search uses
 * them for — picking the worst ops — must be the same.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../../../src/data/npy.js';
import { memoryDataSource } from '../../../src/data/memory-source.js';
import { nullLogger } from '../../../src/log.js';
import { loadOnnxFile } from '../../../src/node/onnx-file.js';
import { ortRuntime } from '../../../src/node/ort-runtime.js';
import { prepareModel } from '../../../src/onnx/prepare-model.js';
import { layerwiseError } from '../../../src/quant/analysis.js';
import { defaultQuantOptions } from '../../../src/quant/options.js';
import { quantizeGraph } from '../../../src/quant/quantize.js';
import type { Target } from '../../../src/quant/types.js';
import { fixture } from '../../helpers/paths.js';

const runtime = ortRuntime();

describe('layer-wise error parity with ESP-PPQ 1.3.5 (digits)', () => {
  it.each([['esp32p4', 8, 5e-3], ['esp32s3', 8, 5e-3], ['esp32p4', 16, 5e-2], ['esp32s3', 16, 5e-2]] as [Target, 8 | 16, number][])(
    '%s int%d kl: every op within %f of ESP-PPQ (relative), the same five worst ops', async (target, bits, tolerance) => {
    const model = prepareModel(await loadOnnxFile(fixture('digits', 'model.onnx')), {}, nullLogger);
    const data = memoryDataSource({ input: parseNpy(new Uint8Array(readFileSync(fixture('digits', 'calib.npy')))) });
    const options = { ...defaultQuantOptions(target, bits), calibAlgorithm: 'kl' as const, calibSteps: 8 };
    const { graph } = await quantizeGraph(model, options, { runtime, data, batchSize: 8, logger: nullLogger });
    const ours = await layerwiseError(graph, { runtime, data, batchSize: 8 });
    const metrics = JSON.parse(readFileSync(fixture('digits', 'ppq', `${target}_${bits}_kl`, 'metrics.json'), 'utf8')) as { layerwise_snr: Record<string, number> };
    const ppq = metrics.layerwise_snr;
    expect([...ours.keys()].sort()).toEqual(Object.keys(ppq).sort());
    for (const [op, v] of ours) expect(Math.abs(v - ppq[op]!) / ppq[op]!, op).toBeLessThan(tolerance);
    const worst = (m: Iterable<[string, number]>) => [...m].sort((a, b) => b[1] - a[1]).map(([op]) => op).slice(0, 5);
    expect(worst(ours)).toEqual(worst(Object.entries(ppq)));
  });
});
