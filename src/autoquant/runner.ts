/**
 * The seam between the search and the quantization engine. The search never quantizes itself: it asks an
 * injected ExperimentRunner (wired by the CLI/Action to the real `quantize` use case) to produce one
 * candidate's files, then scores them with an Evaluator.
 */
import type { DataLoader } from '../data/iterable-source.js';
import type { DataSource } from '../data/source.js';
import type { Tensor } from '../ir/tensor.js';
import type { Logger } from '../log.js';
import type { QuantOptions } from '../quant/options.js';
import type { Target } from '../quant/types.js';
import type { DeploymentCost } from './deployment-cost.js';
import type { PyValue } from './py-value.js';
import type { SampledParams, Strategy } from './space.js';

/** One experiment to run. */
export interface ExperimentRequest {
  /** Experiment index (folder name is index padded to 4 digits). */
  index: number;
  /** Candidate hash (ESP-PPQ-compatible resume key). */
  hash: string;
  strategy: Strategy;
  params: SampledParams;
  /** What to quantize with (built by buildQuantOptions). */
  quant: QuantOptions;
  /** Absolute folder the runner writes the candidate files into (exists and is empty). */
  candidateDir: string;
}

/** Runs a quantized candidate on float inputs (name → tensor) and returns its outputs (name → tensor). */
export type RunCandidate = (inputs: Record<string, Tensor>) => Promise<Record<string, Tensor>>;

/** What the runner produced. */
export interface ExperimentArtifacts {
  /** Basenames written into candidateDir, in ESP-PPQ's suffix order (model.espdl, model.info, model.json, …). */
  files: string[];
  /** Graph-wise noise/signal ratio per computing op (ESP-PPQ graphwise_error_analyse); the default evaluator needs it. */
  graphwise?: Record<string, number>;
  /** Size of model.espdl in bytes, when known. */
  modelBytes?: number;
  /** The latency model's estimate for the candidate on its target (ours; recorded under DEPLOYMENT_COST_KEY). */
  cost?: DeploymentCost;
  /** Simulates the quantized candidate (for JS-module evaluators' `ctx.run`). */
  run?: RunCandidate;
}

/** The injected quantization engine. */
export interface ExperimentRunner {
  /** Model input shape without the batch dimension (runtime snapshot `input_shape`). */
  readonly inputShape: number[];
  /** Calibration steps used per quantization (runtime snapshot `calib_steps`). */
  readonly calibSteps: number;
  /** Baseline int8 espdl_setting() quantization → layer-wise noise/signal ratio per computing op (insertion order kept). */
  baselineLayerwise(signal: AbortSignal): Promise<Record<string, number>>;
  /**
   * Ours: a fingerprint of everything baselineLayerwise depends on (the model's and the data's content, the
   * baseline's settings). The search keeps the baseline in the run folder under it (BASELINE_LAYERWISE_FILE), so a
   * resumed or repeated search with the same model and data reads it back. Optional: without it, it is computed.
   */
  baselineFingerprint?(signal: AbortSignal): Promise<string>;
  /**
   * Ours: the same baseline quantization → graph-wise noise/signal ratio per computing op, the reference the
   * reports compare candidates' per-layer noise with. Optional: runners without it leave the comparison out.
   */
  baselineGraphwise?(signal: AbortSignal): Promise<Record<string, number>>;
  /** Direct ONNX successors (consumers of the outputs) of a node in the (simplified) model; [] if none. Throws InputError if unknown. */
  successorsOf(nodeName: string): string[];
  /**
   * Estimated seconds a gradient-trained pass of `steps` steps adds to one candidate (training only), for the
   * refinement's budget check; undefined = unknown (the refinement then runs).
   */
  estimateTrainingSeconds?(steps: number): number | undefined;
  /** Quantizes + exports one candidate into req.candidateDir. */
  run(req: ExperimentRequest, signal: AbortSignal): Promise<ExperimentArtifacts>;
  /** Frees what the runner keeps between candidates (runtime sessions); called once when the search ends. */
  close?(): Promise<void>;
}

/** Raw evaluator result: `{score, extras}`, validated by validateEvaluation (ESP-PPQ's fail-fast rules). */
export interface Evaluation { score: number; extras: Record<string, PyValue> }

/** Scores one candidate. May return anything; the search validates it. */
export type Evaluator = (req: ExperimentRequest, art: ExperimentArtifacts, signal: AbortSignal) => Promise<unknown>;

/** What the quantization engine is built from for one search (model, data and calibration settings). */
export interface ExperimentRunnerSpec {
  /** Absolute path of the ONNX model. */
  modelPath: string;
  /** Calibration data: an absolute path (.npy, .npz or a folder of .npy), a DataSource, or a loader (library API). */
  calib: string | DataSource | DataLoader;
  target: Target;
  /** Fixes dynamic input dims: one shape (with the batch dim, e.g. [1, 3, 224, 224]) or one per input name. */
  inputShape?: readonly number[] | Readonly<Record<string, readonly number[]>>;
  /** Inputs frozen to a constant value, e.g. { sr: [16000] } (our addition; not recorded in config.json). */
  inputValues?: Readonly<Record<string, number | readonly number[]>>;
  /** Calibration batches per quantization. */
  calibSteps: number;
  /** Samples per calibration batch. */
  batchSize: number;
  logger: Logger;
  /** File name of each candidate's model (ESP-PPQ: the basename of espdl_export_file). Default model.espdl. */
  espdlName?: string;
}

/** Builds the quantization engine of a search (real one: src/node/search-runner-factory.ts; tests pass fakes). */
export type ExperimentRunnerFactory = (spec: ExperimentRunnerSpec) => Promise<ExperimentRunner>;
