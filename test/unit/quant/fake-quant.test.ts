import { describe, expect, it } from 'vitest';
import { fakeQuantize, quantizeToInt } from '../../../src/quant/fake-quant.js';
import type { Rounding } from '../../../src/quant/types.js';
import { gen, loadVectors } from './observers/vectors.js';

const V = loadVectors();

interface TensorCase {
  bits: number; rounding: Rounding; exp: number; seed: number; qmin: number; qmax: number;
  extra: number[]; q: number[]; fq: number[];
}

function input(c: TensorCase): Float32Array {
  const base = gen(c.seed, 300, 'cube', c.bits === 8 ? 2 : 4);
  const x = new Float32Array(300 + c.extra.length);
  x.set(base);
  x.set(c.extra, 300);
  return x;
}

describe('fake quantization against torch float32 (PPQ linear.py)', () => {
  it.each(V.fakeQuant.tensor as TensorCase[])('per-tensor int$bits $rounding e=$exp', (c) => {
    const x = input(c);
    const opts = { dims: [x.length], qmin: c.qmin, qmax: c.qmax, rounding: c.rounding };
    const q = quantizeToInt(x, c.exp, opts);
    expect(q).toBeInstanceOf(Int32Array);
    // torch keeps 2^31 after the float32 clamp; the int32 cast wraps it, as torch's cast does on x86.
    expect(Array.from(q)).toEqual(c.q.map((v) => (v === 2 ** 31 ? -(2 ** 31) : v)));
    expect(Array.from(fakeQuantize(x, c.exp, opts))).toEqual(Array.from(Float32Array.from(c.fq)));
  });

  it.each(V.fakeQuant.channel as { dims: number[]; axis: number; exps: number[]; seed: number; q: number[]; fq: number[] }[])(
    'per-channel dims $dims axis $axis', (c) => {
      const x = gen(c.seed, c.dims.reduce((a, b) => a * b, 1), 'normal', 1);
      const opts = { dims: c.dims, channelAxis: c.axis, qmin: -128, qmax: 127, rounding: 'half_even' as const };
      expect(Array.from(quantizeToInt(x, c.exps, opts))).toEqual(c.q);
      const out = x.slice();
      fakeQuantize(out, c.exps, opts, out); // in place
      expect(Array.from(out)).toEqual(c.fq);
    });

  it('uses Float64Array beyond 32 bits and clamps to the float32 bound', () => {
    const x = Float32Array.from([2 ** 45, -(2 ** 45), 12345.5, -3.5]);
    const q = quantizeToInt(x, 0, { dims: [4], qmin: -(2 ** 39), qmax: 2 ** 39 - 1, rounding: 'half_even' });
    expect(q).toBeInstanceOf(Float64Array);
    expect(Array.from(q)).toEqual([2 ** 39, -(2 ** 39), 12346, -4]);
  });

  it('turns −0 into +0 like PPQ adding the zero offset', () => {
    const out = fakeQuantize(Float32Array.from([-0.1]), 0, { dims: [1], qmin: -128, qmax: 127, rounding: 'half_even' });
    expect(Object.is(out[0], 0)).toBe(true);
  });

  it('rejects mismatched per-channel exponents', () => {
    expect(() => quantizeToInt(new Float32Array(6), [1, 2], { dims: [3, 2], channelAxis: 0, qmin: -128, qmax: 127, rounding: 'half_up' }))
      .toThrow(/2 exponents for 3 channels/);
  });
});
