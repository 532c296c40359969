/** A deterministic stand-in for the quantizer (not under test): score = pure function of the sample. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SampledParams } from '../../../src/autoquant/space.js';
import type { Evaluator, ExperimentRunner } from '../../../src/autoquant/runner.js';
import { num } from '../../../src/autoquant/py-value.js';

const CALIB: Record<string, number> = { kl: 0.04, percentile: 0.02, mse: 0.025, minmax: 0.05 };

export function syntheticScore(p: SampledParams): number {
  let s = CALIB[String(p.calib_algorithm?.method)] ?? 0.1;
  if (p.weight_equalization) s *= 1 - 0.1 * num(p.weight_equalization.value_threshold);
  if (p.mixed_precision) s *= 0.7;
  if (p.bias_correction) s *= 0.9 + 0.01 * num(p.bias_correction.block_size);
  if (p.tqt) s *= 0.8;
  return Math.round(s * 1e6) / 1e6;
}

/** Writes small text files into the candidate folder; `onRun` can simulate a crash. */
export function syntheticRunner(onRun?: (index: number, dir: string) => void): ExperimentRunner {
  return {
    inputShape: [1, 32, 32], calibSteps: 8,
    baselineLayerwise: async () => ({ conv0: 0.3, conv1: 0.5, gemm: 0.1 }),
    successorsOf: (n) => (n === 'conv1' ? ['relu1'] : []),
    run: async (req) => {
      for (const f of ['model.espdl', 'model.info']) writeFileSync(path.join(req.candidateDir, f), `${f} ${req.hash}\n`);
      onRun?.(req.index, req.candidateDir);
      return { files: ['model.espdl', 'model.info'], graphwise: { a: syntheticScore(req.params), b: 0.001 } };
    },
  };
}

export const syntheticEvaluator: Evaluator = async (req) => ({ score: syntheticScore(req.params), extras: { top1: 90 } });
