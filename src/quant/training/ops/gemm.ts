/** ONNX Gemm (transA/transB, alpha/beta, broadcast C) and MatMul (numpy batch broadcasting), with gradients. */
import { InternalError } from '../../../errors.js';
import { numel } from '../../../ir/tensor.js';
import { Tape, type Var } from '../tape.js';
import { broadcastIndex, broadcastShape } from '../../../ir/tensor-math.js';
import { gemmNN } from './kernels.js';

export interface GemmAttrs { transA: boolean; transB: boolean; alpha: number; beta: number }

/** A copy of a row-major [r×c] matrix transposed to [c×r]. */
function transpose2d(a: Float32Array, aOff: number, r: number, c: number): Float32Array {
  const t = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a[aOff + i * c + j]!;
  return t;
}

/** C += op(A)·op(B) for one matrix pair given as flat arrays with offsets; op = transpose when flagged. */
function mm(
  M: number, K: number, N: number, A: Float32Array, aOff: number, tA: boolean,
  B: Float32Array, bOff: number, tB: boolean, C: Float32Array, cOff: number,
): void {
  const a = tA ? transpose2d(A, aOff, K, M) : A, b = tB ? transpose2d(B, bOff, N, K) : B;
  gemmNN(M, K, N, a, tA ? 0 : aOff, b, tB ? 0 : bOff, C, cOff);
}

/** Y = alpha·op(A)·op(B) + beta·C. */
export function gemm(tape: Tape, A: Var, B: Var, C: Var | undefined, at: GemmAttrs): Var {
  const [ar, ac] = A.shape as [number, number], [br, bc] = B.shape as [number, number];
  const M = at.transA ? ac : ar, K = at.transA ? ar : ac, N = at.transB ? br : bc;
  if ((at.transB ? bc : br) !== K) throw new InternalError(`Gemm: inner dimensions ${K} and ${at.transB ? bc : br} differ`);
  const out = new Float32Array(M * N);
  mm(M, K, N, A.data, 0, at.transA, B.data, 0, at.transB, out, 0);
  if (at.alpha !== 1) for (let i = 0; i < out.length; i++) out[i] *= at.alpha;
  const cIdx = C ? broadcastIndex(C.shape, [M, N]) : undefined;
  if (C && cIdx) for (let i = 0; i < out.length; i++) out[i] += at.beta * C.data[cIdx[i]!]!;
  const y = tape.result(out, [M, N], C ? [A, B, C] : [A, B]);
  tape.record(y, (dy) => {
    const g = at.alpha === 1 ? dy : dy.map((v) => v * at.alpha);
    // dA = g·op(B)ᵀ (stored transposed when transA), dB = op(A)ᵀ·g (stored transposed when transB).
    if (A.requiresGrad) {
      if (at.transA) mm(K, N, M, B.data, 0, at.transB, g, 0, true, tape.grad(A), 0);
      else mm(M, N, K, g, 0, false, B.data, 0, !at.transB, tape.grad(A), 0);
    }
    if (B.requiresGrad) {
      if (at.transB) mm(N, M, K, g, 0, true, A.data, 0, at.transA, tape.grad(B), 0);
      else mm(K, M, N, A.data, 0, !at.transA, g, 0, false, tape.grad(B), 0);
    }
    if (C && cIdx && C.requiresGrad) {
      const gc = tape.grad(C);
      for (let i = 0; i < dy.length; i++) gc[cIdx[i]!] += at.beta * dy[i]!;
    }
  });
  return y;
}

/** Y = A @ B with numpy semantics (rank ≥ 2 after promoting 1-D operands; batch dimensions broadcast). */
export function matmul(tape: Tape, A: Var, B: Var): Var {
  const as = A.shape.length === 1 ? [1, A.shape[0]!] : [...A.shape];
  const bs = B.shape.length === 1 ? [B.shape[0]!, 1] : [...B.shape];
  const M = as[as.length - 2]!, K = as[as.length - 1]!, N = bs[bs.length - 1]!;
  if (bs[bs.length - 2] !== K) throw new InternalError(`MatMul: inner dimensions ${K} and ${bs[bs.length - 2]} differ`);
  const batch = broadcastShape(as.slice(0, -2), bs.slice(0, -2));
  const nb = numel(batch);
  const ai = broadcastIndex(as.slice(0, -2), batch), bi = broadcastIndex(bs.slice(0, -2), batch);
  const out = new Float32Array(nb * M * N);
  for (let t = 0; t < nb; t++) gemmNN(M, K, N, A.data, ai[t]! * M * K, B.data, bi[t]! * K * N, out, t * M * N);
  const shape = [...batch, ...(A.shape.length === 1 ? [] : [M]), ...(B.shape.length === 1 ? [] : [N])];
  const y = tape.result(out, shape, [A, B]);
  tape.record(y, (dy) => {
    for (let t = 0; t < nb; t++) {
      if (A.requiresGrad) mm(M, N, K, dy, t * M * N, false, B.data, bi[t]! * K * N, true, tape.grad(A), ai[t]! * M * K);
      if (B.requiresGrad) mm(K, M, N, A.data, ai[t]! * M * K, true, dy, t * M * N, false, tape.grad(B), bi[t]! * K * N);
    }
  });
  return y;
}
