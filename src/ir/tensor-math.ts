/** Small dense-tensor helpers shared by constant folding and the training kernels: shapes, broadcasting, index walks, dtype conversion. */
import { numel, type DataType, type Tensor } from './tensor.js';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Element values as JS numbers (int64 via Number; exact below 2^53, enough for shapes and indices). */
export function nums(t: Tensor): number[] {
  if (Array.isArray(t.data)) throw new Error('string tensors are not folded');
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

/** Builds a tensor of `dtype` from numbers, with ONNX's conversion rules (truncate to int, clamp int64). */
export function make(dtype: DataType, dims: readonly number[], values: ArrayLike<number>): Tensor {
  const n = values.length;
  switch (dtype) {
    case 'float32': return { dtype, dims: [...dims], data: Float32Array.from(values) };
    case 'float64': return { dtype, dims: [...dims], data: Float64Array.from(values) };
    case 'bool': return { dtype, dims: [...dims], data: Uint8Array.from(values, (v) => (v ? 1 : 0)) };
    case 'int64': case 'uint64': {
      const out = dtype === 'int64' ? new BigInt64Array(n) : new BigUint64Array(n);
      for (let i = 0; i < n; i++) out[i] = toBigInt(values[i]!, dtype === 'int64');
      return { dtype, dims: [...dims], data: out };
    }
    case 'int8': return { dtype, dims: [...dims], data: Int8Array.from(values, Math.trunc) };
    case 'uint8': return { dtype, dims: [...dims], data: Uint8Array.from(values, Math.trunc) };
    case 'int16': return { dtype, dims: [...dims], data: Int16Array.from(values, Math.trunc) };
    case 'uint16': return { dtype, dims: [...dims], data: Uint16Array.from(values, Math.trunc) };
    case 'int32': return { dtype, dims: [...dims], data: Int32Array.from(values, Math.trunc) };
    case 'uint32': return { dtype, dims: [...dims], data: Uint32Array.from(values, Math.trunc) };
    default: throw new Error(`cannot fold into ${dtype}`);
  }
}

function toBigInt(v: number, signed: boolean): bigint {
  if (Number.isNaN(v)) return 0n;
  // INT64_MAX as a double is 2^63: clamp so "slice to the end" sentinels survive the round trip.
  if (signed) {
    if (v >= 9223372036854775807) return INT64_MAX;
    if (v <= -9223372036854775808) return INT64_MIN;
  }
  return BigInt(Math.trunc(v));
}

export function isInteger(dtype: DataType): boolean {
  return dtype !== 'float32' && dtype !== 'float64' && dtype !== 'float16' && dtype !== 'string';
}

/** Row-major strides. */
export function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i]!;
  }
  return s;
}

/** Numpy-style broadcast of several shapes; throws if incompatible. */
export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) throw new Error(`shapes [${shapes.map((x) => x.join(',')).join('] [')}] do not broadcast`);
    }
  }
  return out;
}

/** For each element of `outDims`, the flat index into an input of shape `inDims` broadcast to it. */
export function broadcastIndex(inDims: readonly number[], outDims: readonly number[]): Int32Array {
  const rank = outDims.length;
  const inStr = strides(inDims);
  const eff = outDims.map((_, i) => {
    const j = i - (rank - inDims.length);
    return j >= 0 && inDims[j] !== 1 ? inStr[j]! : 0;
  });
  return broadcastIndexWith(outDims, eff);
}

/** Source offset of every output element when the source advances by `srcStride[d]` along output axis d (0 = broadcast). */
export function broadcastIndexWith(outDims: readonly number[], srcStride: readonly number[]): Int32Array {
  const total = numel(outDims);
  const idx = new Int32Array(total);
  const rank = outDims.length;
  const counter = new Array<number>(rank).fill(0);
  let flat = 0;
  for (let k = 0; k < total; k++) {
    idx[k] = flat;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]!++;
      flat += srcStride[d]!;
      if (counter[d]! < outDims[d]!) break;
      flat -= srcStride[d]! * counter[d]!;
      counter[d] = 0;
    }
  }
  return idx;
}

/** Normalizes a possibly negative axis against `rank`. */
export function axisOf(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}
