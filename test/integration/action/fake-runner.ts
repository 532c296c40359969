/**
 * A deterministic stand-in for the quantization engine (the Action tests test the Action, not the
 * quantizer): each candidate's per-layer noise/signal ratios are a fixed function of its hash, scaled by the
 * `noise` number stored in the fake "model" file, so a PR that makes the model noisier plants a regression.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ExperimentRunnerFactory } from '../../../src/autoquant/runner.js';

/** The fake model file: JSON `{"noise": <scale>}`. */
export const fakeModel = (noise: number): string => JSON.stringify({ noise });

/** Per-layer ratios of one candidate (the evaluator takes the mean of the 3 largest; there are 3). */
export function fakeGraphwise(hash: string, noise: number): Record<string, number> {
  const h = (k: number): number => parseInt(hash.slice(k * 8, k * 8 + 8), 16) % 997;
  return { conv1: noise * (0.01 + h(0) / 10_000), conv2: noise * (0.02 + h(1) / 20_000), fc: noise * (0.005 + h(2) / 40_000) };
}

/** The score the default evaluator must give a candidate (top-3 mean of its ratios). */
export function expectedScore(hash: string, noise: number): number {
  const v = Object.values(fakeGraphwise(hash, noise));
  return v.reduce((a, b) => a + b, 0) / v.length;
}

export interface FakeRunnerControl {
  /** Experiments run since the factory was made. */
  runs: number;
  /** Abort this controller after that many runs (simulated cancellation). */
  abortAfter?: { count: number; controller: AbortController };
}

export function fakeRunnerFactory(control: FakeRunnerControl): ExperimentRunnerFactory {
  return async (spec) => {
    const { noise } = JSON.parse(readFileSync(spec.modelPath, 'utf8')) as { noise: number };
    return {
      inputShape: [4],
      calibSteps: 8,
      baselineLayerwise: async () => ({ conv1: 0.3, conv2: 0.2, fc: 0.1 }),
      successorsOf: () => [],
      async run(req) {
        const bytes = Buffer.alloc(1000 + (parseInt(req.hash.slice(0, 4), 16) % 500), req.hash);
        writeFileSync(path.join(req.candidateDir, 'model.espdl'), bytes);
        control.runs++;
        if (control.abortAfter && control.runs >= control.abortAfter.count) control.abortAfter.controller.abort();
        return { files: ['model.espdl'], graphwise: fakeGraphwise(req.hash, noise), modelBytes: bytes.length };
      },
    };
  };
}
