/**
 * Row-major matrix kernels on Float32Array views (offsets instead of subarrays so no allocation happens in the
 * hot loops). The innermost loop always walks contiguous memory; NN/TN process four rows at a time so each
 * loaded element of the shared operand feeds four multiply-adds. Accumulate into C (C += …).
 */

/** C[M×P] += A[M×K] · B[K×P]. */
export function gemmNN(
  M: number, K: number, P: number,
  A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number,
): void {
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const c0 = cOff + m * P, c1 = c0 + P, c2 = c1 + P, c3 = c2 + P;
    const a0 = aOff + m * K;
    for (let k = 0; k < K; k++) {
      const w0 = A[a0 + k]!, w1 = A[a0 + K + k]!, w2 = A[a0 + 2 * K + k]!, w3 = A[a0 + 3 * K + k]!;
      const b = bOff + k * P;
      for (let p = 0; p < P; p++) {
        const v = B[b + p]!;
        C[c0 + p] += w0 * v;
        C[c1 + p] += w1 * v;
        C[c2 + p] += w2 * v;
        C[c3 + p] += w3 * v;
      }
    }
  }
  for (; m < M; m++) {
    const c = cOff + m * P;
    for (let k = 0; k < K; k++) {
      const w = A[aOff + m * K + k]!;
      if (w === 0) continue;
      const b = bOff + k * P;
      for (let p = 0; p < P; p++) C[c + p] += w * B[b + p]!;
    }
  }
}

/** C[M×K] += A[M×P] · B[K×P]ᵀ (dot products of contiguous rows). */
export function gemmNT(
  M: number, K: number, P: number,
  A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number,
): void {
  for (let m = 0; m < M; m++) {
    const a = aOff + m * P;
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const b0 = bOff + k * P, b1 = b0 + P, b2 = b1 + P, b3 = b2 + P;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < P; p++) {
        const v = A[a + p]!;
        s0 += v * B[b0 + p]!;
        s1 += v * B[b1 + p]!;
        s2 += v * B[b2 + p]!;
        s3 += v * B[b3 + p]!;
      }
      const c = cOff + m * K + k;
      C[c] += s0; C[c + 1] += s1; C[c + 2] += s2; C[c + 3] += s3;
    }
    for (; k < K; k++) {
      const b = bOff + k * P;
      let s = 0;
      for (let p = 0; p < P; p++) s += A[a + p]! * B[b + p]!;
      C[cOff + m * K + k] += s;
    }
  }
}

/** C[K×P] += A[M×K]ᵀ · B[M×P]. */
export function gemmTN(
  M: number, K: number, P: number,
  A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number,
): void {
  let k = 0;
  for (; k + 4 <= K; k += 4) {
    const c0 = cOff + k * P, c1 = c0 + P, c2 = c1 + P, c3 = c2 + P;
    for (let m = 0; m < M; m++) {
      const a = aOff + m * K + k;
      const w0 = A[a]!, w1 = A[a + 1]!, w2 = A[a + 2]!, w3 = A[a + 3]!;
      const b = bOff + m * P;
      for (let p = 0; p < P; p++) {
        const v = B[b + p]!;
        C[c0 + p] += w0 * v;
        C[c1 + p] += w1 * v;
        C[c2 + p] += w2 * v;
        C[c3 + p] += w3 * v;
      }
    }
  }
  for (; k < K; k++) {
    const c = cOff + k * P;
    for (let m = 0; m < M; m++) {
      const w = A[aOff + m * K + k]!;
      if (w === 0) continue;
      const b = bOff + m * P;
      for (let p = 0; p < P; p++) C[c + p] += w * B[b + p]!;
    }
  }
}
