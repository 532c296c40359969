import { describe, expect, it } from 'vitest';
import { minmaxToExponent, quantRange, scaleToExponent } from '../../../src/quant/pot.js';
import { loadVectors } from './observers/vectors.js';

const V = loadVectors();

describe('pot', () => {
  it('quantRange', () => {
    expect(quantRange(8)).toEqual({ qmin: -128, qmax: 127 });
    expect(quantRange(16)).toEqual({ qmin: -32768, qmax: 32767 });
    expect(quantRange(40)).toEqual({ qmin: -(2 ** 39), qmax: 2 ** 39 - 1 });
  });

  it('Math.log2 is exact on every power of two (so exact-boundary scales give PPQ exponents)', () => {
    for (let k = -1074; k <= 1023; k++) expect(Math.log2(2 ** k)).toBe(k);
  });

  it('minmaxToExponent matches PPQ minmax_to_scale_offset incl. absmax = 127.5·2^k ± 1 ulp', () => {
    const cases = V.pot.minmax as { min: number; max: number; qmin: number; qmax: number; exp: number }[];
    expect(cases.length).toBeGreaterThan(100);
    for (const c of cases) expect(minmaxToExponent(c.min, c.max, c.qmin, c.qmax)).toBe(c.exp);
    expect(minmaxToExponent(-127.5 / 8, 1, -128, 127)).toBe(-3);
    expect(minmaxToExponent(0, 0, -128, 127)).toBe(-26); // scale clamped to 1e-8
  });

  it('scaleToExponent (ceil / half-up of glibc log2) near 2^k and 2^(k+0.5)', () => {
    const cases = V.pot.scales as { scale: number; up: number; half_up: number }[];
    for (const c of cases) {
      expect(scaleToExponent(c.scale, 'up')).toBe(c.up);
      expect(scaleToExponent(c.scale, 'half_up')).toBe(c.half_up);
    }
  });

  it('rejects non-finite scales', () => {
    expect(() => minmaxToExponent(NaN, 1, -128, 127)).toThrow(/exponent/);
    expect(() => scaleToExponent(0, 'up')).toThrow();
  });
});
