/**
 * What a gradient-trained pass (TQT, blockwise reconstruction) will cost, estimated before running it, so the
 * search can decide whether a refinement fits its budget. Blocks partition the quantized computing ops and each
 * block trains `steps` steps on one batch per step, so a pass costs about `steps` × one forward + backward of the
 * whole model on one batch. Backward does the work of two forwards (input and weight gradients).
 *
 * An order-of-magnitude estimate for a go/no-go decision, not a prediction: block collection, the loss checks
 * before and after training and the final analysis are not included, and the rates are this engine's on the
 * 2-core machine they were fitted on. Fitted to the seconds per TQT step over all blocks that
 * `scripts/training-benefit.mjs` measured (slope between runs of n and 2n steps, load ~2): MobileNetV2 3.30 s
 * (estimate 3.33 s), ESP-PPQ's digits model 0.020 s (estimate 0.031 s: conservative on small models).
 */

/** The work of one op of the model (src/cost/cost-graph.ts onnxOpWork counts it from the graph). */
export interface OpWork {
  /** Multiply-accumulates of one forward pass on one image. */
  readonly macs: number;
  readonly depthwise: boolean;
  /** Elements the op writes per image. */
  readonly outElements: number;
}

/** Throughputs of the training engine (src/quant/training/ops), forward-equivalent multiply-adds per second. */
export interface TrainingRates {
  /** Convolutions lowered to matrix products (pointwise, spatial, grouped), Gemm, MatMul. */
  gemmMacsPerSecond: number;
  /** Depthwise convolutions (direct tap loops). */
  depthwiseMacsPerSecond: number;
  /** Per output element of every op: fake quantization, activations, elementwise ops (forward + backward). */
  secondsPerElement: number;
}

/** Fitted as described above (WASM SIMD kernels, Node 20, 2-core development machine). */
export const MEASURED_TRAINING_RATES: TrainingRates = {
  gemmMacsPerSecond: 3.0e9,
  depthwiseMacsPerSecond: 1.0e9,
  secondsPerElement: 5.7e-9,
};

/** Seconds one training step of every block together takes on a batch of `batchSize` (see module comment). */
export function estimateStepSeconds(work: readonly OpWork[], batchSize: number, rates: TrainingRates = MEASURED_TRAINING_RATES): number {
  let seconds = 0;
  for (const op of work) {
    const rate = op.depthwise ? rates.depthwiseMacsPerSecond : rates.gemmMacsPerSecond;
    seconds += (3 * op.macs) / rate + op.outElements * rates.secondsPerElement;
  }
  return seconds * batchSize;
}

/** Estimated seconds of a training pass of `steps` steps (training only; see module comment). */
export function estimateTrainingSeconds(work: readonly OpWork[], steps: number, batchSize: number, rates: TrainingRates = MEASURED_TRAINING_RATES): number {
  return steps * estimateStepSeconds(work, batchSize, rates);
}
