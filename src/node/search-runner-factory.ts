/** The real quantization engine of a search: loads the model and the data once, quantizes each candidate. */
import type { ExperimentRunner, ExperimentRunnerSpec } from '../autoquant/runner.js';
import { experimentRunner } from './experiment-runner.js';
import { openModelAndData } from './open-inputs.js';
import { ortRuntime } from './ort-runtime.js';

/** Loaded lazily by `search` (so --dry-run never touches the model or onnxruntime) and by the Action. */
export async function realRunnerFactory(spec: ExperimentRunnerSpec): Promise<ExperimentRunner> {
  const { model, data } = await openModelAndData({
    modelPath: spec.modelPath, data: spec.calib, logger: spec.logger,
    ...(spec.inputShape ? { inputShape: spec.inputShape } : {}), ...(spec.inputValues ? { inputValues: spec.inputValues } : {}),
  });
  return experimentRunner({
    model, data, runtime: ortRuntime(), target: spec.target, logger: spec.logger, batchSize: spec.batchSize, calibSteps: spec.calibSteps,
    ...(spec.espdlName ? { espdlName: spec.espdlName } : {}),
  });
}
