/**
 * Power-of-two scale math of ESP-PPQ (POWER_OF_2 policy): every scale is 2^exponent and observers turn a
 * float scale into an exponent with `ppq_round_to_power_of_2` (esp_ppq/utils/round.py) after clamping it to
 * OBSERVER_MIN_SCALE (esp_ppq/core/common.py).
 *
 * Float semantics: PPQ does this arithmetic on Python floats (IEEE doubles) — observer min/max arrive through
 * `.item()` (an exact float32 → double widening) and `math.log2` is glibc's. We do the same double arithmetic
 * in the same order. `Math.log2` (V8) can differ from glibc's log2 by 1 ulp on rare arguments, which changes a
 * ceil/round only if log2(scale) lies within ~1e-15 of an integer (ceil) or of k + 0.5 (half-up). Scales
 * derived from float32 data are either exactly 2^k (log2 exact in both libraries; tested for every k) or at
 * least 2^-24 relative away from it, so the exponent always equals PPQ's. Tested against Python vectors in
 * test/fixtures/torch/.
 */
import { InputError } from '../errors.js';
import { ppqNumericalRound } from './rounding.js';

/** OBSERVER_MIN_SCALE (esp_ppq/core/common.py): scales are clamped to at least this before the POT round. */
export const OBSERVER_MIN_SCALE = 1e-8;

/** Integer range of a symmetric `bits`-bit config: [-2^(bits-1), 2^(bits-1) - 1] (EspdlQuantizer._quant_range). */
export function quantRange(bits: number): { qmin: number; qmax: number } {
  const half = 2 ** (bits - 1);
  return { qmin: -half, qmax: half - 1 };
}

/**
 * The exponent of `ppq_round_to_power_of_2(scale, policy)`: round(log2(scale)) with PPQ's scalar rounding
 * ('up' = ceil: minmax, percentile, mse; 'half_up': kl). `scale` must be finite and > 0 (callers clamp first).
 */
export function scaleToExponent(scale: number, policy: 'up' | 'half_up'): number {
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new InputError(`cannot derive a power-of-two exponent from scale ${scale} (non-finite calibration data?)`);
  }
  return ppqNumericalRound(Math.log2(scale), policy);
}

/**
 * `minmax_to_scale_offset` for a SYMMETRICAL + POWER_OF_2 config (esp_ppq/quantization/observer/range.py):
 * include 0 in the range, scale = 2·max(|min|, |max|) / (qmax − qmin), clamp to OBSERVER_MIN_SCALE,
 * exponent = ceil(log2(scale)). Returns the exponent (scale = 2^exponent).
 */
export function minmaxToExponent(min: number, max: number, qmin: number, qmax: number): number {
  const lo = min > 0 ? 0 : min;
  const hi = max < 0 ? 0 : max;
  const range = 2 * Math.max(Math.abs(hi), Math.abs(lo));
  const scale = Math.max(range / (qmax - qmin), OBSERVER_MIN_SCALE);
  return scaleToExponent(scale, 'up');
}
