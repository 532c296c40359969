/** The library API as a Python user of ESP-PPQ would write it, on the bundled example. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../../../src/data/npy.js';
import { AutoQuantSearchSetting, espdlAutoQuantizeOnnx, espdlQuantizeOnnx } from '../../../src/api/node.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const example = (f: string) => path.join(REPO_ROOT, 'examples', 'digits', f);

describe('library API', () => {
  it('espdlQuantizeOnnx takes an array of batches as the data loader', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'api-q-'));
    const calib = parseNpy(new Uint8Array(readFileSync(example('calib.npy'))));
    const per = 256;
    const batches = [0, 1, 2, 3].map((b) => ({ dtype: 'float32' as const, dims: [8, 1, 16, 16], data: (calib.data as Float32Array).subarray(b * 8 * per, (b + 1) * 8 * per) }));
    const r = await espdlQuantizeOnnx({ onnxImportFile: example('model.onnx'), espdlExportFile: path.join(dir, 'model.espdl'),
      calibDataloader: batches, calibSteps: 4, target: 'esp32s3', numOfBits: 8 });
    expect(Object.keys(r.exponents).length).toBeGreaterThan(20);
    expect(r.layerwise?.size).toBe(r.graphwise?.size);
    expect(existsSync(path.join(dir, 'model.espdl'))).toBe(true);
  });

  it('espdlAutoQuantizeOnnx with an ESP-PPQ-style setting and a tuple-returning evaluateFn', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'api-aq-'));
    const setting = new AutoQuantSearchSetting({ num_of_candidates: 2, run_dir: path.join(dir, 'run'), score_direction: 'maximize' });
    for (const m of Object.keys(setting.strategy_space)) setting.strategy_space[m] = [false];
    Object.assign(setting.strategy_space, { num_of_bits: [true], calib_algorithm: [true], fusion_alignment: [true] });
    setting.strategy_space['mixed_precision'] = [true, false];
    setting.param_space['calib_algorithm'] = { method: ['kl'] };
    setting.param_space['fusion_alignment'] = { elementwise_to: ['Align to Output'], concat_to: ['Align to Output'], avgpooling_to: ['None'], resize_to: ['Align to Output'], force_overlap: [false] };
    let calls = 0;
    const top = await espdlAutoQuantizeOnnx({
      onnxImportFile: example('model.onnx'), espdlExportFile: path.join(dir, 'model.espdl'), calibDataloader: example('calib.npy'),
      calibSteps: 4, inputShape: [1, 16, 16], target: 'esp32p4', setting,
      evaluateFn: (c) => { calls++; return [c.strategy['mixed_precision'] ? 2 : 1, { has_espdl: c.files.espdl ? 1 : 0 }]; },
    });
    expect(calls).toBe(2);
    expect(top.map((r) => r['score'])).toEqual([2, 1]);
    expect(top[0]!['has_espdl']).toBe(1);
    expect(JSON.parse(readFileSync(path.join(dir, 'run', 'candidates.json'), 'utf8'))).toHaveLength(2);
  }, 120_000);
});
