/**
 * The real runner factory of `search`: opens the model and calibration data and builds the quantization
 * engine's ExperimentRunner (src/node/experiment-runner.ts). Loaded lazily so `--dry-run` never touches
 * the model or onnxruntime.
 */
import path from 'node:path';
import { parseShape } from '../args.js';
import { experimentRunner } from '../../node/experiment-runner.js';
import { openModelAndData } from '../../node/open-inputs.js';
import { ortRuntime } from '../../node/ort-runtime.js';
import type { RunnerFactory } from './search.js';

/** Default calibration batches per quantization (ESP-PPQ's calib_steps default in espdl_setting samples). */
const DEFAULT_CALIB_STEPS = 32;
/** Default samples per calibration batch. */
const DEFAULT_BATCH = 8;

export const realRunnerFactory: RunnerFactory = async (opts, ctx) => {
  const inputShape = opts.inputShape ? parseShape(opts.inputShape, '--input-shape') : undefined;
  const { model, data } = await openModelAndData({
    modelPath: path.resolve(ctx.cwd, opts.model!), dataPath: path.resolve(ctx.cwd, opts.calib!),
    ...(inputShape ? { inputShape } : {}), logger: ctx.logger,
  });
  return experimentRunner({
    model, data, runtime: ortRuntime(), target: opts.target!, batchSize: opts.batchSize ?? DEFAULT_BATCH,
    calibSteps: opts.calibSteps ?? DEFAULT_CALIB_STEPS, logger: ctx.logger,
  });
};
