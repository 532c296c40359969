/** Numpy/ONNX multidirectional broadcasting helpers. */
import { sizeOf } from '../tape.js';

/** The broadcast shape of two shapes (right-aligned; 1 stretches). Throws on a mismatch. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1, y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`cannot broadcast [${a.join(',')}] with [${b.join(',')}]`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** For every element of `outShape` (row-major), the flat index of the element of `inShape` it reads. */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = sizeOf(outShape), r = outShape.length;
  const idx = new Int32Array(n);
  const strides = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    const o = r - inShape.length + i;
    strides[o] = inShape[i] === 1 ? 0 : s;
    s *= inShape[i]!;
  }
  const counter = new Array<number>(r).fill(0);
  let cur = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = cur;
    for (let d = r - 1; d >= 0; d--) {
      counter[d]++;
      cur += strides[d]!;
      if (counter[d]! < outShape[d]!) break;
      cur -= strides[d]! * outShape[d]!;
      counter[d] = 0;
    }
  }
  return idx;
}
