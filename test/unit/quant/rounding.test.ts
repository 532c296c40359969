import { describe, expect, it } from 'vitest';
import { ppqNumericalRound, roundHalfEven, roundHalfUp, roundWith } from '../../../src/quant/rounding.js';
import { loadVectors } from './observers/vectors.js';

const V = loadVectors();

describe('tensor rounding (torch float32 semantics)', () => {
  it('half_even rounds ties to even like torch.round', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.49, -3.51].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 3, -4]);
  });
  it('half_up is floor(x + 0.5) with a float32 addition', () => {
    expect([0.5, 1.5, -0.5, -1.5, -2.5, 2.4].map(roundHalfUp)).toEqual([1, 2, 0, -1, -2, 2]);
    // 0.49999997 + 0.5 rounds to 1.0 in float32; 2^23 + 1 + 0.5 is a float32 tie that rounds to even.
    expect(roundHalfUp(Math.fround(0.49999997))).toBe(1);
    expect(roundHalfUp(8388609)).toBe(8388610);
    expect(roundWith('half_up', 8388609)).toBe(8388610);
    expect(roundWith('half_even', 8388609)).toBe(8388609);
  });
});

describe('ppqNumericalRound (Decimal semantics) against Python', () => {
  it.each(V.rounding as { x: number; half_even: number; half_up: number; up: number }[])('$x', (c) => {
    expect(ppqNumericalRound(c.x, 'half_even')).toBe(c.half_even);
    expect(ppqNumericalRound(c.x, 'half_up')).toBe(c.half_up);
    expect(ppqNumericalRound(c.x, 'up')).toBe(c.up);
  });
});
