/**
 * Parameter/test-value/LUT quantization to integers through the shared quantizer (quant/fake-quant.ts
 * `quantizeToInt`), cast like ESP-PPQ's `PPQLinearQuant_toInt` (esp_ppq/quantization/qfunction/linear.py):
 * int8 for ≤ 8 bits, int16 for ≤ 16, int32 for ≤ 32, int64 above.
 */
import type { DataType, Tensor } from '../../ir/tensor.js';
import { allocate, toFloat32 } from '../../ir/tensor.js';
import { quantizeToInt } from '../../quant/fake-quant.js';
import type { TensorQuantConfig } from '../../quant/types.js';
import { exponentOf } from '../../quant/types.js';
import { InternalError } from '../../errors.js';

/** Integer dtype ESP-PPQ casts `bits`-bit values to. */
export function intDtypeForBits(bits: number): DataType {
  if (bits <= 8) return 'int8';
  if (bits <= 16) return 'int16';
  if (bits <= 32) return 'int32';
  return 'int64';
}

/** Quantizes float values of shape `dims` with `cfg` into a new integer tensor. */
export function quantizeValuesToInt(values: Float32Array, dims: readonly number[], cfg: TensorQuantConfig): Tensor {
  const e = exponentOf(cfg);
  if (e === undefined) throw new InternalError(`quantize ${cfg.value}: config has no exponent`);
  const q = quantizeToInt(values, e, {
    dims, qmin: cfg.qmin, qmax: cfg.qmax, rounding: cfg.rounding,
    ...(Array.isArray(e) ? { channelAxis: cfg.channelAxis } : {}),
  });
  const dtype = intDtypeForBits(cfg.bits);
  const out = allocate(dtype, q.length);
  if (out instanceof BigInt64Array) for (let i = 0; i < q.length; i++) out[i] = BigInt(q[i]!);
  else (out as Int32Array).set(q);
  return { dtype, dims: [...dims], data: out };
}

/** A parameter tensor quantized with its config (per-channel exponents run along cfg.channelAxis). */
export function quantizeTensorToInt(t: Tensor, cfg: TensorQuantConfig): Tensor {
  return quantizeValuesToInt(toFloat32(t), t.dims, cfg);
}
