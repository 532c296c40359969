/**
 * The fingerprint the search keeps its baseline layer-wise error under (the real runner on the digits fixture):
 * the same model and data give the same one in a new process-level runner; one changed weight, one changed sample
 * that the baseline reads or another calibration setting give another, so a search on changed inputs recomputes
 * its baseline. Samples the baseline never reads do not count.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../../../src/data/npy.js';
import { memoryDataSource } from '../../../src/data/memory-source.js';
import type { Model } from '../../../src/ir/graph.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import { nullLogger } from '../../../src/log.js';
import { experimentRunner } from '../../../src/node/experiment-runner.js';
import { loadOnnxFile } from '../../../src/node/onnx-file.js';
import { ortRuntime } from '../../../src/node/ort-runtime.js';
import { prepareModel } from '../../../src/onnx/prepare-model.js';
import { fixture } from '../../helpers/paths.js';

const runtime = ortRuntime();
const signal = new AbortController().signal;

async function digits(): Promise<{ model: Model; input: Tensor }> {
  const model = prepareModel(await loadOnnxFile(fixture('digits', 'model.onnx')), {}, nullLogger);
  return { model, input: parseNpy(new Uint8Array(readFileSync(fixture('digits', 'calib.npy')))) };
}

async function fingerprint(model: Model, input: Tensor, calibSteps = 8): Promise<string> {
  const runner = experimentRunner({ model, data: memoryDataSource({ input }), runtime, target: 'esp32p4', batchSize: 8, calibSteps, logger: nullLogger });
  return runner.baselineFingerprint!(signal);
}

describe('baseline layer-wise fingerprint (digits)', () => {
  it('is the same for the same inputs and changes with the model, the data and the settings', async () => {
    const { model, input } = await digits();
    const base = await fingerprint(model, input);
    expect(base).toMatch(/^[0-9a-f]{32}$/);
    const fresh = await digits();
    expect(await fingerprint(fresh.model, fresh.input)).toBe(base);

    const [name, weight] = [...fresh.model.graph.initializers].find(([, t]) => t.dtype === 'float32' && t.data.length > 1)!;
    const bent = Float32Array.from(weight.data as Float32Array);
    bent[0] = bent[0]! + 1e-3;
    fresh.model.graph.initializers.set(name, { ...weight, data: bent });
    expect(await fingerprint(fresh.model, input)).not.toBe(base);

    const bend = (t: Tensor, sample: number): Tensor => {
      const data = Float32Array.from(t.data as Float32Array);
      data[sample * 1024] = data[sample * 1024]! + 1;
      return { ...t, data };
    };
    expect(await fingerprint(model, bend(input, 63))).not.toBe(base);
    // The baseline reads the first 9 batches of 8 (calibration: 8, analysis: steps + 1 = 9): of 128 samples, the
    // last 56 do not count.
    const twice: Tensor = { ...input, dims: [128, ...input.dims.slice(1)], data: Float32Array.from([...(input.data as Float32Array), ...(input.data as Float32Array)]) };
    const longer = await fingerprint(model, twice);
    expect(longer).not.toBe(base);
    expect(await fingerprint(model, bend(twice, 71))).not.toBe(longer);
    expect(await fingerprint(model, bend(twice, 72))).toBe(longer);
    expect(await fingerprint(model, input, 4)).not.toBe(base);
  });
});
