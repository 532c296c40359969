/**
 * Matrix kernels on Float32Array views (offsets instead of subarrays: no allocation in hot loops).
 *
 * Products of at least WASM_MIN_WORK multiply-adds run on the WebAssembly SIMD kernels of wasm-kernels.ts;
 * smaller ones (where copying operands into wasm memory would dominate), and all of them when WebAssembly SIMD
 * is unavailable, run on the JS kernel below, which is also the reference in tests.
 *
 * One strided JS kernel serves all three products: C[R×Q] += Σᵢ A(r,i)·B(i,q) with A(r,i) = A[aOff + r·ars + i·ais]
 * and B(i,q) = B[bOff + i·bis + q·bcs]. It computes 4×4 tiles of C in 16 local accumulators, so each step of the
 * inner loop does 16 multiply-adds for 8 loads; in V8 that measured 2.5–4× faster than row-saxpy loops.
 */
import { sharedWasmKernels, type WasmKernels } from './wasm-kernels.js';

interface Strided { readonly d: Float32Array; readonly off: number; readonly s0: number; readonly s1: number }

/** M·K·P from which the WASM kernels beat the JS one including their copies (x64 Node 20: crossover ~1.3–2 k, 2.5–4× at 4 k). */
export const WASM_MIN_WORK = 2048;

const wasmFor = (M: number, K: number, P: number): WasmKernels | undefined =>
  M * K * P >= WASM_MIN_WORK ? sharedWasmKernels() : undefined;

function tile4x4(A: Strided, B: Strided, I: number, r: number, q: number, C: Float32Array, c: number, Q: number): void {
  const ad = A.d, bd = B.d, ais = A.s1, bis = B.s0, bcs = B.s1;
  let a0 = A.off + r * A.s0;
  const a1d = A.s0;
  let b = B.off + q * bcs;
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  for (let i = 0; i < I; i++, a0 += ais, b += bis) {
    const b0 = bd[b]!, b1 = bd[b + bcs]!, b2 = bd[b + 2 * bcs]!, b3 = bd[b + 3 * bcs]!;
    let w = ad[a0]!; s00 += w * b0; s01 += w * b1; s02 += w * b2; s03 += w * b3;
    w = ad[a0 + a1d]!; s10 += w * b0; s11 += w * b1; s12 += w * b2; s13 += w * b3;
    w = ad[a0 + 2 * a1d]!; s20 += w * b0; s21 += w * b1; s22 += w * b2; s23 += w * b3;
    w = ad[a0 + 3 * a1d]!; s30 += w * b0; s31 += w * b1; s32 += w * b2; s33 += w * b3;
  }
  C[c] += s00; C[c + 1] += s01; C[c + 2] += s02; C[c + 3] += s03; c += Q;
  C[c] += s10; C[c + 1] += s11; C[c + 2] += s12; C[c + 3] += s13; c += Q;
  C[c] += s20; C[c + 1] += s21; C[c + 2] += s22; C[c + 3] += s23; c += Q;
  C[c] += s30; C[c + 1] += s31; C[c + 2] += s32; C[c + 3] += s33;
}

function single(A: Strided, B: Strided, I: number, r: number, q: number): number {
  let s = 0, a = A.off + r * A.s0, b = B.off + q * B.s1;
  for (let i = 0; i < I; i++, a += A.s1, b += B.s0) s += A.d[a]! * B.d[b]!;
  return s;
}

function gemmStrided(R: number, I: number, Q: number, A: Strided, B: Strided, C: Float32Array, cOff: number): void {
  const R4 = R - (R % 4), Q4 = Q - (Q % 4);
  for (let r = 0; r < R4; r += 4) for (let q = 0; q < Q4; q += 4) tile4x4(A, B, I, r, q, C, cOff + r * Q + q, Q);
  for (let r = 0; r < R; r++) {
    for (let q = r < R4 ? Q4 : 0; q < Q; q++) C[cOff + r * Q + q] += single(A, B, I, r, q);
  }
}

/** C[M×P] += A[M×K] · B[K×P]. */
export function gemmNN(M: number, K: number, P: number, A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number): void {
  if (!wasmFor(M, K, P)?.gemmNN(M, K, P, A, aOff, B, bOff, C, cOff)) gemmNNjs(M, K, P, A, aOff, B, bOff, C, cOff);
}

/** C[M×K] += A[M×P] · B[K×P]ᵀ. */
export function gemmNT(M: number, K: number, P: number, A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number): void {
  if (!wasmFor(M, K, P)?.gemmNT(M, K, P, A, aOff, B, bOff, C, cOff)) gemmNTjs(M, K, P, A, aOff, B, bOff, C, cOff);
}

/** C[K×P] += A[M×K]ᵀ · B[M×P]. */
export function gemmTN(M: number, K: number, P: number, A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number): void {
  if (!wasmFor(M, K, P)?.gemmTN(M, K, P, A, aOff, B, bOff, C, cOff)) gemmTNjs(M, K, P, A, aOff, B, bOff, C, cOff);
}

/** JS gemmNN (float64 accumulation): the fallback and the reference in tests. */
export function gemmNNjs(M: number, K: number, P: number, A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number): void {
  gemmStrided(M, K, P, { d: A, off: aOff, s0: K, s1: 1 }, { d: B, off: bOff, s0: P, s1: 1 }, C, cOff);
}

/** JS gemmNT (float64 accumulation). */
export function gemmNTjs(M: number, K: number, P: number, A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number): void {
  gemmStrided(M, P, K, { d: A, off: aOff, s0: P, s1: 1 }, { d: B, off: bOff, s0: 1, s1: P }, C, cOff);
}

/** JS gemmTN (float64 accumulation). */
export function gemmTNjs(M: number, K: number, P: number, A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number): void {
  gemmStrided(K, M, P, { d: A, off: aOff, s0: 1, s1: K }, { d: B, off: bOff, s0: P, s1: 1 }, C, cOff);
}
