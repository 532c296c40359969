/** Concat, Reshape, Flatten and Transpose, with gradients. */
import { InternalError } from '../../../errors.js';
import { numel } from '../../../ir/tensor.js';
import { Tape, type Var } from '../tape.js';

export function concat(tape: Tape, xs: readonly Var[], axis: number): Var {
  const r = xs[0]!.shape.length, ax = axis < 0 ? axis + r : axis;
  const outer = numel(xs[0]!.shape.slice(0, ax));
  const inners = xs.map((v) => numel(v.shape.slice(ax)));
  const total = inners.reduce((s, v) => s + v, 0);
  const out = tape.floats(outer * total);
  let off = 0;
  xs.forEach((v, k) => {
    for (let o = 0; o < outer; o++) out.set(v.data.subarray(o * inners[k]!, (o + 1) * inners[k]!), o * total + off);
    off += inners[k]!;
  });
  const shape = [...xs[0]!.shape];
  shape[ax] = xs.reduce((s, v) => s + v.shape[ax]!, 0);
  const y = tape.result(out, shape, xs);
  tape.record(y, (dy) => {
    let o0 = 0;
    xs.forEach((v, k) => {
      if (v.requiresGrad) {
        const g = tape.grad(v), n = inners[k]!;
        for (let o = 0; o < outer; o++) for (let i = 0; i < n; i++) g[o * n + i] += dy[o * total + o0 + i]!;
      }
      o0 += inners[k]!;
    });
  });
  return y;
}

/** Same data, new shape (ONNX Reshape semantics for 0 and −1 are resolved by `reshapeTarget`). */
export function reshape(tape: Tape, x: Var, shape: readonly number[]): Var {
  if (numel(shape) !== x.data.length) throw new InternalError(`Reshape: [${x.shape.join(',')}] → [${shape.join(',')}]`);
  const y = tape.result(x.data, shape, [x]);
  tape.record(y, (dy) => {
    const g = tape.grad(x);
    for (let i = 0; i < dy.length; i++) g[i] += dy[i]!;
  });
  return y;
}

/** ONNX Reshape target: 0 copies the input dim (unless allowzero), one −1 is inferred. */
export function reshapeTarget(inShape: readonly number[], spec: readonly number[], allowZero: boolean): number[] {
  const out = spec.map((d, i) => (d === 0 && !allowZero ? inShape[i]! : d));
  const known = out.filter((d) => d !== -1).reduce((s, d) => s * d, 1);
  return out.map((d) => (d === -1 ? numel(inShape) / known : d));
}

export function flattenShape(inShape: readonly number[], axis: number): number[] {
  const ax = axis < 0 ? axis + inShape.length : axis;
  return [numel(inShape.slice(0, ax)), numel(inShape.slice(ax))];
}

export function transpose(tape: Tape, x: Var, perm: readonly number[]): Var {
  const r = x.shape.length;
  const shape = perm.map((p) => x.shape[p]!);
  const inStrides = new Array<number>(r);
  let s = 1;
  for (let d = r - 1; d >= 0; d--) { inStrides[d] = s; s *= x.shape[d]!; }
  const n = x.data.length;
  const src = new Int32Array(n);
  const counter = new Array<number>(r).fill(0);
  for (let k = 0; k < n; k++) {
    let off = 0;
    for (let d = 0; d < r; d++) off += counter[d]! * inStrides[perm[d]!]!;
    src[k] = off;
    for (let d = r - 1; d >= 0; d--) { if (++counter[d]! < shape[d]!) break; counter[d] = 0; }
  }
  const out = tape.floats(n);
  for (let k = 0; k < n; k++) out[k] = x.data[src[k]!]!;
  const y = tape.result(out, shape, [x]);
  tape.record(y, (dy) => {
    const g = tape.grad(x);
    for (let k = 0; k < n; k++) g[src[k]!] += dy[k]!;
  });
  return y;
}
