import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gemmNN, gemmNNjs, gemmNT, gemmNTjs, gemmTN, gemmTNjs, WASM_MIN_WORK } from '../../../../src/quant/training/ops/kernels.js';
import { createWasmKernels } from '../../../../src/quant/training/ops/wasm-kernels.js';
import { createWasmElementwise } from '../../../../src/quant/training/ops/wasm-elementwise.js';
import { REPO_ROOT } from '../../../helpers/paths.js';
import { randomArray, rng } from './gradcheck.js';

type Kind = 'NN' | 'NT' | 'TN';
type Gemm = (M: number, K: number, P: number, A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number) => unknown;

/** Element (r, c) of each operand and of C for the three products, as documented in kernels.ts. */
const layout = (k: Kind, M: number, K: number, P: number) => ({
  NN: { rows: M, cols: P, red: K, a: (r: number, i: number) => r * K + i, b: (i: number, c: number) => i * P + c, na: M * K, nb: K * P },
  NT: { rows: M, cols: K, red: P, a: (r: number, i: number) => r * P + i, b: (i: number, c: number) => c * P + i, na: M * P, nb: K * P },
  TN: { rows: K, cols: P, red: M, a: (r: number, i: number) => i * K + r, b: (i: number, c: number) => i * P + c, na: M * K, nb: M * P },
})[k];

/**
 * Runs `fn` on operands embedded at nonzero offsets in larger buffers, with C pre-filled (C += is checked), and
 * compares every element with a float64 reference: |err| ≤ 1e-5·(Σ|a·b| + |C₀|) + 1e-30, the float32 accumulation
 * bound for these sizes. Guard cells around C must stay untouched.
 */
function check(kind: Kind, fn: Gemm, M: number, K: number, P: number, seed: number): void {
  const R = rng(seed), L = layout(kind, M, K, P);
  const aOff = 3, bOff = 5, cOff = 7, nc = L.rows * L.cols;
  const A = randomArray(aOff + L.na + 4, R), B = randomArray(bOff + L.nb + 4, R, -2, 2);
  const C = randomArray(cOff + nc + 9, R), C0 = C.slice();
  fn(M, K, P, A, aOff, B, bOff, C, cOff);
  let worst = 0;
  for (let r = 0; r < L.rows; r++) {
    for (let c = 0; c < L.cols; c++) {
      let s = 0, mag = 0;
      for (let i = 0; i < L.red; i++) {
        const p = A[aOff + L.a(r, i)]! * B[bOff + L.b(i, c)]!;
        s += p; mag += Math.abs(p);
      }
      const e = C0[cOff + r * L.cols + c]!;
      const err = Math.abs(C[cOff + r * L.cols + c]! - (e + s)) / (1e-5 * (mag + Math.abs(e)) + 1e-30);
      worst = Math.max(worst, err);
    }
  }
  expect(worst, `${kind} M=${M} K=${K} P=${P}`).toBeLessThanOrEqual(1);
  expect(C.subarray(0, cOff)).toEqual(C0.subarray(0, cOff));
  expect(C.subarray(cOff + nc)).toEqual(C0.subarray(cOff + nc));
}

/** Odd sizes, 1s, sizes past the kernels' tiles (4/8) and reduction slices (256 / 512), one large conv shape. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 13], [5, 3, 9], [7, 13, 11], [4, 8, 8], [33, 17, 65], [9, 300, 20], [300, 9, 21],
  [6, 10, 1037], [3, 2, 5], [32, 72, 784], [96, 16, 196],
];

describe('WebAssembly SIMD matrix kernels', () => {
  const wasm = createWasmKernels();

  it('compiles on this Node (SIMD128 available), so the WASM path is what runs', () => {
    expect(wasm).toBeDefined();
  });

  for (const kind of ['NN', 'NT', 'TN'] as const) {
    it(`gemm${kind}: WASM, dispatching and JS kernels match a float64 reference`, () => {
      const js = { NN: gemmNNjs, NT: gemmNTjs, TN: gemmTNjs }[kind], routed = { NN: gemmNN, NT: gemmNT, TN: gemmTN }[kind];
      SHAPES.forEach(([M, K, P], s) => {
        check(kind, wasm![`gemm${kind}`], M, K, P, 100 + s);
        check(kind, js, M, K, P, 200 + s);
        check(kind, routed, M, K, P, 300 + s);
      });
    });
  }

  it('reuses and grows its memory across calls of very different sizes', () => {
    const k = createWasmKernels()!;
    check('NN', k.gemmNN, 5, 6, 7, 1);
    check('NT', k.gemmNT, 24, 40, 3136, 2); // ~0.8 MB of scratch: grows the 64 KiB initial memory
    check('TN', k.gemmTN, 3, 5, 9, 3);
    check('NN', k.gemmNN, 20, 24, 3136, 4);
    check('NT', k.gemmNT, 2, 3, 4, 5);
  });

  it('routes large products to WASM: float32 accumulation differs from the JS kernel in the last bits', () => {
    const R = rng(9), M = 16, K = 64, P = 64;
    expect(M * K * P).toBeGreaterThanOrEqual(WASM_MIN_WORK);
    const A = randomArray(M * K, R), B = randomArray(K * P, R);
    const viaJs = new Float32Array(M * P), routed = new Float32Array(M * P), direct = new Float32Array(M * P);
    gemmNNjs(M, K, P, A, 0, B, 0, viaJs, 0);
    gemmNN(M, K, P, A, 0, B, 0, routed, 0);
    wasm!.gemmNN(M, K, P, A, 0, B, 0, direct, 0);
    expect(routed).toEqual(direct);
    expect(routed).not.toEqual(viaJs);
  });

  describe('fallback', () => {
    afterEach(() => { vi.unstubAllGlobals(); });
    // Both generated modules go through the same instantiation (wasm-kernels.ts instantiateWasm).
    it.each([['kernels', createWasmKernels], ['elementwise', createWasmElementwise]] as const)(
      'the %s module is undefined without WebAssembly, or when it does not compile (no SIMD128)', (_name, create) => {
        vi.stubGlobal('WebAssembly', undefined);
        expect(create()).toBeUndefined();
        vi.stubGlobal('WebAssembly', { Module: class { constructor() { throw new Error('CompileError: invalid simd opcode'); } }, Instance: class {} });
        expect(create()).toBeUndefined();
      });
  });

  it('the embedded module is what scripts/gen-wasm-kernels.mjs emits', () => {
    expect(() => execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/gen-wasm-kernels.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
