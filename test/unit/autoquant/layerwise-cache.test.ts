import { describe, expect, it } from 'vitest';
import { autoQuantize, type AutoQuantInput } from '../../../src/autoquant/auto-quantize.js';
import { baselineLayerwise } from '../../../src/autoquant/layerwise-cache.js';
import { BASELINE_LAYERWISE_FILE } from '../../../src/autoquant/run-folder.js';
import type { ExperimentRunner } from '../../../src/autoquant/runner.js';
import { loadSettings } from '../../../src/autoquant/settings.js';
import { nullLogger } from '../../../src/log.js';
import { fakeRunner } from './fixture-helpers.js';
import { memoryStore } from './memory-store.js';
import { syntheticEvaluator } from './synthetic.js';

/** A runner whose baseline is `values` under fingerprint `key` (none: no fingerprint); counts the computations. */
function counting(values: Record<string, number>, key?: () => string): ExperimentRunner & { computed: number } {
  const r = {
    ...fakeRunner(), computed: 0,
    baselineLayerwise: async () => { r.computed++; return values; },
    ...(key ? { baselineFingerprint: async () => key() } : {}),
  };
  return r;
}

const signal = new AbortController().signal;
// Values that a JSON round trip could bend: an integral float, NaN, one with 17 significant digits, a tiny one.
const values = { '/b2/Add': 2, '/se/fc1/Conv': Number.NaN, '/stem/stem.0/Conv': 0.12345678901234568, '/fc/Gemm': 1.5e-9 };

describe('the baseline layer-wise error kept in the run folder', () => {
  it('is computed once per fingerprint, read back with the same values and op order', async () => {
    const store = memoryStore();
    let key = 'model A, data A';
    const runner = counting(values, () => key);
    expect(await baselineLayerwise(runner, store, signal, nullLogger)).toEqual(values);
    expect(store.files.get(BASELINE_LAYERWISE_FILE)).toContain('"fingerprint": "model A, data A"');
    const again = await baselineLayerwise(runner, store, signal, nullLogger);
    expect(runner.computed).toBe(1);
    expect(Object.keys(again)).toEqual(Object.keys(values));
    expect(Object.values(again)).toEqual(Object.values(values));
    key = 'model B, data A';
    await baselineLayerwise(runner, store, signal, nullLogger);
    expect(runner.computed).toBe(2);
    expect(store.files.get(BASELINE_LAYERWISE_FILE)).toContain('"fingerprint": "model B, data A"');
  });

  it('recomputes over a damaged or foreign file, and keeps nothing for a runner without a fingerprint', async () => {
    const store = memoryStore();
    const runner = counting(values, () => 'k');
    for (const text of ['{"fingerprint": "k", "layerwise": {"a": "x"}}', '{"fingerprint": "k"', '[]']) {
      store.files.set(BASELINE_LAYERWISE_FILE, text);
      await baselineLayerwise(runner, store, signal, nullLogger);
    }
    expect(runner.computed).toBe(3);
    const plain = memoryStore();
    const unkeyed = counting(values);
    await baselineLayerwise(unkeyed, plain, signal, nullLogger);
    await baselineLayerwise(unkeyed, plain, signal, nullLogger);
    expect([unkeyed.computed, plain.files.has(BASELINE_LAYERWISE_FILE)]).toEqual([2, false]);
  });

  it('spares a repeated search and a resumed one the baseline; another model computes it again', async () => {
    const store = memoryStore();
    let key = 'A';
    const runner = counting({ '/stem/stem.0/Conv': 0.5 }, () => key);
    const input = (resume: boolean): AutoQuantInput => ({
      settings: loadSettings(undefined, 't', { resume, refine_with: [] }), target: 'esp32s3', runner, evaluator: syntheticEvaluator,
      store, onnxImportFile: 'm.onnx', espdlExportFile: 'model.espdl', maxExperiments: 2,
    });
    await autoQuantize(input(false));
    expect(runner.computed).toBe(1);
    await autoQuantize(input(false));
    await autoQuantize(input(true));
    expect(runner.computed).toBe(1);
    key = 'B';
    await autoQuantize(input(false));
    expect(runner.computed).toBe(2);
  });
});
