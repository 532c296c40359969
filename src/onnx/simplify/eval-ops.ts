/**
 * A small evaluator for the ops that appear in constant / shape subgraphs (what onnxsim folds). Each op works on
 * whole tensors; data-movement ops keep the exact element type (int64 stays BigInt), arithmetic goes through
 * JS numbers (exact for shape arithmetic).
 */
import { attrInt, attrInts, type Node } from '../../ir/graph.js';
import { allocate, dataTypeFromCode, numel, type Tensor, type TensorData } from '../../ir/tensor.js';
import { axisOf, broadcastIndex, broadcastIndexWith, broadcastShape, isInteger, make, nums, strides } from '../../ir/tensor-math.js';

import type { Logger } from '../../log.js';

type Inputs = (Tensor | undefined)[];

/** Folded tensors larger than this (elements) are left as nodes, as onnxsim does, to keep files small. */
export const MAX_FOLDED_ELEMENTS = 1 << 24;
type Op = (n: Node, x: Inputs, opset: number) => Tensor[];

/** Ops this evaluator can fold (besides Shape, which fold.ts handles from known shapes). */
export const FOLDABLE_OPS: ReadonlySet<string> = new Set([
  'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Cast', 'Reshape', 'Add', 'Sub', 'Mul', 'Div', 'Slice', 'Transpose',
  'ConstantOfShape', 'Range', 'Identity', 'Equal', 'Where', 'Expand',
]);

/**
 * Ops the front end also folds (onnx/frontend/fold.ts): everything above plus comparisons, logic, min/max and
 * elementwise math that shape arithmetic uses. The simplify pass keeps FOLDABLE_OPS (what onnxsim folded in
 * ESP-PPQ's runs), so its output stays byte-identical.
 */
export const FRONTEND_FOLDABLE_OPS: ReadonlySet<string> = new Set([
  ...FOLDABLE_OPS, 'Not', 'And', 'Or', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'Min', 'Max', 'Neg', 'Abs',
  'Floor', 'Ceil', 'Sqrt', 'Reciprocal', 'Pow', 'Mod', 'Flatten', 'Tile', 'ReduceProd', 'ReduceSum', 'ReduceMin',
  'ReduceMax', 'Sign', 'Relu', 'Sigmoid', 'Split',
]);

/**
 * The sizes a Split cuts an axis of `length` into: its `split` attribute (opset < 13) or input, else equal parts
 * (ONNX: the last part is smaller when the length does not divide). Shape inference uses the same rule.
 */
export function splitSizes(n: Node, length: number, sizesInput: readonly number[] | undefined): number[] {
  if (n.attributes.has('split')) return [...attrInts(n, 'split', [])];
  if (sizesInput) return [...sizesInput];
  const count = n.outputs.length;
  const each = Math.ceil(length / count);
  return Array.from({ length: count }, (_, i) => Math.max(Math.min(each, length - each * i), 0));
}

/**
 * The folding rule both folding passes share: evaluates `n` when its op is in `foldable` and every named input is
 * a known constant; undefined (the node stays) otherwise, or when the evaluator cannot do this form of the op.
 */
export function tryFold(n: Node, inputs: Inputs, opset: number, foldable: ReadonlySet<string>, log: Logger): Tensor[] | undefined {
  if (!foldable.has(n.opType)) return undefined;
  if (n.inputs.some((name, k) => name && !inputs[k])) return undefined;
  // float16 bits and strings are not arithmetic-safe here; leave them to the runtime.
  if (inputs.some((t) => t && (t.dtype === 'float16' || t.dtype === 'string'))) return undefined;
  try {
    return evaluateNode(n, inputs, opset);
  } catch (err) {
    log.debug(`not folding ${n.opType} ${n.name}: ${(err as Error).message}`);
    return undefined;
  }
}

/** ONNX Shape of a tensor with known `dims`: the `start`/`end` attributes (opset 15+; absent before) clamped to the rank. */
export function shapeOf(n: Node, dims: readonly number[]): Tensor {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dims.length : v, 0), dims.length);
  const start = clamp(attrInt(n, 'start', 0));
  const end = clamp(attrInt(n, 'end', dims.length));
  const part = dims.slice(start, Math.max(start, end));
  return make('int64', [part.length], part);
}

/** Evaluates `node` on constant inputs ('' inputs are undefined). Throws if the op or its form is unsupported. */
export function evaluateNode(node: Node, inputs: Inputs, opset: number): Tensor[] {
  const op = OPS[node.opType];
  if (!op || (node.domain !== '' && node.domain !== 'ai.onnx')) throw new Error(`cannot fold ${node.opType}`);
  return op(node, inputs, opset);
}

function req(x: Inputs, i: number): Tensor {
  const t = x[i];
  if (!t) throw new Error(`input ${i} missing`);
  return t;
}

/** New tensor whose element k is `t.data[map[k]]`, same dtype. */
function pick(t: Tensor, map: ArrayLike<number>, dims: readonly number[]): Tensor {
  const out = allocate(t.dtype, map.length) as unknown as Record<number, unknown>;
  const src = t.data as unknown as ArrayLike<unknown>;
  for (let k = 0; k < map.length; k++) out[k] = src[map[k]!];
  return { dtype: t.dtype, dims: [...dims], data: out as unknown as TensorData };
}

const withDims = (t: Tensor, dims: readonly number[]): Tensor => ({ dtype: t.dtype, dims: [...dims], data: t.data });

/** The two inputs of a broadcasting binary op: the output dims and, per output element, each input's value index. */
function broadcastPair(x: Inputs) {
  const a = req(x, 0);
  const b = req(x, 1);
  const dims = broadcastShape(a.dims, b.dims);
  return { a, dims, ia: broadcastIndex(a.dims, dims), ib: broadcastIndex(b.dims, dims), va: nums(a), vb: nums(b) };
}

function binary(f: (a: number, b: number) => number, intF?: (a: number, b: number) => number): Op {
  return (n, x) => {
    const { a, dims, ia, ib, va, vb } = broadcastPair(x);
    const g = isInteger(a.dtype) && intF ? intF : f;
    const out = new Float64Array(ia.length);
    for (let k = 0; k < out.length; k++) out[k] = g(va[ia[k]!]!, vb[ib[k]!]!);
    if (a.dtype === 'float32') for (let k = 0; k < out.length; k++) out[k] = Math.fround(out[k]!);
    return [make(a.dtype, dims, out)];
  };
}

function axesOf(n: Node, x: Inputs, opset: number, fromInputSince: number): number[] | undefined {
  if (opset >= fromInputSince) return x[1] ? nums(x[1]) : undefined;
  const a = n.attributes.get('axes');
  return a ? [...attrInts(n, 'axes', [])] : undefined;
}

function compare(f: (a: number, b: number) => boolean): Op {
  return (_n, x) => {
    const { dims, ia, ib, va, vb } = broadcastPair(x);
    return [make('bool', dims, Array.from(ia, (i, k) => (f(va[i]!, vb[ib[k]!]!) ? 1 : 0)))];
  };
}

function unary(f: (a: number) => number): Op {
  return (_n, x) => {
    const t = req(x, 0);
    const v = nums(t).map(f);
    return [make(t.dtype, t.dims, t.dtype === 'float32' ? v.map(Math.fround) : v)];
  };
}

/** Reduce over `axes` (all when absent) with keepdims; numbers only (shape arithmetic). */
function reduceOp(init: number, f: (acc: number, v: number) => number): Op {
  return (n, x, opset) => {
    const t = req(x, 0);
    const given = n.opType === 'ReduceSum' || opset >= 18 ? (x[1] ? nums(x[1]) : undefined) : n.attributes.has('axes') ? [...attrInts(n, 'axes', [])] : undefined;
    const rank = t.dims.length;
    const axes = new Set((given && given.length > 0 ? given : t.dims.map((_, i) => i)).map((a) => axisOf(a, rank)));
    const keep = attrInt(n, 'keepdims', 1) === 1;
    const outDims = t.dims.map((d, i) => (axes.has(i) ? 1 : d));
    const out = new Float64Array(numel(outDims)).fill(init);
    const outStr = strides(outDims);
    const src = nums(t);
    const counter = new Array<number>(rank).fill(0);
    for (let k = 0; k < src.length; k++) {
      let o = 0;
      for (let d = 0; d < rank; d++) if (!axes.has(d)) o += counter[d]! * outStr[d]!;
      out[o] = f(out[o]!, src[k]!);
      for (let d = rank - 1; d >= 0; d--) {
        if (++counter[d]! < t.dims[d]!) break;
        counter[d] = 0;
      }
    }
    return [make(t.dtype, keep ? outDims : t.dims.filter((_, i) => !axes.has(i)), out)];
  };
}

const OPS: Readonly<Record<string, Op>> = {
  Not: (_n, x) => [make('bool', req(x, 0).dims, nums(req(x, 0)).map((v) => (v ? 0 : 1)))],
  And: compare((a, b) => !!a && !!b),
  Or: compare((a, b) => !!a || !!b),
  Greater: compare((a, b) => a > b),
  Less: compare((a, b) => a < b),
  GreaterOrEqual: compare((a, b) => a >= b),
  LessOrEqual: compare((a, b) => a <= b),
  Min: binary((a, b) => Math.min(a, b)),
  Max: binary((a, b) => Math.max(a, b)),
  Pow: binary((a, b) => a ** b),
  Mod: binary((a, b) => a - b * Math.floor(a / b), (a, b) => a - b * Math.floor(a / b)),
  Neg: unary((a) => -a),
  Abs: unary(Math.abs),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Sqrt: unary(Math.sqrt),
  Reciprocal: unary((a) => 1 / a),
  Sign: unary(Math.sign),
  Relu: unary((a) => Math.max(a, 0)),
  Sigmoid: unary((a) => 1 / (1 + Math.exp(-a))),
  Flatten: (n, x) => {
    const t = req(x, 0);
    const a = attrInt(n, 'axis', 1);
    const ax = a < 0 ? a + t.dims.length : a;
    return [withDims(t, [numel(t.dims.slice(0, ax)), numel(t.dims.slice(ax))])];
  },
  Tile: (_n, x) => {
    const t = req(x, 0);
    const reps = nums(req(x, 1));
    const dims = t.dims.map((d, i) => d * reps[i]!);
    const inStr = strides(t.dims);
    const map = new Int32Array(numel(dims));
    const counter = new Array<number>(dims.length).fill(0);
    for (let k = 0; k < map.length; k++) {
      let src = 0;
      for (let d = 0; d < dims.length; d++) src += (counter[d]! % t.dims[d]!) * inStr[d]!;
      map[k] = src;
      for (let d = dims.length - 1; d >= 0; d--) {
        if (++counter[d]! < dims[d]!) break;
        counter[d] = 0;
      }
    }
    return [pick(t, map, dims)];
  },
  ReduceProd: reduceOp(1, (a, v) => a * v),
  ReduceSum: reduceOp(0, (a, v) => a + v),
  ReduceMin: reduceOp(Infinity, Math.min),
  ReduceMax: reduceOp(-Infinity, Math.max),
  Identity: (_n, x) => [req(x, 0)],
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary((a, b) => a / b, (a, b) => Math.trunc(a / b)),
  Equal: compare((a, b) => a === b),
  Where: (_n, x) => {
    const c = req(x, 0);
    const a = req(x, 1);
    const b = req(x, 2);
    const dims = broadcastShape(c.dims, a.dims, b.dims);
    const ic = broadcastIndex(c.dims, dims);
    const ia = broadcastIndex(a.dims, dims);
    const ib = broadcastIndex(b.dims, dims);
    const cond = c.data as Uint8Array;
    const merged = { dtype: a.dtype, dims: [a.data.length + b.data.length], data: concatData([a, b]) };
    return [pick(merged, Array.from(ic, (ci, k) => (cond[ci] ? ia[k]! : a.data.length + ib[k]!)), dims)];
  },
  Cast: (n, x) => {
    const to = dataTypeFromCode(attrInt(n, 'to', 0));
    if (!to || to === 'string' || to === 'float16') throw new Error('unsupported Cast target');
    const t = req(x, 0);
    const v = nums(t);
    return [make(to, t.dims, to === 'float32' ? v.map(Math.fround) : v)];
  },
  Reshape: (n, x) => {
    const t = req(x, 0);
    const shape = nums(req(x, 1));
    const allowZero = attrInt(n, 'allowzero', 0) === 1;
    const dims = shape.map((d, i) => (d === 0 && !allowZero ? t.dims[i]! : d));
    const known = dims.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
    const out = dims.map((d) => (d === -1 ? numel(t.dims) / known : d));
    if (numel(out) !== numel(t.dims) || out.some((d) => !Number.isInteger(d))) throw new Error('bad Reshape');
    return [withDims(t, out)];
  },
  Unsqueeze: (n, x, opset) => {
    const t = req(x, 0);
    const axes = axesOf(n, x, opset, 13) ?? [];
    const rank = t.dims.length + axes.length;
    const norm = new Set(axes.map((a) => axisOf(a, rank)));
    const dims: number[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) dims.push(norm.has(i) ? 1 : t.dims[j++]!);
    return [withDims(t, dims)];
  },
  Squeeze: (n, x, opset) => {
    const t = req(x, 0);
    const axes = axesOf(n, x, opset, 13);
    const drop = new Set(axes ? axes.map((a) => axisOf(a, t.dims.length)) : t.dims.flatMap((d, i) => (d === 1 ? [i] : [])));
    return [withDims(t, t.dims.filter((_, i) => !drop.has(i)))];
  },
  Concat: (n, x) => {
    const parts = x.filter((t): t is Tensor => t !== undefined);
    const axis = axisOf(attrInt(n, 'axis', 0), parts[0]!.dims.length);
    const outer = numel(parts[0]!.dims.slice(0, axis));
    const dims = [...parts[0]!.dims];
    dims[axis] = parts.reduce((s, t) => s + t.dims[axis]!, 0);
    const merged = { dtype: parts[0]!.dtype, dims: [0], data: concatData(parts) };
    const map: number[] = [];
    for (let o = 0; o < outer; o++) {
      let base = 0;
      for (const t of parts) {
        const inner = numel(t.dims.slice(axis));
        for (let i = 0; i < inner; i++) map.push(base + o * inner + i);
        base += t.data.length;
      }
    }
    return [pick(merged, map, dims)];
  },
  Gather: (n, x) => {
    const t = req(x, 0);
    const axis = axisOf(attrInt(n, 'axis', 0), t.dims.length);
    const ind = req(x, 1);
    const idx = nums(ind).map((i) => (i < 0 ? i + t.dims[axis]! : i));
    const outer = numel(t.dims.slice(0, axis));
    const inner = numel(t.dims.slice(axis + 1));
    const map: number[] = [];
    for (let o = 0; o < outer; o++) for (const i of idx) for (let k = 0; k < inner; k++) map.push((o * t.dims[axis]! + i) * inner + k);
    return [pick(t, map, [...t.dims.slice(0, axis), ...ind.dims, ...t.dims.slice(axis + 1)])];
  },
  Transpose: (n, x) => {
    const t = req(x, 0);
    const rank = t.dims.length;
    const perm = attrInts(n, 'perm', [...Array(rank).keys()].reverse());
    const dims = perm.map((p) => t.dims[p]!);
    const inStr = strides(t.dims);
    const permStr = perm.map((p) => inStr[p]!);
    return [pick(t, broadcastIndexWith(dims, permStr), dims)];
  },
  Expand: (_n, x) => {
    const t = req(x, 0);
    const dims = broadcastShape(t.dims, nums(req(x, 1)));
    return [pick(t, broadcastIndex(t.dims, dims), dims)];
  },
  Slice: (n, x, opset) => sliceOp(n, x, opset),
  Split: (n, x) => {
    const t = req(x, 0);
    const axis = axisOf(attrInt(n, 'axis', 0), t.dims.length);
    const sizes = splitSizes(n, t.dims[axis]!, x[1] ? nums(x[1]) : undefined);
    const outer = numel(t.dims.slice(0, axis));
    const inner = numel(t.dims.slice(axis + 1));
    let start = 0;
    return sizes.map((size) => {
      const map: number[] = [];
      for (let o = 0; o < outer; o++) for (let i = start; i < start + size; i++) for (let k = 0; k < inner; k++) map.push((o * t.dims[axis]! + i) * inner + k);
      start += size;
      return pick(t, map, t.dims.map((d, i) => (i === axis ? size : d)));
    });
  },
  ConstantOfShape: (n, x) => {
    const dims = nums(req(x, 0));
    const v = n.attributes.get('value');
    const fill: Tensor = v && v.type === 'tensor' ? v.value : make('float32', [1], [0]);
    return [pick(fill, new Int32Array(numel(dims)), dims)];
  },
  Range: (_n, x) => {
    const [start, limit, delta] = [0, 1, 2].map((i) => nums(req(x, i))[0]!);
    const count = Math.max(Math.ceil((limit! - start!) / delta!), 0);
    return [make(req(x, 0).dtype, [count], Array.from({ length: count }, (_, i) => start! + i * delta!))];
  },
};

function concatData(parts: Tensor[]): TensorData {
  const total = parts.reduce((s, t) => s + t.data.length, 0);
  const out = allocate(parts[0]!.dtype, total) as unknown as Record<number, unknown>;
  let at = 0;
  for (const t of parts) {
    const src = t.data as unknown as ArrayLike<unknown>;
    for (let i = 0; i < src.length; i++) out[at++] = src[i];
  }
  return out as unknown as TensorData;
}

/** Flat source index for each output element, given the source stride of each output axis. */

function sliceOp(n: Node, x: Inputs, opset: number): Tensor[] {
  const t = req(x, 0);
  const rank = t.dims.length;
  let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
  if (opset >= 10) {
    starts = nums(req(x, 1));
    ends = nums(req(x, 2));
    axes = x[3] ? nums(x[3]) : undefined;
    steps = x[4] ? nums(x[4]) : undefined;
  } else {
    starts = [...attrInts(n, 'starts', [])];
    ends = [...attrInts(n, 'ends', [])];
    axes = n.attributes.has('axes') ? [...attrInts(n, 'axes', [])] : undefined;
  }
  const begin = new Array<number>(rank).fill(0);
  const step = new Array<number>(rank).fill(1);
  const dims = [...t.dims];
  starts.forEach((s0, i) => {
    const a = axisOf(axes ? axes[i]! : i, rank);
    const d = t.dims[a]!;
    const st = steps ? steps[i]! : 1;
    if (st === 0) throw new Error('Slice step 0');
    const clampS = (v: number) => (v < 0 ? v + d : v);
    let s = clampS(s0);
    let e = clampS(ends[i]!);
    if (st > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
      dims[a] = Math.max(0, Math.ceil((e - s) / st));
    } else {
      s = Math.min(Math.max(s, -1), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
      dims[a] = Math.max(0, Math.ceil((s - e) / -st));
    }
    begin[a] = s;
    step[a] = st;
  });
  const inStr = strides(t.dims);
  const offset = begin.reduce((o, b, i) => o + b * inStr[i]!, 0);
  const idx = broadcastIndexWith(dims, step.map((s, i) => s * inStr[i]!));
  for (let k = 0; k < idx.length; k++) idx[k] = idx[k]! + offset;
  return [pick(t, idx, dims)];
}
