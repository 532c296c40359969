/**
 * The observer contract: one streaming interface for all of ESP-PPQ's calibration algorithms
 * (esp_ppq/quantization/observer/range.py). The pipeline feeds each calibration batch tensor (all samples of
 * the batch, flattened, float32) to `observe`; two-pass observers (kl, mse) first see every batch in pass 1
 * (range detection), then every batch again in pass 2 (histogram) — PPQ's RuntimeCalibrationPass phases.
 * `render` returns the power-of-two exponent(s): one number, or one per channel for per-channel minmax.
 */
import type { ObserverName } from '../types.js';

export interface Observer {
  readonly kind: ObserverName;
  /** 1: minmax, percentile. 2: kl, mse (pass 1 = min/max, pass 2 = histogram). */
  readonly passes: 1 | 2;
  /** Feeds one calibration batch tensor. `pass` must be 1 for one-pass observers. */
  observe(data: Float32Array, pass: 1 | 2): void;
  /**
   * Feeds one calibration batch tensor given as consecutive parts (the samples of successive runtime calls)
   * without joining them; implemented by observers that need the whole batch at once (percentile).
   */
  observeParts?(parts: readonly Float32Array[], pass: 1 | 2): void;
  /** The exponent (scale = 2^exponent), or one per channel. Throws if nothing (or no pass-2 data) was seen. */
  render(): number | number[];
}

export interface ObserverConfig {
  /** Bit width of the config (8, 16, …): KL uses 2^(bits−1) quantization bins. */
  readonly bits: number;
  readonly qmin: number;
  readonly qmax: number;
  /**
   * KL histogram bins. ESP-DL sets 32·2^(bits−1) for activations (klBinsFor); PPQ's default when a config has
   * no override is OBSERVER_KL_HIST_BINS = 4096. Ignored by mse (always 2048 bins).
   */
  readonly klBins?: number;
  /** Per-channel observation (minmax only, as in PPQ): the tensor shape and the channel axis. */
  readonly perChannel?: { readonly dims: readonly number[]; readonly axis: number };
}

/** OBSERVER_KL_HIST_BINS (esp_ppq/core/common.py): default KL bins without a per-config override. */
export const OBSERVER_KL_HIST_BINS = 4096;
/** OBSERVER_MSE_HIST_BINS: the mse observer's histogram length (it ignores the KL-bins override). */
export const OBSERVER_MSE_HIST_BINS = 2048;
/** OBSERVER_PERCENTILE. */
export const OBSERVER_PERCENTILE = 0.9999;

/** ESP-DL's KL histogram length for activations, 32·2^(bits−1): 4096 for int8, 1,048,576 for int16. */
export function klBinsFor(bits: number): number {
  return 32 * 2 ** (bits - 1);
}
