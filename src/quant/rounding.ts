/**
 * Rounding as ESP-PPQ does it.
 *
 * Tensor rounding (esp_ppq/utils/round.py `ppq_tensor_round`) runs on float32 torch tensors: HALF_EVEN is
 * `torch.round` (nearbyint, ties to even), HALF_UP is `torch.floor(x + 0.5)` where the addition is a float32
 * addition — it rounds, so e.g. 0.49999997 → 1 and 8388609 → 8388610, exactly like PPQ.
 *
 * Scalar rounding (`ppq_numerical_round`) works on Python floats through `decimal.Decimal`, i.e. on the exact
 * value of the double: HALF_UP is ties away from zero for positives and ties toward zero otherwise (both:
 * ties toward +∞), with no intermediate addition that could round.
 */
import type { Rounding } from './types.js';

/** Nearest integer, ties to even (torch.round / C nearbyint). Exact for every double. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // ties toward +∞; r − x is exact for |x| < 2^53
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/**
 * PPQ's tensor HALF_UP on a float32 value: `floor(fl32(x + 0.5))`. `x` must be a float32 value (as read
 * from a Float32Array): x + 0.5 is then exact in double and `Math.fround` performs torch's float32 rounding.
 */
export function roundHalfUp(x: number): number {
  return Math.floor(Math.fround(x + 0.5));
}

/** Tensor rounding of a float32 value with the given policy (ppq_tensor_round). */
export function roundWith(rounding: Rounding, x: number): number {
  return rounding === 'half_even' ? roundHalfEven(x) : roundHalfUp(x);
}

/** Scalar rounding policies used by PPQ's observers (RoundingPolicy subset). */
export type NumericalRounding = 'half_even' | 'half_up' | 'up';

/**
 * `ppq_numerical_round(value, policy)` for a double (esp_ppq/utils/round.py): Decimal quantize to an integer.
 * 'up' is `math.ceil`. Compares against r + 0.5 (exact for |value| < 2^52) instead of adding 0.5, because the
 * Decimal arithmetic PPQ uses never rounds.
 */
export function ppqNumericalRound(value: number, policy: NumericalRounding): number {
  return numericalRound(value, policy) + 0; // Python ints have no −0
}

function numericalRound(value: number, policy: NumericalRounding): number {
  if (policy === 'up') return Math.ceil(value);
  const lo = Math.floor(value);
  if (lo === value) return lo;
  const mid = lo + 0.5;
  if (value < mid) return lo;
  if (value > mid) return lo + 1;
  if (policy === 'half_up') return lo + 1; // positive ties away from 0, negative ties toward 0: both up
  return lo % 2 === 0 ? lo : lo + 1;
}
