/**
 * NumPy `.npy` files (format versions 1.0, 2.0, 3.0): https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 * Little-endian, C-order only; big-endian or Fortran-order files are rejected with a hint to convert them.
 */
import { InputError } from '../errors.js';
import { bytesPerElement, fromRawBytes, numel, toRawBytes, type DataType, type Tensor } from '../ir/tensor.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy dtype descr (without the byte-order char) → our DataType. */
const DESCR: Readonly<Record<string, DataType>> = {
  f4: 'float32', f8: 'float64', f2: 'float16', i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16',
  i4: 'int32', u4: 'uint32', i8: 'int64', u8: 'uint64', b1: 'bool',
};

const DESCR_OF: Readonly<Partial<Record<DataType, string>>> = {
  float32: '<f4', float64: '<f8', float16: '<f2', int8: '|i1', uint8: '|u1', int16: '<i2', uint16: '<u2',
  int32: '<i4', uint32: '<u4', int64: '<i8', uint64: '<u8', bool: '|b1',
};

export interface NpyHeader {
  dtype: DataType;
  shape: number[];
  /** Byte offset of the first element (= total header size). */
  dataOffset: number;
}

/** Bytes needed to hold the whole header, from the first 12 bytes of a file. */
export function npyHeaderSize(prefix: Uint8Array, source = 'the input'): number {
  if (prefix.byteLength < 10 || !MAGIC.every((b, i) => prefix[i] === b)) {
    throw new InputError(`${source} is not a .npy file (no \\x93NUMPY magic)`);
  }
  const major = prefix[6]!;
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  if (major === 1) return 10 + view.getUint16(8, true);
  if (major === 2 || major === 3) {
    if (prefix.byteLength < 12) throw new InputError(`${source} is truncated inside its .npy header`);
    return 12 + view.getUint32(8, true);
  }
  throw new InputError(`${source} uses .npy format version ${major}, which is not supported (1, 2 or 3 are)`);
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
  const dtype = DESCR[kind];
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

/**
 * Encodes a numeric tensor as `.npy`, byte-identical to numpy's `np.save` (numpy/lib/format.py: header keys
 * sorted, 21-digit growth padding after the dict, padded with spaces to a multiple of 64 bytes); version 2.0
 * only when the header exceeds 65535 bytes.
 */
export function encodeNpy(t: Tensor): Uint8Array {
  const descr = DESCR_OF[t.dtype];
  if (!descr || Array.isArray(t.data)) throw new InputError(`cannot write a ${t.dtype} tensor as .npy`);
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  const growth = t.dims.length > 0 ? ' '.repeat(Math.max(0, 21 - String(t.dims[0]).length)) : '';
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }${growth}`;
  const pad = (prefix: number) => 64 - ((prefix + dict.length + 1) % 64);
  const prefix = 10 + dict.length + 1 + pad(10) - 10 > 0xffff ? 12 : 10;
  const header = dict + ' '.repeat(pad(prefix)) + '\n';
  const data = toRawBytes(t.data);
  const out = new Uint8Array(prefix + header.length + data.byteLength);
  out.set(MAGIC);
  out[6] = prefix === 10 ? 1 : 2;
  const view = new DataView(out.buffer);
  if (prefix === 10) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(data, prefix + header.length);
  return out;
}
