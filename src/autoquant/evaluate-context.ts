/**
 * What a user's JS evaluator module receives (`export default async function evaluate(ctx)`), and the
 * candidate file paths both the module and the command evaluators use.
 */
import type { QuantOptions } from '../quant/options.js';
import { strategyValues } from './hash.js';
import type { ExperimentArtifacts, ExperimentRequest, RunCandidate } from './runner.js';
import type { SampledParams } from './space.js';

/** Absolute paths of one candidate's files (undefined when the runner did not write that kind). */
export interface CandidateFiles {
  /** model.espdl: the deployable ESP-DL model. */
  espdl?: string;
  /** model.qdq.onnx: the quantized model as plain ONNX (fake quantization written as Mul/Round/Clip/Mul chains; runs in onnxruntime). */
  qdqOnnx?: string;
  /** model.info: text dump of the .espdl. */
  info?: string;
  /** model.json: quantization config dump. */
  json?: string;
  /** Every file, absolute. */
  all: string[];
}

/** The argument of a JS evaluator module's default export. Return `{score, extras?}`. */
export interface EvaluateContext {
  /** Experiment index (folder NNNN). */
  index: number;
  hash: string;
  /** Absolute candidate folder. */
  candidateDir: string;
  files: CandidateFiles;
  /** `{module: enabled}`. */
  strategy: Record<string, boolean>;
  /** Sampled params (module → knobs, null when off). Integral floats are PyFloat boxes; use Number(x.value ?? x). */
  params: SampledParams;
  quant: QuantOptions;
  /** Runs the quantized candidate (simulated, bit-exact with ESP-DL) on float inputs by input name. */
  run: RunCandidate;
  signal: AbortSignal;
}

/** Paths of a candidate's files, by suffix. */
export function candidateFiles(req: ExperimentRequest, art: ExperimentArtifacts): CandidateFiles {
  const dir = req.candidateDir.replace(/[\\/]+$/, '');
  const all = art.files.map((f) => `${dir}/${f}`);
  const find = (suffix: string): string | undefined => all.find((f) => f.endsWith(suffix) && !f.endsWith('/config.json'));
  return { espdl: find('.espdl'), qdqOnnx: find('.qdq.onnx'), info: find('.info'), json: find('.json'), all };
}

/** Builds the module evaluator's ctx. `run` rejects when the runner cannot simulate candidates. */
export function evaluateContext(req: ExperimentRequest, art: ExperimentArtifacts, signal: AbortSignal): EvaluateContext {
  const run: RunCandidate = art.run ?? (async () => {
    throw new Error(`candidate ${req.index}: this runner cannot simulate candidates (ctx.run unavailable)`);
  });
  return {
    index: req.index, hash: req.hash, candidateDir: req.candidateDir, files: candidateFiles(req, art),
    strategy: strategyValues(req.strategy), params: req.params, quant: req.quant, run, signal,
  };
}
