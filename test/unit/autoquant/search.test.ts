import { describe, expect, it } from 'vitest';
import { autoQuantize, type AutoQuantInput, type ExperimentProgress } from '../../../src/autoquant/auto-quantize.js';
import { parsePyJson } from '../../../src/autoquant/py-json.js';
import type { PyDict } from '../../../src/autoquant/py-value.js';
import { loadSettings } from '../../../src/autoquant/settings.js';
import type { ExperimentRunner } from '../../../src/autoquant/runner.js';
import { fakeRunner, fixtureRun, replayEvaluator, settingsFrom } from './fixture-helpers.js';
import { memoryStore, type MemoryStore } from './memory-store.js';
import { syntheticEvaluator, syntheticScore } from './synthetic.js';

const memRunner = (onRun?: () => void): ExperimentRunner => ({ ...fakeRunner(), run: async () => { onRun?.(); return { files: ['model.espdl'] }; } });

function input(store: MemoryStore, over: Partial<AutoQuantInput> = {}, resume = false): AutoQuantInput {
  return {
    settings: loadSettings(undefined, 't', { resume, refine_with: [] }), target: 'esp32s3', runner: memRunner(), evaluator: syntheticEvaluator,
    store, onnxImportFile: 'm.onnx', espdlExportFile: 'model.espdl', ...over,
  };
}
const summaryOf = (s: MemoryStore): PyDict[] => parsePyJson(s.files.get('summary.json')!) as PyDict[];

describe('budgets, abort and resume', () => {
  it('maxExperiments stops cleanly and a resumed fast run replays ESP-PPQ identically', async () => {
    const { meta, summary, text } = fixtureRun('autoquant_default');
    const store = memoryStore('work/default/run');
    const base = { ...input(store), settings: settingsFrom(meta), runner: fakeRunner(), evaluator: replayEvaluator(summary),
      onnxImportFile: 'work/default/model.onnx', espdlExportFile: 'work/default/export/model.espdl' };
    const first = await autoQuantize({ ...base, maxExperiments: 20 });
    expect([first.stopped, first.newExperiments]).toEqual(['max-experiments', 20]);
    const second = await autoQuantize({ ...base, settings: { ...base.settings, resume: true } });
    expect([second.stopped, second.skipped, second.newExperiments]).toEqual([null, 20, 28]);
    expect(store.files.get('summary.json')).toBe(text('summary.json'));
    expect(store.files.get('candidates.json')).toBe(text('candidates.json'));
  });

  it('timeBudgetMinutes does not start a new experiment after the budget', async () => {
    let clock = 0;
    const store = memoryStore();
    const res = await autoQuantize(input(store, { now: () => clock, runner: memRunner(() => { clock += 10_000; }), timeBudgetMinutes: 1 }));
    expect([res.stopped, res.newExperiments]).toEqual(['time-budget', 6]);
    expect(summaryOf(store)).toHaveLength(6);
  });

  it('an abort between experiments stops with a resumable folder', async () => {
    const ac = new AbortController();
    const store = memoryStore();
    const progress: ExperimentProgress[] = [];
    const res = await autoQuantize(input(store, { signal: ac.signal, onExperiment: (p) => { progress.push(p); if (p.done === 3) ac.abort(); } }));
    expect([res.stopped, res.newExperiments]).toEqual(['aborted', 3]);
    expect(progress.map((p) => [p.index, p.total, p.skipped])).toEqual([[0, 24, false], [1, 24, false], [2, 24, false]]);
    const scores = progress.map((p) => p.score);
    expect(progress[2].best).toBe(Math.max(...scores)); // custom evaluator, default direction maximize
    const again = await autoQuantize(input(store, {}, true));
    expect([again.skipped, again.newExperiments, again.stopped]).toEqual([3, 21, null]);
  });

  it('an abort during an experiment loses only that experiment', async () => {
    const ac = new AbortController();
    const store = memoryStore();
    let n = 0;
    const runner: ExperimentRunner = { ...fakeRunner(), run: async (_r, signal) => {
      if (++n === 4) { ac.abort(); signal.throwIfAborted(); }
      return { files: [] };
    } };
    const res = await autoQuantize(input(store, { signal: ac.signal, runner }));
    expect([res.stopped, res.newExperiments]).toEqual(['aborted', 3]);
  });

  it('exhaustive shards split the experiments by position, disjoint and complete', async () => {
    const full = memoryStore();
    await autoQuantize(input(full));
    const all = summaryOf(full).map((r) => r.hash);
    const parts = await Promise.all([0, 1, 2].map(async (i) => {
      const st = memoryStore();
      await autoQuantize(input(st, { shard: { index: i, count: 3 } }));
      return summaryOf(st).map((r) => r.hash);
    }));
    expect(parts.map((p) => p.length)).toEqual([8, 8, 8]);
    expect(parts[1]).toEqual(all.filter((_, i) => i % 3 === 1));
    expect(new Set(parts.flat())).toEqual(new Set(all));
  });

  it('fast shards split by strategy', async () => {
    const st = memoryStore();
    const settings = loadSettings(undefined, 't', { search_mode: 'fast', refine_with: [] });
    await autoQuantize({ ...input(st), settings, shard: { index: 1, count: 2 } });
    const strategies = new Set(summaryOf(st).map((r) => JSON.stringify(r.strategy)));
    // quick space strategies in order: (WE off, MP off), (off, on), (on, off), (on, on) → shard 1 owns #1 and #3.
    expect([...strategies].map((s) => [JSON.parse(s).weight_equalization, JSON.parse(s).mixed_precision])).toEqual([[false, true], [true, true]]);
  });

  it('fast mode early-stops after patience non-improvements and skips the stage-1 sample', async () => {
    const st = memoryStore();
    const settings = loadSettings('refine_with: []\nsearch_mode: fast\nscore_direction: minimize\nearly_stop_patience: 1\nstrategy_space: {mixed_precision: [false], weight_equalization: [true]}\n' +
      'param_space: {weight_equalization: {value_threshold: [0.5, 2, 1]}}', 't');
    await autoQuantize({ ...input(st), settings });
    const rows = summaryOf(st).map((r) => [(r.params as Record<string, Record<string, unknown>>).calib_algorithm!.method, (r.params as Record<string, Record<string, unknown>>).weight_equalization!.value_threshold]);
    // stage 1: 4 methods at thr 0.5; best = percentile (synthetic); stage 2: thr 2 improves, thr 1 does not → stop.
    expect(rows.map((r) => String(r[0]) + ':' + String(r[1]))).toEqual(
      ['kl:0.5', 'percentile:0.5', 'mse:0.5', 'minmax:0.5', 'percentile:2', 'percentile:1']);
    expect(syntheticScore({ calib_algorithm: { method: 'percentile' }, weight_equalization: { value_threshold: 2 } }))
      .toBeLessThan(syntheticScore({ calib_algorithm: { method: 'percentile' }, weight_equalization: { value_threshold: 1 } }));
  });
});
