/**
 * Writing `.npy` files for tests (the product only reads them: src/data/npy.ts), byte-identical to numpy's
 * `np.save` (numpy/lib/format.py: header keys sorted, 21-digit growth padding after the dict, padded with spaces
 * to a multiple of 64 bytes); version 2.0 only when the header exceeds 65535 bytes.
 */
import { NPY_DESCR, NPY_MAGIC } from '../../src/data/npy.js';
import { bytesPerElement, toRawBytes, type DataType, type Tensor } from '../../src/ir/tensor.js';

/** numpy descr of a dtype: the reader's table read backwards, with numpy's byte-order char. */
function descrOf(dtype: DataType): string | undefined {
  const code = Object.entries(NPY_DESCR).find(([, t]) => t === dtype)?.[0];
  return code === undefined ? undefined : `${bytesPerElement(dtype) === 1 ? '|' : '<'}${code}`;
}

/** Encodes a numeric tensor as `.npy`. */
export function encodeNpy(t: Tensor): Uint8Array {
  const descr = descrOf(t.dtype);
  if (!descr || Array.isArray(t.data)) throw new Error(`cannot write a ${t.dtype} tensor as .npy`);
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  const growth = t.dims.length > 0 ? ' '.repeat(Math.max(0, 21 - String(t.dims[0]).length)) : '';
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }${growth}`;
  const pad = (prefix: number) => 64 - ((prefix + dict.length + 1) % 64);
  const prefix = 10 + dict.length + 1 + pad(10) - 10 > 0xffff ? 12 : 10;
  const header = dict + ' '.repeat(pad(prefix)) + '\n';
  const data = toRawBytes(t.data);
  const out = new Uint8Array(prefix + header.length + data.byteLength);
  out.set(NPY_MAGIC);
  out[6] = prefix === 10 ? 1 : 2;
  const view = new DataView(out.buffer);
  if (prefix === 10) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(data, prefix + header.length);
  return out;
}
