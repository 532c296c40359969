import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parseNpy, parseNpyHeader } from '../../../src/data/npy.js';
import { encodeNpy } from '../../helpers/npy.js';
import { parseNpz } from '../../../src/data/npz.js';
import { fixture } from '../../helpers/paths.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = (n: string) => readFileSync(path.join(here, 'fixtures', n));
// Values written by fixtures/make.py: (arange(6)-2.5)*0.5 and [0,1,2,3,100,7] with alternating signs.
const A = [-1.25, -0.75, -0.25, 0.25, 0.75, 1.25];
const SIGNED = [0, -1, 2, -3, 100, -7];
const UNSIGNED = [0, 1, 2, 3, 100, 7];

describe('parseNpy', () => {
  it('reads float32 C-order with shape', () => {
    const t = parseNpy(file('f4_2x3.npy'));
    expect(t.dtype).toBe('float32');
    expect(t.dims).toEqual([2, 3]);
    expect([...(t.data as Float32Array)]).toEqual(A);
  });

  it('reads every supported dtype', () => {
    const cases: [string, string, unknown[]][] = [
      ['f8', 'float64', SIGNED], ['i1', 'int8', SIGNED], ['u1', 'uint8', UNSIGNED], ['i2', 'int16', SIGNED],
      ['u2', 'uint16', UNSIGNED], ['i4', 'int32', SIGNED], ['u4', 'uint32', UNSIGNED],
      ['i8', 'int64', SIGNED.map(BigInt)], ['u8', 'uint64', UNSIGNED.map(BigInt)],
    ];
    for (const [code, dtype, values] of cases) {
      const t = parseNpy(file(`${code}.npy`), code);
      expect(t.dtype, code).toBe(dtype);
      expect([...(t.data as ArrayLike<unknown> & Iterable<unknown>)], code).toEqual(values);
    }
    // float16 bits of 0, -1, 2, -3, 100, -7 (IEEE half): 0x0000 0xbc00 0x4000 0xc200 0x5640 0xc700
    expect([...(parseNpy(file('f2.npy')).data as Uint16Array)]).toEqual([0x0000, 0xbc00, 0x4000, 0xc200, 0x5640, 0xc700]);
    const b = parseNpy(file('b1.npy'));
    expect([b.dtype, [...(b.data as Uint8Array)]]).toEqual(['bool', [1, 0, 1]]);
    expect(parseNpy(file('scalar.npy'))).toEqual({ dtype: 'float32', dims: [], data: Float32Array.from([3.5]) });
  });

  it('reads format versions 2 and 3', () => {
    for (const v of ['v2.npy', 'v3.npy']) expect([...(parseNpy(file(v)).data as Float32Array)]).toEqual(A);
  });

  it('header gives dtype, shape and data offset of the digits calibration file', () => {
    const bytes = readFileSync(fixture('digits/calib.npy'));
    expect(parseNpyHeader(bytes.subarray(0, 128))).toEqual({ dtype: 'float32', shape: [64, 1, 32, 32], dataOffset: 128 });
    expect(bytes.byteLength).toBe(128 + 64 * 32 * 32 * 4);
  });

  it('rejects big-endian, Fortran order, truncation and non-npy with InputError', () => {
    expect(() => parseNpy(file('big_endian.npy'), 'be.npy')).toThrow(/be\.npy is big-endian/);
    expect(() => parseNpy(file('fortran.npy'), 'f.npy')).toThrow(/f\.npy is stored in Fortran order/);
    expect(() => parseNpy(file('f4_2x3.npy').subarray(0, 140), 't.npy')).toThrow(InputError);
    expect(() => parseNpy(new TextEncoder().encode('not a numpy file'), 'x')).toThrow(/x is not a \.npy file/);
  });
});

describe('encodeNpy', () => {
  it('writes the same bytes as numpy.save', () => {
    for (const n of ['f4_2x3.npy', 'f8.npy', 'i1.npy', 'u1.npy', 'i8.npy', 'u8.npy', 'b1.npy', 'f2.npy', 'scalar.npy', 'i2.npy']) {
      const bytes = file(n);
      expect(Buffer.from(encodeNpy(parseNpy(bytes))).equals(bytes), n).toBe(true);
    }
    const calib = readFileSync(fixture('digits/calib.npy'));
    expect(Buffer.from(encodeNpy(parseNpy(calib))).equals(calib)).toBe(true);
  });
});

describe('parseNpz', () => {
  it('reads stored and deflated archives', async () => {
    for (const n of ['stored.npz', 'deflated.npz']) {
      const m = await parseNpz(file(n), n);
      expect([...m.keys()]).toEqual(['x', 'y']);
      expect(m.get('x')!.dims).toEqual([2, 3]);
      expect([...(m.get('x')!.data as Float32Array)]).toEqual(A);
      expect(m.get('y')!.data).toEqual(BigInt64Array.from([0n, 1n, 2n]));
    }
  });
  it('rejects a non-zip', async () => {
    await expect(parseNpz(file('f4_2x3.npy'), 'bad.npz')).rejects.toThrow(/bad\.npz is not a valid \.npz/);
  });
});
