import { describe, expect, it } from 'vitest';
import { autoQuantize, type AutoQuantInput } from '../../../src/autoquant/auto-quantize.js';
import { candidateHash } from '../../../src/autoquant/hash.js';
import { parsePyJson } from '../../../src/autoquant/py-json.js';
import { num, type PyDict } from '../../../src/autoquant/py-value.js';
import type { ExperimentRunner } from '../../../src/autoquant/runner.js';
import { loadSettings } from '../../../src/autoquant/settings.js';
import { recordingLogger } from '../../fakes/recording-logger.js';
import { fakeRunner } from './fixture-helpers.js';
import { memoryStore, type MemoryStore } from './memory-store.js';
import { syntheticEvaluator } from './synthetic.js';

const runner = (estimate?: number): ExperimentRunner => ({
  ...fakeRunner(), run: async () => ({ files: ['model.espdl'] }),
  ...(estimate !== undefined ? { estimateTrainingSeconds: () => estimate } : {}),
});
const summaryOf = (s: MemoryStore): PyDict[] => parsePyJson(s.files.get('summary.json')!) as PyDict[];

function input(store: MemoryStore, over: Partial<AutoQuantInput> = {}, resume = false): AutoQuantInput {
  return {
    settings: loadSettings(undefined, 't', { resume, score_direction: 'minimize' }), target: 'esp32p4', runner: runner(30), evaluator: syntheticEvaluator,
    store, onnxImportFile: 'm.onnx', espdlExportFile: 'model.espdl', ...over,
  };
}

describe('refinement of the best candidate (quick space)', () => {
  it('re-runs the best of the 24 experiments with TQT at its first grid values, as one more hashed experiment', async () => {
    const store = memoryStore();
    const totals: (number | undefined)[] = [];
    const r = await autoQuantize(input(store, { onExperiment: (p) => totals.push(p.total) }));
    const summary = summaryOf(store);
    expect(summary).toHaveLength(25);
    expect(r.newExperiments).toBe(25);
    expect(totals.every((t) => t === 25)).toBe(true);
    // The synthetic best of the quick space: percentile + mixed precision + weight equalization (threshold 2).
    const base = summary.slice(0, 24).reduce((a, b) => (num(b.score) < num(a.score) ? b : a));
    const refined = summary[24]!;
    const tqt = { lr: 1e-5, steps: 500, block_size: 4, is_scale_trainable: true, gamma: 0, int_lambda: 0, collecting_device: 'cpu', topk: -1 };
    expect(refined.strategy).toEqual({ ...(base.strategy as PyDict), tqt: true });
    const params = refined.params as PyDict;
    expect({ ...params, tqt: null }).toEqual({ ...(base.params as PyDict), tqt: null });
    expect(Object.fromEntries(Object.entries(params.tqt as PyDict).map(([k, v]) => [k, typeof v === 'string' || typeof v === 'boolean' ? v : num(v)]))).toEqual(tqt);
    expect(refined.hash).toBe(candidateHash(refined.strategy as PyDict, refined.params as PyDict));
    expect(num(refined.score)).toBeCloseTo(num(base.score) * 0.8, 9);
    expect(num(r.candidates[0]!.index)).toBe(24);
    // Resume: the refined experiment is found by its hash, nothing runs again.
    const again = await autoQuantize(input(store, {}, true));
    expect(again.newExperiments).toBe(0);
    expect(again.skipped).toBe(25);
  });

  it('is skipped, with the estimate in the log, when the training would exceed refine_max_minutes', async () => {
    const store = memoryStore();
    const log = recordingLogger();
    await autoQuantize(input(store, { runner: runner(3600), logger: log }));
    expect(summaryOf(store)).toHaveLength(24);
    expect(log.lines.map((m) => m.message).join('\n')).toMatch(/Refinement with tqt skipped: about 60 min of training estimated for 500 steps on this model, over refine_max_minutes \(10\)/);
  });

  it('is not done in ESP-PPQ\'s space, when the space searches TQT itself, or in a shard', async () => {
    expect(loadSettings('space: espdl-default\n', 't').refine_with).toEqual([]);
    const own = memoryStore();
    await autoQuantize(input(own, { settings: loadSettings('strategy_space: {tqt: [false, true], mixed_precision: [false], weight_equalization: [false]}\nparam_space: {tqt: {lr: [1.0e-5], steps: [500], block_size: [4]}}\n', 't') }));
    expect(summaryOf(own)).toHaveLength(8); // 4 methods × tqt off/on, no extra experiment
    const shard = memoryStore();
    const log = recordingLogger();
    await autoQuantize(input(shard, { shard: { index: 0, count: 2 }, logger: log }));
    expect(summaryOf(shard)).toHaveLength(12);
    expect(log.lines.map((m) => m.message).join('\n')).toMatch(/sharded runs have no global best/);
  });
});
