/**
 * Tensors as typed arrays. One element type per ONNX/ESP-DL data type; the numeric codes are ONNX's
 * TensorProto.DataType, which ESP-DL's FlatBuffers `TensorDataType` enum reuses (FLOAT=1 … UINT64=13).
 */

export type DataType =
  | 'float32' | 'uint8' | 'int8' | 'uint16' | 'int16' | 'int32' | 'int64'
  | 'string' | 'bool' | 'float16' | 'float64' | 'uint32' | 'uint64';

export type TensorData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | string[];

/** A dense tensor, row-major. `float16` is stored as raw Uint16Array bits, `bool` as Uint8Array. */
export interface Tensor {
  readonly dtype: DataType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

/** ONNX TensorProto.DataType codes (= ESP-DL TensorDataType). */
export const DATA_TYPE_CODE: Readonly<Record<DataType, number>> = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7,
  string: 8, bool: 9, float16: 10, float64: 11, uint32: 12, uint64: 13,
};

const CODE_TO_TYPE = new Map<number, DataType>(
  Object.entries(DATA_TYPE_CODE).map(([k, v]) => [v, k as DataType]),
);

/** The DataType for an ONNX code, or undefined for types we do not handle (bfloat16, complex, float8…). */
export function dataTypeFromCode(code: number): DataType | undefined {
  return CODE_TO_TYPE.get(code);
}

/** Bytes per element (0 for string). */
export function bytesPerElement(dtype: DataType): number {
  switch (dtype) {
    case 'int8': case 'uint8': case 'bool': return 1;
    case 'int16': case 'uint16': case 'float16': return 2;
    case 'int32': case 'uint32': case 'float32': return 4;
    case 'int64': case 'uint64': case 'float64': return 8;
    case 'string': return 0;
  }
}

/** Number of elements of a shape (1 for a scalar). */
export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Allocates a zero-filled array of the right class. */
export function allocate(dtype: DataType, length: number): TensorData {
  switch (dtype) {
    case 'float32': return new Float32Array(length);
    case 'float64': return new Float64Array(length);
    case 'int8': return new Int8Array(length);
    case 'uint8': case 'bool': return new Uint8Array(length);
    case 'int16': return new Int16Array(length);
    case 'uint16': case 'float16': return new Uint16Array(length);
    case 'int32': return new Int32Array(length);
    case 'uint32': return new Uint32Array(length);
    case 'int64': return new BigInt64Array(length);
    case 'uint64': return new BigUint64Array(length);
    case 'string': return new Array<string>(length).fill('');
  }
}

/** Copies little-endian raw bytes into a new typed array of `dtype` (alignment-safe). */
export function fromRawBytes(dtype: DataType, bytes: Uint8Array): TensorData {
  if (dtype === 'string') throw new Error('string tensors have no raw byte form');
  const size = bytesPerElement(dtype);
  const out = allocate(dtype, Math.floor(bytes.byteLength / size)) as Exclude<TensorData, string[]>;
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * size));
  return out;
}

/** The little-endian bytes of a numeric tensor's data. */
export function toRawBytes(data: TensorData): Uint8Array {
  if (Array.isArray(data)) throw new Error('string tensors have no raw byte form');
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Element values as JS numbers (int64 converted with Number(), which is exact below 2^53). */
export function toNumbers(t: Tensor): number[] {
  if (Array.isArray(t.data)) throw new Error('string tensor has no numeric values');
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < t.data.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/** Element values as a Float32Array (copy). */
export function toFloat32(t: Tensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data.slice();
  const out = new Float32Array(t.data.length);
  const src = t.data as ArrayLike<number | bigint>;
  for (let i = 0; i < out.length; i++) out[i] = Number(src[i]);
  return out;
}

export function float32Tensor(dims: readonly number[], data: Float32Array): Tensor {
  return { dtype: 'float32', dims: [...dims], data };
}

export function int64Tensor(dims: readonly number[], values: readonly number[]): Tensor {
  return { dtype: 'int64', dims: [...dims], data: BigInt64Array.from(values.map((v) => BigInt(v))) };
}
