/**
 * Linear power-of-two quantization of float32 tensors, per tensor or per channel — ESP-PPQ's
 * `TensorwiseLinearQuantImpl` / `ChannelwiseLinearQuantImpl` / `PPQLinearQuant_toInt`
 * (esp_ppq/quantization/qfunction/linear.py): q = clamp(round(x / s) + 0, qmin, qmax), x̂ = (q − 0) · s.
 *
 * Float semantics (why this is bit-exact with torch's float32 ops):
 * - x / 2^e in float32 equals fl32(x · 2^-e): the double product is exact (a power-of-two scaling of a float32
 *   never rounds in double range), and a float32 quotient only differs when it leaves float32's normal range —
 *   overflow clamps to qmin/qmax either way, and anything below 2^-126 rounds to 0 either way. So we skip the
 *   per-element `Math.fround` of the quotient.
 * - HALF_UP is torch's `floor(x + 0.5)` in float32 (see rounding.ts); HALF_EVEN is `torch.round`.
 * - `+ 0` (PPQ adds the float offset 0) turns −0 into +0 before clamping, as torch does.
 * - torch.clamp casts the integer bounds to float32, so 32-bit qmax = 2^31 − 1 becomes 2^31 (and 40-bit
 *   2^39 − 1 becomes 2^39); we clamp to `Math.fround(qmin/qmax)` likewise. A value that lands exactly on 2^31
 *   then wraps to −2^31 in an Int32Array, which is also what torch's float → int32 cast yields on x86.
 * - x̂ = q · 2^e is exact in float32 (q already is a float32 value).
 */
import { InternalError } from '../errors.js';
import type { Rounding } from './types.js';

/** Shape and range of one quantization. */
export interface QuantizeOptions {
  /** Shape of `values` (row-major). Needed for per-channel quantization. */
  readonly dims: readonly number[];
  /** Axis the per-channel exponents run along; required when the exponent is an array. */
  readonly channelAxis?: number;
  readonly qmin: number;
  readonly qmax: number;
  readonly rounding: Rounding;
}

/** Output of `quantizeToInt`: Int32Array when the range fits 32 bits, else Float64Array (exact to 2^53). */
export type IntValues = Int32Array | Float64Array;

/** 1.5·2^52: x + M − M is round-half-even(x) for |x| < 2^51. */
const ROUND_MAGIC = 6755399441055744;
const FAST_LIMIT = 2 ** 50;

/** One contiguous run of elements sharing one exponent: dst[i] = clamp(round(src[i]·inv) + 0) · mul. */
function kernel(
  src: Float32Array, dst: Float32Array | IntValues, start: number, end: number,
  inv: number, mul: number, lo: number, hi: number, halfEven: boolean,
): void {
  if (halfEven && hi < FAST_LIMIT && lo > -FAST_LIMIT) {
    // v is pre-clamped to [lo − 1, hi + 1] (same result after the final clamp; NaN passes through), so
    // |v| < 2^51 and adding/subtracting 1.5·2^52 rounds to the nearest integer, ties to even, in one step.
    const vlo = lo - 1;
    const vhi = hi + 1;
    for (let i = start; i < end; i++) {
      let v = src[i]! * inv;
      if (v < vlo) v = vlo; else if (v > vhi) v = vhi;
      const q = v + ROUND_MAGIC - ROUND_MAGIC + 0;
      dst[i] = (q < lo ? lo : q > hi ? hi : q) * mul;
    }
  } else if (halfEven) {
    for (let i = start; i < end; i++) {
      const v = src[i]! * inv;
      let q = Math.round(v);
      if (q - v === 0.5 && q % 2 !== 0) q -= 1;
      q += 0;
      dst[i] = (q < lo ? lo : q > hi ? hi : q) * mul;
    }
  } else {
    for (let i = start; i < end; i++) {
      const q = Math.floor(Math.fround(src[i]! * inv + 0.5)) + 0;
      dst[i] = (q < lo ? lo : q > hi ? hi : q) * mul;
    }
  }
}

function run(
  values: Float32Array, exponent: number | readonly number[], opts: QuantizeOptions,
  dst: Float32Array | IntValues, dequantize: boolean,
): void {
  if (dst.length !== values.length) {
    throw new InternalError(`quantize: output length ${dst.length} != input length ${values.length}`);
  }
  const lo = Math.fround(opts.qmin);
  const hi = Math.fround(opts.qmax);
  const halfEven = opts.rounding === 'half_even';
  if (typeof exponent === 'number') {
    kernel(values, dst, 0, values.length, 2 ** -exponent, dequantize ? 2 ** exponent : 1, lo, hi, halfEven);
    return;
  }
  const axis = opts.channelAxis;
  if (axis === undefined || axis < 0 || axis >= opts.dims.length) {
    throw new InternalError(`quantize: per-channel exponent needs a channel axis inside dims [${opts.dims.join(',')}]`);
  }
  const channels = opts.dims[axis]!;
  if (exponent.length !== channels) {
    throw new InternalError(`quantize: ${exponent.length} exponents for ${channels} channels`);
  }
  let inner = 1;
  for (let d = axis + 1; d < opts.dims.length; d++) inner *= opts.dims[d]!;
  const outer = values.length / (channels * inner);
  if (!Number.isInteger(outer)) {
    throw new InternalError(`quantize: dims [${opts.dims.join(',')}] do not match ${values.length} values`);
  }
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const e = exponent[c]!;
      const start = (o * channels + c) * inner;
      kernel(values, dst, start, start + inner, 2 ** -e, dequantize ? 2 ** e : 1, lo, hi, halfEven);
    }
  }
}

/**
 * Integer codes q = clamp(round(x / 2^e), qmin, qmax) (PPQLinearQuant_toInt). `exponent` is one number
 * (per tensor) or one per channel along `opts.channelAxis`. Writes into `out` when given (same length).
 * Default output: Int32Array when [qmin, qmax] fits int32, otherwise Float64Array (e.g. 40/64-bit biases;
 * PPQ's values are float32, so they are exact in a double).
 */
export function quantizeToInt(
  values: Float32Array, exponent: number | readonly number[], opts: QuantizeOptions, out?: IntValues,
): IntValues {
  const fits32 = opts.qmin >= -(2 ** 31) && opts.qmax <= 2 ** 31 - 1;
  const dst = out ?? (fits32 ? new Int32Array(values.length) : new Float64Array(values.length));
  run(values, exponent, opts, dst, false);
  return dst;
}

/**
 * Fake quantization x̂ = clamp(round(x / 2^e), qmin, qmax) · 2^e in float32 (PPQLinearQuantFunction).
 * Writes into `out` when given (may be `values` itself for in-place use).
 */
export function fakeQuantize(
  values: Float32Array, exponent: number | readonly number[], opts: QuantizeOptions, out?: Float32Array,
): Float32Array {
  const dst = out ?? new Float32Array(values.length);
  run(values, exponent, opts, dst, true);
  return dst;
}
