/**
 * Differentiable fake quantization (docs/esp-ppq.md §3.3): x̂ = clamp(round(x/s), qmin, qmax)·s with power-of-two
 * scales s = 2^e, symmetric (offset 0), per-tensor or per-channel.
 *
 * Gradients follow ESP-PPQ's torch path: rounding is a straight-through estimator (PPQTensorRoundImpl passes dy)
 * and torch.clamp masks the gradient outside [qmin, qmax] (inclusive), so dx̂/dx = 1 inside the range, 0 outside
 * (esp_ppq/utils/round.py, quantization/qfunction/linear.py).
 */
import { InternalError } from '../../errors.js';
import { roundHalfEven, roundHalfUp } from '../rounding.js';
import type { Rounding } from '../types.js';
import { Tape, type Var } from './tape.js';
import { sharedWasmElementwise, WASM_MIN_ELEMENTS, type ChannelRuns } from './ops/wasm-elementwise.js';

/** The integer grid a tensor is quantized to. */
export interface QuantGrid {
  qmin: number;
  qmax: number;
  rounding: Rounding;
  /** Channel axis when per-channel (scales has one entry per channel), else undefined. */
  channelAxis: number | undefined;
}

/** For each element, its channel index (0 for per-tensor). */
export function channelIndex(shape: readonly number[], axis: number | undefined): (i: number) => number {
  if (axis === undefined) return () => 0;
  const ax = axis < 0 ? axis + shape.length : axis;
  let inner = 1;
  for (let d = ax + 1; d < shape.length; d++) inner *= shape[d]!;
  const c = shape[ax]!;
  return (i) => Math.floor(i / inner) % c;
}

/** Splits a tensor into (outer, channel, inner) runs so per-channel loops need no per-element division. */
function channelRuns(shape: readonly number[], axis: number | undefined, channels: number): ChannelRuns {
  if (axis === undefined) {
    let n = 1;
    for (const d of shape) n *= d;
    return { outer: 1, inner: n, c: 1 };
  }
  const ax = axis < 0 ? axis + shape.length : axis;
  let outer = 1, inner = 1;
  for (let d = 0; d < ax; d++) outer *= shape[d]!;
  for (let d = ax + 1; d < shape.length; d++) inner *= shape[d]!;
  if (shape[ax] !== channels) throw new InternalError(`per-channel quantization: ${channels} scales for ${shape[ax]} channels`);
  return { outer, inner, c: channels };
}

/** 1.5·2^52: adding and subtracting it rounds a double to an integer, ties to even, for |x| < 2^51. */
const ROUND_HALF_EVEN_MAGIC = 6755399441055744;

/**
 * Quantizes x into `out` (values) and `mask` (1 where the rounded value lies in [qmin, qmax]), and, when `dyds`
 * is given, stores ∂x̂/∂s = q − mask·x/s there. Half-even tensors of at least WASM_MIN_ELEMENTS elements run on
 * the WebAssembly SIMD kernel of ops/wasm-elementwise.ts, which gives the same bits as `quantizeIntoJs` (it
 * declines inputs where it could not, and returns the rare runs to redo in JS; tested on ties, ±∞, NaN, −0,
 * subnormals and out-of-range values).
 */
export function quantizeInto(x: Float32Array, shape: readonly number[], scales: ArrayLike<number>, grid: QuantGrid, out: Float32Array, mask: Uint8Array, dyds?: Float32Array): void {
  const runs = channelRuns(shape, grid.channelAxis, scales.length);
  const wasm = grid.rounding === 'half_even' && x.length >= WASM_MIN_ELEMENTS ? sharedWasmElementwise() : undefined;
  const redo = wasm?.quantize(x, runs, scales, grid.qmin, grid.qmax, out, mask, dyds);
  if (!redo) { quantizeRuns(x, runs, 0, runs.outer * runs.c, scales, grid, out, mask, dyds); return; }
  for (const k of redo) quantizeRuns(x, runs, k, k + 1, scales, grid, out, mask, dyds);
}

/** The JS quantizer (fallback, and the reference the WASM kernel is tested against). */
export function quantizeIntoJs(x: Float32Array, shape: readonly number[], scales: ArrayLike<number>, grid: QuantGrid, out: Float32Array, mask: Uint8Array, dyds?: Float32Array): void {
  const runs = channelRuns(shape, grid.channelAxis, scales.length);
  quantizeRuns(x, runs, 0, runs.outer * runs.c, scales, grid, out, mask, dyds);
}

/**
 * Runs k0 ≤ k < k1 (run k = channel k mod c). Tight loops: this runs over every activation of a block, so
 * half-even rounding uses the add-and-subtract trick (branch-free; |x/s| ≥ 2^51 clamps either way) and x/s is
 * a multiplication by the exact reciprocal of the power-of-two scale. Results equal rounding.ts bit for bit
 * (−0 becomes +0 as the simulator's quant/fake-quant.ts does; tested).
 */
function quantizeRuns(x: Float32Array, runs: ChannelRuns, k0: number, k1: number, scales: ArrayLike<number>, grid: QuantGrid, out: Float32Array, mask: Uint8Array, dyds?: Float32Array): void {
  const { inner, c } = runs;
  const qmin = grid.qmin, qmax = grid.qmax, halfEven = grid.rounding === 'half_even';
  for (let k = k0; k < k1; k++) {
    const s = scales[k % c]!, inv = 1 / s, base = k * inner;
    for (let i = base; i < base + inner; i++) {
      const v = x[i]! * inv;
      const r = halfEven ? (v + ROUND_HALF_EVEN_MAGIC) - ROUND_HALF_EVEN_MAGIC : roundHalfUp(v) + 0;
      const q = r < qmin ? qmin : r > qmax ? qmax : r;
      const inside = q === r;
      mask[i] = inside ? 1 : 0;
      out[i] = q * s;
      if (dyds) dyds[i] = inside ? q - v : q;
    }
  }
}

/**
 * x̂ with fixed scales (one per channel or a single one); STE gradient to x, masked outside [qmin, qmax] unless
 * `clipGradient` is false (ESP-PPQ's ChannelwiseLinearQuantImpl passes dy unmasked).
 */
export function fakeQuant(tape: Tape, x: Var, scales: ArrayLike<number>, grid: QuantGrid, clipGradient = true): Var {
  // quantizeInto writes every element of out and mask.
  const out = tape.floats(x.data.length, false);
  const mask = tape.bytes(x.data.length, false);
  quantizeInto(x.data, x.shape, scales, grid, out, mask);
  const y = tape.result(out, x.shape, [x]);
  tape.record(y, (dy) => {
    const g = tape.grad(x);
    if (clipGradient) maskedAccumulate(g, dy, mask);
    else for (let i = 0; i < dy.length; i++) g[i] += dy[i]!;
  });
  return y;
}

/** g[i] += dy[i] where mask[i] (the STE of a clamp); the WASM kernel is bit-identical (a masked lane keeps g). */
function maskedAccumulate(g: Float32Array, dy: Float32Array, mask: Uint8Array): void {
  if (g.length >= WASM_MIN_ELEMENTS && sharedWasmElementwise()?.maskAdd(g, dy, mask)) return;
  for (let i = 0; i < g.length; i++) if (mask[i]) g[i] += dy[i]!;
}

/**
 * acc[ch] += Σ_{i in channel ch} dy[i]·dyds[i], in float64. The WASM kernel sums exact float64 products in
 * two-lane partial sums, i.e. in another order than this loop: equal up to float64 rounding (~1e-16 relative).
 */
function channelDots(dy: Float32Array, dyds: Float32Array, runs: ChannelRuns, acc: Float64Array): void {
  if (dy.length >= WASM_MIN_ELEMENTS && sharedWasmElementwise()?.dot(dy, dyds, runs, acc)) return;
  const { outer, inner, c } = runs;
  for (let o = 0; o < outer; o++) {
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let i = (o * c + ch) * inner, e = i + inner; i < e; i++) s += dy[i]! * dyds[i]!;
      acc[ch] += s;
    }
  }
}

/**
 * TQT fake quantization (Jain et al. 2019; esp_ppq TQTDelegator): s = 2^(α + (round(α) − α).detach()), so the
 * forward uses the integer exponent while dα flows as if unrounded: dx̂/ds = q − mask·x/s, ds/dα = s·ln 2.
 * `log2Scale` has one entry per channel (or one). dx follows the STE rule of `fakeQuant`.
 */
export function tqtQuant(tape: Tape, x: Var, log2Scale: Var, grid: QuantGrid): Var {
  const scales = Array.from(log2Scale.data, (a) => 2 ** roundHalfEven(a));
  const n = x.data.length;
  const out = tape.floats(n, false), dyds = tape.floats(n, false), mask = tape.bytes(n, false); // all written by quantizeInto
  quantizeInto(x.data, x.shape, scales, grid, out, mask, dyds);
  const y = tape.result(out, x.shape, [x, log2Scale]);
  tape.record(y, (dy) => {
    if (x.requiresGrad) maskedAccumulate(tape.grad(x), dy, mask);
    if (log2Scale.requiresGrad) {
      const ga = tape.grad(log2Scale), acc = new Float64Array(scales.length);
      channelDots(dy, dyds, channelRuns(x.shape, grid.channelAxis, scales.length), acc);
      for (let ch = 0; ch < acc.length; ch++) ga[ch] += acc[ch]! * scales[ch]! * Math.LN2;
    }
  });
  return y;
}

/** AdaRound constants (esp_ppq/quantization/optim/legacy.py AdaroundRegTerm). */
export const ADAROUND_ZETA = 1.1;
export const ADAROUND_GAMMA = -0.1;

/** Rectified sigmoid h(V) = clip((ζ − γ)·σ(V) + γ, 0, 1). */
export function rectifiedSigmoid(v: number): number {
  return Math.min(1, Math.max(0, (ADAROUND_ZETA - ADAROUND_GAMMA) / (1 + Math.exp(-v)) + ADAROUND_GAMMA));
}

/** V initialised so that h(V) equals the fractional part of W/s: −log((ζ−γ)/(frac−γ) − 1). */
export function adaroundInit(w: Float32Array, shape: readonly number[], scales: ArrayLike<number>, axis: number | undefined): Float32Array {
  const ch = channelIndex(shape, axis);
  const v = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const t = w[i]! / scales[ch(i)]!;
    const frac = t - Math.floor(t);
    v[i] = -Math.log((ADAROUND_ZETA - ADAROUND_GAMMA) / (frac - ADAROUND_GAMMA) - 1);
  }
  return v;
}

/**
 * AdaRound weight quantizer: Ŵ = clamp(floor(W/s) + h(V), qmin, qmax)·s (offset 0). W is fixed; the gradient
 * goes to V through h (zero where h is clipped or the sum is outside [qmin, qmax]).
 */
export function adaroundQuant(tape: Tape, w: Float32Array, shape: readonly number[], v: Var, scales: ArrayLike<number>, grid: QuantGrid): Var {
  const ch = channelIndex(shape, grid.channelAxis);
  const out = tape.floats(w.length);
  const dydv = tape.floats(w.length);
  const k = ADAROUND_ZETA - ADAROUND_GAMMA;
  for (let i = 0; i < w.length; i++) {
    const s = scales[ch(i)]!;
    const sg = 1 / (1 + Math.exp(-v.data[i]!));
    const hRaw = k * sg + ADAROUND_GAMMA;
    const h = Math.min(1, Math.max(0, hRaw));
    const t = Math.floor(w[i]! / s) + h;
    const q = Math.min(grid.qmax, Math.max(grid.qmin, t));
    out[i] = q * s;
    const inside = t >= grid.qmin && t <= grid.qmax && hRaw >= 0 && hRaw <= 1;
    dydv[i] = inside ? s * k * sg * (1 - sg) : 0;
  }
  const y = tape.result(out, shape, [v]);
  tape.record(y, (dy) => {
    const g = tape.grad(v);
    for (let i = 0; i < dy.length; i++) g[i] += dy[i]! * dydv[i]!;
  });
  return y;
}

/** The finalised AdaRound weight: clamp(floor(W/s) + [V ≥ 0], qmin, qmax)·s. */
export function adaroundFinal(w: Float32Array, shape: readonly number[], v: Float32Array, scales: ArrayLike<number>, grid: QuantGrid): Float32Array {
  const ch = channelIndex(shape, grid.channelAxis);
  const out = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const s = scales[ch(i)]!;
    out[i] = Math.min(grid.qmax, Math.max(grid.qmin, Math.floor(w[i]! / s) + (v[i]! >= 0 ? 1 : 0))) * s;
  }
  return out;
}
