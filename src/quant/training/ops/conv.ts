/**
 * 2-D convolution (ONNX Conv, NCHW) with stride, padding, dilation, groups (depthwise = groups == C) and bias,
 * lowered per (image, group) to im2col + the blocked matrix kernels of kernels.ts. 1×1/stride-1/unpadded
 * convolutions use the input plane directly as the column matrix. Backward recomputes the columns instead of
 * keeping them, so a step holds at most one column buffer.
 */
import { InternalError } from '../../../errors.js';
import { Tape, type Var } from '../tape.js';
import { gemmNN, gemmNT, gemmTN } from './kernels.js';
import { sharedWasmKernels } from './wasm-kernels.js';

/** Multiply-adds (planes·oh·ow·kh·kw) from which the WASM SIMD depthwise kernel beats the JS loops below. */
export const WASM_MIN_DEPTHWISE_WORK = 1024;

export interface ConvAttrs {
  strides: readonly [number, number];
  /** [top, left, bottom, right] as ONNX orders pads. */
  pads: readonly [number, number, number, number];
  dilations: readonly [number, number];
  group: number;
}

interface Geom {
  n: number; c: number; h: number; w: number; m: number; cg: number; mg: number;
  kh: number; kw: number; oh: number; ow: number; g: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  /** Rows of the column matrix (cg·kh·kw) and its columns (oh·ow). */
  rows: number; cols: number;
  flat: boolean;
}

function geometry(xs: readonly number[], ws: readonly number[], a: ConvAttrs): Geom {
  const [n, c, h, w] = xs as [number, number, number, number];
  const [m, cg, kh, kw] = ws as [number, number, number, number];
  const [sh, sw] = a.strides, [dh, dw] = a.dilations, g = a.group;
  const [ph, pw, pb, pr] = a.pads;
  if (xs.length !== 4 || ws.length !== 4) throw new InternalError(`Conv: only 2-D convolution is supported (x ${xs.join('x')})`);
  if (cg * g !== c || m % g !== 0) throw new InternalError(`Conv: channels ${c} / weight ${ws.join('x')} / group ${g} mismatch`);
  const oh = Math.floor((h + ph + pb - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((w + pw + pr - dw * (kw - 1) - 1) / sw) + 1;
  const flat = kh === 1 && kw === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0 && pb === 0 && pr === 0;
  return { n, c, h, w, m, cg, mg: m / g, kh, kw, oh, ow, g, sh, sw, ph, pw, dh, dw, rows: cg * kh * kw, cols: oh * ow, flat };
}

/** Copies (toCol) or scatter-adds (fromCol) between the input channels of one (image, group) and a column matrix. */
function im2col(G: Geom, x: Float32Array, xOff: number, col: Float32Array, toCol: boolean): void {
  for (let cl = 0; cl < G.cg; cl++) {
    const plane = xOff + cl * G.h * G.w;
    for (let i = 0; i < G.kh; i++) {
      for (let j = 0; j < G.kw; j++) {
        const rowBase = ((cl * G.kh + i) * G.kw + j) * G.cols;
        const off = j * G.dw - G.pw;
        const q0 = Math.max(0, Math.ceil(-off / G.sw));
        const q1 = Math.min(G.ow, Math.floor((G.w - 1 - off) / G.sw) + 1);
        for (let r = 0; r < G.oh; r++) {
          const ih = r * G.sh - G.ph + i * G.dh;
          if (ih < 0 || ih >= G.h) continue;
          const src = plane + ih * G.w + off, dst = rowBase + r * G.ow;
          if (toCol) for (let q = q0; q < q1; q++) col[dst + q] = x[src + q * G.sw]!;
          else for (let q = q0; q < q1; q++) x[src + q * G.sw] += col[dst + q]!;
        }
      }
    }
  }
}

/**
 * Depthwise (one input and one output channel per group) runs the taps directly instead of through a column
 * buffer. `mode` 0 = forward (out += w·x), 1 = input gradient (gx += w·dy), 2 = weight gradient (gw += Σ dy·x).
 * Large enough problems with column stride 1 or 2 run on the WASM SIMD kernel (wasm-kernels.ts).
 */
function depthwise(G: Geom, mode: 0 | 1 | 2, x: Float32Array, w: Float32Array, y: Float32Array, out: Float32Array): void {
  const big = G.n * G.c * G.cols * G.kh * G.kw >= WASM_MIN_DEPTHWISE_WORK;
  if (!big || !sharedWasmKernels()?.depthwise(G, mode, x, w, y, out)) depthwiseJs(G, mode, x, w, y, out);
}

/** The JS depthwise: plain nested loops on purpose, V8 optimises these far better than per-row callbacks (10×). */
function depthwiseJs(G: Geom, mode: 0 | 1 | 2, x: Float32Array, w: Float32Array, y: Float32Array, out: Float32Array): void {
  const sw = G.sw;
  for (let p = 0; p < G.n * G.c; p++) {
    const ch = p % G.c, inPlane = p * G.h * G.w, outPlane = p * G.cols;
    for (let i = 0; i < G.kh; i++) {
      for (let j = 0; j < G.kw; j++) {
        const off = j * G.dw - G.pw, wi = (ch * G.kh + i) * G.kw + j, wv = w[wi]!;
        const q0 = Math.max(0, Math.ceil(-off / sw)), q1 = Math.min(G.ow, Math.floor((G.w - 1 - off) / sw) + 1);
        let acc = 0;
        for (let r = 0; r < G.oh; r++) {
          const ih = r * G.sh - G.ph + i * G.dh;
          if (ih < 0 || ih >= G.h) continue;
          const o = outPlane + r * G.ow, xb = inPlane + ih * G.w + off;
          if (mode === 0) for (let q = q0; q < q1; q++) out[o + q] += wv * x[xb + q * sw]!;
          else if (mode === 1) for (let q = q0; q < q1; q++) out[xb + q * sw] += wv * y[o + q]!;
          else for (let q = q0; q < q1; q++) acc += y[o + q]! * x[xb + q * sw]!;
        }
        if (mode === 2) out[wi] += acc;
      }
    }
  }
}

/** y = conv(x, w) + b. `b` may be undefined. */
export function conv2d(tape: Tape, x: Var, w: Var, b: Var | undefined, a: ConvAttrs): Var {
  const G = geometry(x.shape, w.shape, a);
  const out = tape.floats(G.n * G.m * G.cols, !b); // a bias fills every element first
  if (b) for (let k = 0; k < G.n * G.m; k++) out.fill(b.data[k % G.m]!, k * G.cols, (k + 1) * G.cols);
  const dwise = G.cg === 1 && G.mg === 1 && !G.flat;
  if (dwise) depthwise(G, 0, x.data, w.data, out, out);
  const col = G.flat || dwise ? x.data : tape.floats(G.rows * G.cols);
  for (let nI = 0; nI < (dwise ? 0 : G.n); nI++) {
    for (let g = 0; g < G.g; g++) {
      const xOff = (nI * G.c + g * G.cg) * G.h * G.w;
      if (!G.flat) im2col(G, x.data, xOff, col, true);
      gemmNN(G.mg, G.rows, G.cols, w.data, g * G.mg * G.rows, col, G.flat ? xOff : 0, out, (nI * G.m + g * G.mg) * G.cols);
    }
  }
  const y = tape.result(out, [G.n, G.m, G.oh, G.ow], b ? [x, w, b] : [x, w]);
  tape.record(y, (dy) => convBackward(tape, G, x, w, b, dy));
  return y;
}

function convBackward(tape: Tape, G: Geom, x: Var, w: Var, b: Var | undefined, dy: Float32Array): void {
  const gx = x.requiresGrad ? tape.grad(x) : undefined;
  const gw = w.requiresGrad ? tape.grad(w) : undefined;
  const dwise = G.cg === 1 && G.mg === 1 && !G.flat;
  if (dwise && gx) depthwise(G, 1, x.data, w.data, dy, gx);
  if (dwise && gw) depthwise(G, 2, x.data, w.data, dy, gw);
  const col = G.flat || dwise ? x.data : tape.floats(G.rows * G.cols);
  const dcol = G.flat ? gx : gx && !dwise ? new Float32Array(G.rows * G.cols) : undefined;
  for (let nI = 0; nI < (dwise ? 0 : G.n); nI++) {
    for (let g = 0; g < G.g; g++) {
      const xOff = (nI * G.c + g * G.cg) * G.h * G.w;
      const yOff = (nI * G.m + g * G.mg) * G.cols, wOff = g * G.mg * G.rows;
      const cOff = G.flat ? xOff : 0;
      if (gw) {
        if (!G.flat) im2col(G, x.data, xOff, col, true);
        gemmNT(G.mg, G.rows, G.cols, dy, yOff, col, cOff, gw, wOff);
      }
      if (gx && dcol) {
        if (!G.flat) dcol.fill(0);
        gemmTN(G.mg, G.rows, G.cols, w.data, wOff, dy, yOff, dcol, cOff);
        if (!G.flat) im2col(G, gx, xOff, dcol, false);
      }
    }
  }
  if (b && b.requiresGrad) {
    const gb = tape.grad(b);
    for (let k = 0; k < G.n * G.m; k++) {
      let s = 0;
      for (let p = k * G.cols; p < (k + 1) * G.cols; p++) s += dy[p]!;
      gb[k % G.m] += s;
    }
  }
}
