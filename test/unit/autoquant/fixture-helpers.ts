/** Helpers to replay the real ESP-PPQ run folders of the digits fixture. */
import { readFileSync } from 'node:fs';
import { parsePyJson } from '../../../src/autoquant/py-json.js';
import type { PyDict } from '../../../src/autoquant/py-value.js';
import type { Evaluator, ExperimentRunner } from '../../../src/autoquant/runner.js';
import { loadSettings, type AutoQuantSettings } from '../../../src/autoquant/settings.js';
import type { ParamSpace, StrategySpace } from '../../../src/autoquant/space.js';
import { fixture } from '../../helpers/paths.js';

const FILES = ['model.espdl', 'model.info', 'model.json', 'model.native'];

export function fixtureRun(run: string): { meta: PyDict; summary: PyDict[]; text: (f: string) => string } {
  const text = (f: string): string => readFileSync(fixture('digits', run, f), 'utf8').replace(/\n$/, '');
  return { meta: parsePyJson(text('run_meta.json')) as PyDict, summary: parsePyJson(text('summary.json')) as PyDict[], text };
}

export function settingsFrom(meta: PyDict): AutoQuantSettings {
  const base = loadSettings(undefined);
  return {
    ...base, search_mode: 'fast', top_strategy: 10, early_stop_patience: 3, num_of_candidates: 5,
    score_direction: meta.score_direction_setting as 'maximize' | 'minimize', refine_with: [], // ESP-PPQ has no refinement stage
    strategy_space: meta.strategy_space as unknown as StrategySpace, param_space: meta.param_space as unknown as ParamSpace,
  };
}

export function fakeRunner(): ExperimentRunner {
  return {
    inputShape: [1, 32, 32], calibSteps: 8,
    baselineLayerwise: async () => ({ '/stem/stem.0/Conv': 0.5 }),
    successorsOf: () => ['/stem/stem.2/Relu'],
    run: async () => ({ files: [...FILES] }),
  };
}

/** Returns the recorded score and extras of the experiment with this hash; unknown hash = wrong search path. */
export function replayEvaluator(summary: PyDict[]): Evaluator {
  const byHash = new Map(summary.map((r) => [r.hash as string, r]));
  return async (req) => {
    const r = byHash.get(req.hash);
    if (!r) throw new Error(`experiment ${req.index} (${req.hash}) is not in the ESP-PPQ run`);
    const { hash: _h, index: _i, folder: _f, files: _fi, strategy: _s, params: _p, score, ...extras } = r;
    return { score, extras };
  };
}

