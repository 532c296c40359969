// The scripts' .npy writer (corpus and bench calibration files); the library only reads .npy (src/data/npy.ts).

/** A version-1.0 .npy of a float32 or int64 tensor (what the CLI's data reader takes). */
export function encodeNpy(t) {
  const body = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const head = npyHeader(t.dtype, t.dims);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** The header of a version-1.0 .npy (the data follows it), padded to a multiple of 64 bytes. */
export function npyHeader(dtype, dims) {
  const descr = dtype === 'int64' ? '<i8' : '<f4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims.join(', ')}${dims.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  head.set(new TextEncoder().encode(header), 10);
  return head;
}
