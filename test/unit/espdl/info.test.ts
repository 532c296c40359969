import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { parseContainer } from '../../../src/espdl/container.js';
import { readEspdlModel } from '../../../src/espdl/read.js';
import { formatInfo, pyFloatG15, pyStrRepr } from '../../../src/espdl/info.js';
import { numpyRepr } from '../../../src/espdl/numpy-repr.js';
import { exportCases } from './fixture-cases.js';

function esppqInfo(dir: string): string {
  const plain = path.join(dir, 'model.info');
  return existsSync(plain) ? readFileSync(plain, 'utf8') : gunzipSync(readFileSync(`${plain}.gz`)).toString('utf8');
}

function countEqual(dirs: string[]): { total: number; equal: number; firstDiff?: string } {
  let equal = 0;
  let firstDiff: string | undefined;
  for (const dir of dirs) {
    const got = formatInfo(readEspdlModel(parseContainer(readFileSync(path.join(dir, 'model.espdl'))).models[0].payload));
    const want = esppqInfo(dir);
    if (got === want) equal++;
    else if (!firstDiff) {
      const a = got.split('\n');
      const b = want.split('\n');
      const i = a.findIndex((line, k) => line !== b[k]);
      firstDiff = `${dir} line ${i + 1}: got ${JSON.stringify(a[i])} want ${JSON.stringify(b[i])}`;
    }
  }
  return { total: dirs.length, equal, firstDiff };
}

describe('formatInfo reproduces ESP-PPQ model.info byte for byte', () => {
  it('digits: 17 exports', () => {
    expect(countEqual(exportCases('digits'))).toEqual({ total: 17, equal: 17 });
  });
  it('ops: 630 exports', () => {
    expect(countEqual(exportCases('ops'))).toEqual({ total: 630, equal: 630 });
  });
});

describe('Python/numpy formatting helpers (expected strings from Python 3 / numpy)', () => {
  it('numpy array repr', () => {
    expect(numpyRepr(Int8Array.of(1, -2), 'int8')).toBe('array([ 1, -2], dtype=int8)');
    expect(numpyRepr(new BigInt64Array([2n, 0n]), 'int64')).toBe('array([2, 0])');
    expect(numpyRepr(Uint8Array.of(0, 1), 'bool')).toBe('array([False,  True])');
    expect(numpyRepr(Float32Array.of(2, 0, 0, 0), 'float32')).toBe('array([2., 0., 0., 0.], dtype=float32)');
    expect(numpyRepr(Float32Array.of(0.5, 2), 'float32')).toBe('array([0.5, 2. ], dtype=float32)');
    expect(numpyRepr(Float64Array.of(1e-5, 1), 'float64')).toBe('array([1.e-05, 1.e+00])');
    expect(numpyRepr(Float32Array.of(NaN, 1.5), 'float32')).toBe('array([nan, 1.5], dtype=float32)');
    expect(numpyRepr(new Int8Array(0), 'int8')).toBe('array([], dtype=int8)');
    // model-sized arrays (no argument spreading: 500k elements would overflow the stack)
    const big = numpyRepr(new Int8Array(500_000).fill(-1), 'int8');
    expect(big.split('\n').length).toBe(Math.ceil(500_000 / 17));
  });
  it("python '{:.15g}' and repr(str)", () => {
    expect(pyFloatG15(Math.fround(1 / 6))).toBe('0.16666667163372');
    expect(pyFloatG15(Math.fround(1e-5))).toBe('9.99999974737875e-06');
    expect(pyFloatG15(1)).toBe('1');
    expect(pyFloatG15(1e20)).toBe('1e+20');
    expect(pyFloatG15(-2.5)).toBe('-2.5');
    expect(pyStrRepr('S8')).toBe("'S8'");
    expect(pyStrRepr("it's")).toBe('"it\'s"');
  });
});
