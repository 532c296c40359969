import { describe, expect, it } from 'vitest';
import { conv2d, WASM_MIN_DEPTHWISE_WORK } from '../../../../src/quant/training/ops/conv.js';
import { createWasmKernels, type DepthwiseGeom } from '../../../../src/quant/training/ops/wasm-kernels.js';
import { leaf, Tape } from '../../../../src/quant/training/tape.js';
import { randomArray, rng } from './gradcheck.js';

interface Case { n: number; c: number; h: number; w: number; k: [number, number]; s: [number, number]; d: [number, number]; pads: [number, number, number, number] }

function geom(t: Case): DepthwiseGeom {
  const [kh, kw] = t.k, [sh, sw] = t.s, [dh, dw] = t.d, [ph, pw, pb, pr] = t.pads;
  const oh = Math.floor((t.h + ph + pb - dh * (kh - 1) - 1) / sh) + 1, ow = Math.floor((t.w + pw + pr - dw * (kw - 1) - 1) / sw) + 1;
  return { n: t.n, c: t.c, h: t.h, w: t.w, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw };
}

/** Float64 direct depthwise convolution: y, gx = ∂(Σ dy·y)/∂x, gw likewise, and Σ|terms| per element for tolerances. */
function reference(G: DepthwiseGeom, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const ohw = G.oh * G.ow, hw = G.h * G.w, taps = G.kh * G.kw;
  const r = { y: new Float64Array(G.n * G.c * ohw), gx: new Float64Array(G.n * G.c * hw), gw: new Float64Array(G.c * taps) };
  const m = { y: new Float64Array(r.y.length), gx: new Float64Array(r.gx.length), gw: new Float64Array(r.gw.length) };
  for (let p = 0; p < G.n * G.c; p++) {
    const ch = p % G.c;
    for (let o = 0; o < ohw; o++) {
      const oy = Math.floor(o / G.ow), ox = o % G.ow;
      for (let i = 0; i < G.kh; i++) {
        for (let j = 0; j < G.kw; j++) {
          const ih = oy * G.sh - G.ph + i * G.dh, iw = ox * G.sw - G.pw + j * G.dw;
          if (ih < 0 || ih >= G.h || iw < 0 || iw >= G.w) continue;
          const xi = p * hw + ih * G.w + iw, wi = ch * taps + i * G.kw + j, yi = p * ohw + o;
          r.y[yi] += w[wi]! * x[xi]!; m.y[yi] += Math.abs(w[wi]! * x[xi]!);
          r.gx[xi] += w[wi]! * dy[yi]!; m.gx[xi] += Math.abs(w[wi]! * dy[yi]!);
          r.gw[wi] += dy[yi]! * x[xi]!; m.gw[wi] += Math.abs(dy[yi]! * x[xi]!);
        }
      }
    }
  }
  return { r, m };
}

/** |got − (base + ref)| ≤ 1e-5·(Σ|terms| + |base|) + 1e-30 everywhere (float32 accumulation). */
function expectClose(got: Float32Array, base: Float32Array | undefined, ref: Float64Array, mag: Float64Array, what: string): void {
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const b = base ? base[i]! : 0;
    worst = Math.max(worst, Math.abs(got[i]! - (b + ref[i]!)) / (1e-5 * (mag[i]! + Math.abs(b)) + 1e-30));
  }
  expect(worst, what).toBeLessThanOrEqual(1);
}

const CASES: Case[] = [
  { n: 2, c: 3, h: 9, w: 11, k: [3, 3], s: [1, 1], d: [1, 1], pads: [1, 1, 1, 1] }, // ow 11: padded output rows
  { n: 1, c: 4, h: 16, w: 16, k: [3, 3], s: [2, 2], d: [1, 1], pads: [1, 1, 1, 1] },
  { n: 2, c: 2, h: 13, w: 10, k: [3, 3], s: [2, 2], d: [1, 1], pads: [0, 1, 2, 0] }, // asymmetric pads
  { n: 1, c: 3, h: 12, w: 15, k: [5, 5], s: [1, 2], d: [1, 1], pads: [2, 2, 2, 2] },
  { n: 1, c: 2, h: 11, w: 14, k: [3, 3], s: [2, 1], d: [2, 2], pads: [2, 2, 2, 2] }, // dilation 2, row stride 2
  { n: 3, c: 5, h: 8, w: 8, k: [1, 3], s: [1, 1], d: [1, 1], pads: [0, 0, 0, 0] }, // no padding, 1×3
  { n: 1, c: 1, h: 1, w: 1, k: [1, 1], s: [1, 1], d: [1, 1], pads: [0, 0, 0, 0] },
  { n: 2, c: 8, h: 28, w: 28, k: [3, 3], s: [1, 1], d: [1, 1], pads: [1, 1, 1, 1] },
];

describe('WebAssembly SIMD depthwise kernel', () => {
  const wasm = createWasmKernels()!;

  it('forward, input and weight gradients (+=) match a float64 reference', () => {
    CASES.forEach((t, s) => {
      const G = geom(t), R = rng(50 + s), taps = G.kh * G.kw;
      const x = randomArray(G.n * G.c * G.h * G.w, R), w = randomArray(G.c * taps, R), dy = randomArray(G.n * G.c * G.oh * G.ow, R);
      const { r, m } = reference(G, x, w, dy);
      const y0 = randomArray(r.y.length, R), gx0 = randomArray(r.gx.length, R), gw0 = randomArray(r.gw.length, R);
      const y = y0.slice(), gx = gx0.slice(), gw = gw0.slice();
      expect(wasm.depthwise(G, 0, x, w, y, y)).toBe(true);
      expect(wasm.depthwise(G, 1, x, w, dy, gx)).toBe(true);
      expect(wasm.depthwise(G, 2, x, w, dy, gw)).toBe(true);
      const tag = JSON.stringify(t);
      expectClose(y, y0, r.y, m.y, `forward ${tag}`);
      expectClose(gx, gx0, r.gx, m.gx, `input gradient ${tag}`);
      expectClose(gw, gw0, r.gw, m.gw, `weight gradient ${tag}`);
    });
  });

  it('declines column stride 3 and leaves the output untouched; conv2d then uses the JS loops', () => {
    const t: Case = { n: 2, c: 4, h: 20, w: 20, k: [3, 3], s: [3, 3], d: [1, 1], pads: [1, 1, 1, 1] };
    const G = geom(t), R = rng(7), x = randomArray(G.n * G.c * G.h * G.w, R), w = randomArray(G.c * 9, R);
    const out = new Float32Array(G.n * G.c * G.oh * G.ow);
    expect(wasm.depthwise(G, 0, x, w, out, out)).toBe(false);
    expect(out.every((v) => v === 0)).toBe(true);
    checkConv2d(t, 8);
  });

  it('conv2d routes large depthwise convolutions through it (forward and both gradients)', () => {
    const t: Case = { n: 2, c: 6, h: 17, w: 18, k: [3, 3], s: [2, 2], d: [1, 1], pads: [1, 1, 1, 1] };
    expect(t.n * t.c * 9 * 9 * 9).toBeGreaterThanOrEqual(WASM_MIN_DEPTHWISE_WORK);
    checkConv2d(t, 9);
  });
});

function checkConv2d(t: Case, seed: number): void {
  const G = geom(t), R = rng(seed);
  const x = leaf(randomArray(G.n * G.c * G.h * G.w, R), [G.n, G.c, G.h, G.w], true);
  const w = leaf(randomArray(G.c * G.kh * G.kw, R), [G.c, 1, G.kh, G.kw], true);
  const dy = randomArray(G.n * G.c * G.oh * G.ow, R);
  const tape = new Tape();
  const y = conv2d(tape, x, w, undefined, { strides: t.s, pads: t.pads, dilations: t.d, group: G.c });
  tape.backwardFrom(y, dy);
  const { r, m } = reference(G, x.data, w.data, dy);
  expectClose(y.data, undefined, r.y, m.y, 'conv2d forward');
  expectClose(x.grad!, undefined, r.gx, m.gx, 'conv2d input gradient');
  expectClose(w.grad!, undefined, r.gw, m.gw, 'conv2d weight gradient');
}
