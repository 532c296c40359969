/** Builds the real ExperimentRunner for `espdl-autoquant search` from its command-line options. */
import path from 'node:path';
import type { ExperimentRunner } from '../autoquant/runner.js';
import type { CliContext } from '../cli/command.js';
import { parseShape } from '../cli/args.js';
import type { SearchCliOptions } from '../cli/commands/search.js';
import { experimentRunner } from './experiment-runner.js';
import { openModelAndData } from './open-inputs.js';
import { ortRuntime } from './ort-runtime.js';

/** Calibration batches per quantization (ESP-PPQ's samples use calib_steps 32). */
const DEFAULT_CALIB_STEPS = 32;
/** Samples per calibration batch. */
const DEFAULT_BATCH = 8;

/** Loaded lazily by `search` (so --dry-run never touches the model or onnxruntime) and by the Action. */
export async function realRunnerFactory(opts: SearchCliOptions, ctx: CliContext): Promise<ExperimentRunner> {
  const inputShape = opts.inputShape ? parseShape(opts.inputShape, '--input-shape') : undefined;
  const { model, data } = await openModelAndData({
    modelPath: path.resolve(ctx.cwd, opts.model!), dataPath: path.resolve(ctx.cwd, opts.calib!), logger: ctx.logger,
    ...(inputShape ? { inputShape } : {}),
  });
  return experimentRunner({
    model, data, runtime: ortRuntime(), target: opts.target!, logger: ctx.logger,
    batchSize: opts.batchSize ?? DEFAULT_BATCH, calibSteps: opts.calibSteps ?? DEFAULT_CALIB_STEPS,
  });
}
