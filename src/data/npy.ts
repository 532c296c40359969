/**
 * NumPy `.npy` files (format versions 1.0, 2.0, 3.0): https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 * Little-endian, C-order only; big-endian or Fortran-order files are rejected with a hint to convert them.
 */
import { InputError } from '../errors.js';
import { bytesPerElement, fromRawBytes, numel, type DataType, type Tensor } from '../ir/tensor.js';

export const NPY_MAGIC: readonly number[] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy dtype descr (without the byte-order char) → our DataType. */
export const NPY_DESCR: Readonly<Record<string, DataType>> = {
  f4: 'float32', f8: 'float64', f2: 'float16', i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16',
  i4: 'int32', u4: 'uint32', i8: 'int64', u8: 'uint64', b1: 'bool',
};


export interface NpyHeader {
  dtype: DataType;
  shape: number[];
  /** Byte offset of the first element (= total header size). */
  dataOffset: number;
}

/**
 * Largest header accepted (numpy itself refuses headers over 10,000 bytes unless allow_pickle). A version 2/3
 * header length is a 32-bit field: unchecked, 14 bytes of file could ask for a 4 GB read.
 */
export const MAX_NPY_HEADER_BYTES = 1 << 20;

/** Bytes needed to hold the whole header, from the first 12 bytes of a file. */
export function npyHeaderSize(prefix: Uint8Array, source = 'the input'): number {
  if (prefix.byteLength < 10 || !NPY_MAGIC.every((b, i) => prefix[i] === b)) {
    throw new InputError(`${source} is not a .npy file (no \\x93NUMPY magic)`);
  }
  const major = prefix[6]!;
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  let size: number;
  if (major === 1) size = 10 + view.getUint16(8, true);
  else if (major === 2 || major === 3) {
    if (prefix.byteLength < 12) throw new InputError(`${source} is truncated inside its .npy header`);
    size = 12 + view.getUint32(8, true);
  } else {
    throw new InputError(`${source} uses .npy format version ${major}, which is not supported (1, 2 or 3 are)`);
  }
  if (size > MAX_NPY_HEADER_BYTES) throw new InputError(`${source} declares a .npy header of ${size} bytes (at most ${MAX_NPY_HEADER_BYTES}): not a numpy array file`);
  return size;
}

/** Parses the header; `bytes` must hold at least `npyHeaderSize` bytes (the data may be absent). */
export function parseNpyHeader(bytes: Uint8Array, source = 'the input'): NpyHeader {
  const dataOffset = npyHeaderSize(bytes, source);
  if (bytes.byteLength < dataOffset) throw new InputError(`${source} is truncated inside its .npy header`);
  const start = bytes[6] === 1 ? 10 : 12;
  const text = new TextDecoder(bytes[6] === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, dataOffset));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new InputError(`${source} has a .npy header this tool cannot read: ${text.trim()}`);
  }
  if (fortran === 'True') {
    throw new InputError(`${source} is stored in Fortran order; save it with numpy.ascontiguousarray(a) first`);
  }
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new InputError(`${source} has a bad .npy shape (${shapeText})`);
  return { dtype: dtypeOf(descr, source), shape, dataOffset };
}

function dtypeOf(descr: string, source: string): DataType {
  const order = descr[0]!;
  const kind = descr.slice(1);
  const dtype = NPY_DESCR[kind];
  if (!dtype || !'<>|='.includes(order)) throw new InputError(`${source} has numpy dtype '${descr}', which is not supported`);
  if (order === '>' && bytesPerElement(dtype) > 1) {
    throw new InputError(`${source} is big-endian ('${descr}'); save it as little-endian: a.astype(a.dtype.newbyteorder('<'))`);
  }
  return dtype;
}

/** Parses a whole `.npy` into a tensor (data copied into an aligned typed array). */
export function parseNpy(bytes: Uint8Array, source = 'the input'): Tensor {
  const h = parseNpyHeader(bytes, source);
  const n = numel(h.shape);
  const need = h.dataOffset + n * bytesPerElement(h.dtype);
  if (bytes.byteLength < need) {
    throw new InputError(`${source} is truncated: shape (${h.shape.join(', ')}) needs ${need} bytes, the file has ${bytes.byteLength}`);
  }
  return { dtype: h.dtype, dims: h.shape, data: fromRawBytes(h.dtype, bytes.subarray(h.dataOffset, need)) };
}
