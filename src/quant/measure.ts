/**
 * ESP-PPQ's error measurement for graph-wise / layer-wise analysis:
 * - `lcgIndices` = generate_indexer (esp_ppq/utils/fetch.py), used by batch_random_fetch with seed 10086;
 * - `noiseSignalRatio` / `snrMean` = torch_snr_error (esp_ppq/quantization/measure/norm.py) in torch's float32
 *   arithmetic: squares and differences rounded to float32, row sums with torch's float32 summation order
 *   (sumF32), noise / (signal + fl32(1e-7)) in float32, mean = float32 sum / batch;
 * - `WeightedMean` = MeasureRecorder(reduce='mean') (esp_ppq/quantization/analyse/util/__init__.py), doubles.
 */
import { InternalError } from '../errors.js';
import { sumF32 } from './observers/torch-ops.js';

/** PPQ's default seed for batch_random_fetch in graphwise_error_analyse. */
export const FETCH_SEED = 10086;

/**
 * generate_indexer(count, numel, seed): idx[i] = seed mod numel, then seed = (0x343FD·seed + 0x269EC3) mod 2^32
 * (MSVC LCG). Sampling with replacement from a flattened sample of `numel` (≤ 2^32) elements.
 */
export function lcgIndices(count: number, numel: number, seed = FETCH_SEED): Uint32Array {
  if (!(numel > 0) || numel > 2 ** 32) throw new InternalError(`lcgIndices: bad element count ${numel}`);
  const out = new Uint32Array(count);
  let s = seed;
  for (let i = 0; i < count; i++) {
    out[i] = s % numel;
    s = (0x343fd * s + 0x269ec3) % 4294967296; // < 2^50: exact in a double
  }
  return out;
}

/**
 * batch_random_fetch: gathers `indices` from each of `samples` flattened samples of `data` into a
 * [samples, indices.length] row-major array.
 */
export function batchFetch(data: Float32Array, samples: number, indices: Uint32Array, out?: Float32Array): Float32Array {
  const per = data.length / samples;
  if (!Number.isInteger(per)) throw new InternalError(`batchFetch: ${data.length} values are not ${samples} samples`);
  const dst = out ?? new Float32Array(samples * indices.length);
  for (let b = 0; b < samples; b++) {
    const base = b * per;
    const o = b * indices.length;
    for (let j = 0; j < indices.length; j++) dst[o + j] = data[base + indices[j]!]!;
  }
  return dst;
}

const EPS_F32 = Math.fround(1e-7);

/**
 * Per-sample noise/signal power ratio Σ(pred − real)² / (Σ real² + 1e-7), each a float32 value (as a number).
 * `pred` and `real` hold `samples` flattened samples of equal size.
 */
export function noiseSignalRatio(pred: Float32Array, real: Float32Array, samples: number): Float64Array {
  if (pred.length !== real.length) throw new InternalError(`snr: shapes differ (${pred.length} vs ${real.length})`);
  const per = pred.length / samples;
  if (!Number.isInteger(per) || per === 0) throw new InternalError(`snr: ${pred.length} values are not ${samples} samples`);
  const noise = new Float32Array(per);
  const signal = new Float32Array(per);
  const out = new Float64Array(samples);
  for (let b = 0; b < samples; b++) {
    const base = b * per;
    for (let i = 0; i < per; i++) {
      const r = real[base + i]!;
      const d = Math.fround(pred[base + i]! - r);
      noise[i] = d * d; // the Float32Array store rounds like torch.pow(…, 2) in float32
      signal[i] = r * r;
    }
    out[b] = Math.fround(sumF32(noise) / Math.fround(sumF32(signal) + EPS_F32));
  }
  return out;
}

/** torch_snr_error(pred, real, reduction='mean').item(): the float32 mean of the per-sample ratios. */
export function snrMean(pred: Float32Array, real: Float32Array, samples: number): number {
  const per = noiseSignalRatio(pred, real, samples);
  return Math.fround(sumF32(per) / samples);
}

/** MeasureRecorder(reduce='mean'): running mean weighted by batch size, in PPQ's double arithmetic. */
export class WeightedMean {
  private measure = 0;
  private count = 0;

  /** Adds one batch result (`result` = the batch's mean measure) with weight `elements` (the batch size). */
  update(result: number, elements: number): void {
    this.measure = this.measure * this.count + result * elements;
    this.count += elements;
    this.measure /= this.count;
  }

  /** The current mean (0 before any update, as PPQ). */
  get value(): number {
    return this.measure;
  }

  /** Total weight seen. */
  get elements(): number {
    return this.count;
  }
}
