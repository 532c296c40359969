/** Where calibration / evaluation samples come from: a stream of batches, one tensor per model input. */
import type { Tensor } from '../ir/tensor.js';

export interface DataSource {
  /** Number of samples (after any limit). */
  readonly count: number;
  /** The files the samples are read from, in reading order. */
  readonly files: string[];
  /**
   * Samples in order, `batchSize` at a time (the last batch may be smaller), keyed by model input name.
   * Each tensor has dims [b, ...input dims without the batch dim]. May be iterated more than once.
   */
  batches(batchSize: number): AsyncIterable<Record<string, Tensor>>;
}
