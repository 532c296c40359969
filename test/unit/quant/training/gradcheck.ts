/** Central-difference gradient checking for the training ops (float64 loss over float32 forward passes). */
import { expect } from 'vitest';
import { leaf, Tape, type Var } from '../../../../src/quant/training/tape.js';

/** Deterministic uniform numbers in [lo, hi) (mulberry32). */
export function rng(seed: number): (lo?: number, hi?: number) => number {
  let a = seed >>> 0;
  return (lo = -1, hi = 1) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  };
}

export function randomArray(n: number, r: (lo?: number, hi?: number) => number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => r(lo, hi));
}

export interface Input { data: Float32Array; shape: number[] }

/**
 * Checks d(Σ wᵢ·yᵢ)/d(input) of `f` against central differences for up to `probes` coordinates per input.
 * `h` is the step; tolerance |analytic − numeric| ≤ atol + rtol·|numeric|.
 */
export function checkGradients(
  f: (tape: Tape, xs: Var[]) => Var, inputs: Input[], opts: { h?: number; atol?: number; rtol?: number; probes?: number; seed?: number } = {},
): number {
  const h = opts.h ?? 1e-3, atol = opts.atol ?? 2e-3, rtol = opts.rtol ?? 1e-2, probes = opts.probes ?? 24;
  const r = rng(opts.seed ?? 7);
  const tape = new Tape();
  const vars = inputs.map((i) => leaf(i.data.slice(), i.shape, true));
  const y = f(tape, vars);
  const w = Float64Array.from({ length: y.data.length }, () => r());
  const lossOf = (xs: Var[]): number => {
    const out = f(new Tape(), xs).data;
    let s = 0;
    for (let i = 0; i < out.length; i++) s += w[i]! * out[i]!;
    return s;
  };
  tape.backwardFrom(y, Float32Array.from(w));
  let checked = 0;
  inputs.forEach((inp, k) => {
    const n = inp.data.length;
    const idx = n <= probes ? [...Array(n).keys()] : Array.from({ length: probes }, () => Math.floor(r(0, n)));
    for (const i of idx) {
      const plus = inputs.map((q) => leaf(q.data.slice(), q.shape));
      const minus = inputs.map((q) => leaf(q.data.slice(), q.shape));
      plus[k]!.data[i] += h;
      minus[k]!.data[i] -= h;
      const numeric = (lossOf(plus) - lossOf(minus)) / (2 * h);
      const analytic = vars[k]!.grad ? vars[k]!.grad![i]! : 0;
      expect(Math.abs(analytic - numeric), `input ${k}[${i}]: analytic ${analytic} numeric ${numeric}`).toBeLessThanOrEqual(atol + rtol * Math.abs(numeric));
      checked++;
    }
  });
  return checked;
}
