/**
 * Static shape and element-type inference over the IR, without running the model: the front end needs the shape
 * of every intermediate value to fold `Shape` subgraphs, and `estimate` needs it to cost a model it never runs.
 * Rules follow the ONNX operator specs (onnx/docs/Operators.md) at the form the front end brings every model to
 * (opset 13–21, see opset.ts). Constant inputs (initializers) are read where a shape depends on a value
 * (Reshape, Expand, Tile, Slice, Pad, Resize, Squeeze/Unsqueeze/Reduce axes, Split sizes, TopK k, Range,
 * ConstantOfShape). A value whose shape cannot be known statically (NonZero, data-dependent Reshape) is left
 * out of the result, never guessed.
 */
import { attrInt, attrInts, attrString, type Graph, type Node } from '../../ir/graph.js';
import { dataTypeFromCode, numel, type DataType, type Tensor } from '../../ir/tensor.js';
import { topologicalSort } from '../../ir/topo.js';
import { nums } from '../../ir/tensor-math.js';
import { splitSizes } from '../simplify/eval-ops.js';

export interface StaticInfo {
  dtype: DataType;
  /** undefined: rank or a dim is not known statically. */
  dims: number[] | undefined;
}

type Get = (name: string | undefined) => StaticInfo | undefined;
type Const = (name: string | undefined) => Tensor | undefined;
interface Ctx { node: Node; get: Get; constant: Const; opset: number }
type Rule = (c: Ctx) => (StaticInfo | undefined)[];

const UNARY = [
  'Relu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'HardSigmoid', 'HardSwish', 'Softplus', 'Softsign',
  'Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Floor', 'Ceil', 'Round', 'Reciprocal', 'Erf', 'Sin', 'Cos', 'Tan', 'Asin',
  'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Sign', 'Identity', 'Softmax', 'LogSoftmax', 'Hardmax',
  'Gelu', 'Swish', 'Mish', 'ThresholdedRelu', 'Shrink', 'LpNormalization', 'InstanceNormalization', 'LRN',
  'MeanVarianceNormalization', 'LayerNormalization', 'RMSNormalization', 'GroupNormalization', 'Trilu', 'CumSum',
  'ReverseSequence', 'ScatterND', 'ScatterElements', 'Scatter', 'Clip', 'BatchNormalization', 'InsertZerosLike',
];
const BROADCAST = [
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Max', 'Min', 'Sum', 'Mean', 'PRelu', 'BitShift', 'BitwiseAnd',
  'BitwiseOr', 'BitwiseXor',
];
const COMPARE = ['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'Xor'];
const BOOL_UNARY = ['Not', 'IsNaN', 'IsInf'];
const REDUCE = [
  'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSum', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum',
  'ReduceLogSumExp', 'ReduceSumSquare',
];

const info = (dtype: DataType, dims: number[] | undefined): StaticInfo => ({ dtype, dims });
const axis = (a: number, rank: number): number => (a < 0 ? a + rank : a);
const inputDims = (c: Ctx, i: number): number[] | undefined => c.get(c.node.inputs[i])?.dims;
const dtypeOf = (c: Ctx, i: number, fallback: DataType = 'float32'): DataType => c.get(c.node.inputs[i])?.dtype ?? fallback;
const constNums = (c: Ctx, i: number): number[] | undefined => {
  const t = c.constant(c.node.inputs[i]);
  return t ? nums(t) : undefined;
};

/** Numpy broadcasting; undefined when a shape is unknown or they do not broadcast. */
export function broadcastDims(shapes: (number[] | undefined)[]): number[] | undefined {
  if (shapes.some((s) => !s)) return undefined;
  const all = shapes as number[][];
  const rank = Math.max(0, ...all.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of all) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) return undefined;
    }
  }
  return out;
}

/** Conv/pool output length per spatial dim (ONNX Conv / MaxPool spec, auto_pad included). */
function windowed(c: Ctx, x: number[], kernel: readonly number[], outChannels: number): number[] | undefined {
  const n = c.node;
  const spatial = x.length - 2;
  const strides = attrInts(n, 'strides', new Array<number>(spatial).fill(1));
  const dil = attrInts(n, 'dilations', new Array<number>(spatial).fill(1));
  const pads = attrInts(n, 'pads', new Array<number>(2 * spatial).fill(0));
  const autoPad = attrString(n, 'auto_pad', 'NOTSET');
  const ceil = attrInt(n, 'ceil_mode', 0) === 1;
  const out = x.slice(2).map((d, i) => {
    const k = (kernel[i]! - 1) * dil[i]! + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(d / strides[i]!);
    if (autoPad === 'VALID') return Math.ceil((d - k + 1) / strides[i]!);
    const span = d + pads[i]! + pads[i + spatial]! - k;
    let o = (ceil ? Math.ceil(span / strides[i]!) : Math.floor(span / strides[i]!)) + 1;
    // ceil_mode: the last window must start inside the padded input (PyTorch/ONNX rule).
    if (ceil && (o - 1) * strides[i]! >= d + pads[i]!) o--;
    return o;
  });
  return [x[0]!, outChannels, ...out];
}

function convTranspose(c: Ctx): number[] | undefined {
  const n = c.node;
  const x = inputDims(c, 0);
  const w = inputDims(c, 1);
  if (!x || !w) return undefined;
  const spatial = x.length - 2;
  const group = attrInt(n, 'group', 1);
  const kernel = attrInts(n, 'kernel_shape', w.slice(2));
  const strides = attrInts(n, 'strides', new Array<number>(spatial).fill(1));
  const dil = attrInts(n, 'dilations', new Array<number>(spatial).fill(1));
  const outPad = attrInts(n, 'output_padding', new Array<number>(spatial).fill(0));
  const explicit = n.attributes.has('output_shape') ? attrInts(n, 'output_shape', []) : undefined;
  const pads = attrInts(n, 'pads', new Array<number>(2 * spatial).fill(0));
  const autoPad = attrString(n, 'auto_pad', 'NOTSET');
  const out = x.slice(2).map((d, i) => {
    if (explicit) return explicit[explicit.length - spatial + i]!;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return d * strides[i]!;
    return strides[i]! * (d - 1) + outPad[i]! + (kernel[i]! - 1) * dil[i]! + 1 - pads[i]! - pads[i + spatial]!;
  });
  return [x[0]!, w[1]! * group, ...out];
}

function reshape(c: Ctx): number[] | undefined {
  const x = inputDims(c, 0);
  const shape = constNums(c, 1);
  if (!x || !shape) return undefined;
  const allowZero = attrInt(c.node, 'allowzero', 0) === 1;
  const dims = shape.map((d, i) => (d === 0 && !allowZero ? x[i]! : d));
  const known = dims.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const out = dims.map((d) => (d === -1 ? numel(x) / known : d));
  return out.every((d) => Number.isInteger(d) && d >= 0) && numel(out) === numel(x) ? out : undefined;
}

function axesFrom(c: Ctx, inputIndex: number): number[] | undefined {
  if (c.node.attributes.has('axes')) return [...attrInts(c.node, 'axes', [])];
  return c.node.inputs[inputIndex] ? constNums(c, inputIndex) : undefined;
}

function reduce(c: Ctx): number[] | undefined {
  const x = inputDims(c, 0);
  if (!x) return undefined;
  const keep = attrInt(c.node, 'keepdims', 1) === 1;
  const given = axesFrom(c, 1);
  // An axes input that is not constant: the output rank is unknown.
  if (!given && c.node.inputs[1] && !c.node.attributes.has('axes')) return undefined;
  const noop = attrInt(c.node, 'noop_with_empty_axes', 0) === 1;
  const axes = given && given.length > 0 ? given.map((a) => axis(a, x.length)) : noop ? [] : x.map((_, i) => i);
  if (noop && (!given || given.length === 0)) return x;
  return keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i));
}

function slice(c: Ctx): number[] | undefined {
  const x = inputDims(c, 0);
  const starts = constNums(c, 1);
  const ends = constNums(c, 2);
  if (!x || !starts || !ends) return undefined;
  const axes = c.node.inputs[3] ? constNums(c, 3) : starts.map((_, i) => i);
  const steps = c.node.inputs[4] ? constNums(c, 4) : starts.map(() => 1);
  if (!axes || !steps) return undefined;
  const out = [...x];
  starts.forEach((s0, i) => {
    const a = axis(axes[i]!, x.length);
    const d = x[a]!;
    const st = steps[i]!;
    const norm = (v: number) => (v < 0 ? v + d : v);
    if (st > 0) {
      const s = Math.min(Math.max(norm(s0), 0), d);
      const e = Math.min(Math.max(norm(ends[i]!), 0), d);
      out[a] = Math.max(0, Math.ceil((e - s) / st));
    } else {
      const s = Math.min(Math.max(norm(s0), -1), d - 1);
      const e = Math.min(Math.max(norm(ends[i]!), -1), d - 1);
      out[a] = Math.max(0, Math.ceil((s - e) / -st));
    }
  });
  return out;
}

function split(c: Ctx): (number[] | undefined)[] {
  const x = inputDims(c, 0);
  const count = c.node.outputs.length;
  if (!x) return new Array(count).fill(undefined);
  const a = axis(attrInt(c.node, 'axis', 0), x.length);
  const sizesInput = c.node.inputs[1] ? constNums(c, 1) : undefined;
  if (c.node.inputs[1] && !sizesInput && !c.node.attributes.has('split')) return new Array(count).fill(undefined);
  return splitSizes(c.node, x[a]!, sizesInput).map((p) => x.map((d, i) => (i === a ? p : d)));
}

function resize(c: Ctx): number[] | undefined {
  const x = inputDims(c, 0);
  if (!x) return undefined;
  const opsetUpsample = c.node.opType === 'Upsample';
  const sizes = !opsetUpsample && c.node.inputs[3] ? constNums(c, 3) : undefined;
  const scalesIndex = opsetUpsample ? 1 : 2;
  const scales = c.node.attributes.has('scales') ? [...attrInts(c.node, 'scales', [])] : c.node.inputs[scalesIndex] ? constNums(c, scalesIndex) : undefined;
  const axes = c.node.attributes.has('axes') ? attrInts(c.node, 'axes', []).map((a) => axis(a, x.length)) : x.map((_, i) => i);
  if (sizes && sizes.length > 0) {
    const out = [...x];
    axes.forEach((a, i) => { out[a] = sizes[i]!; });
    return out;
  }
  if (!scales || scales.length === 0) return undefined;
  const out = [...x];
  axes.forEach((a, i) => { out[a] = Math.floor(x[a]! * Math.fround(scales[i]!)); });
  return out;
}

function gather(c: Ctx): number[] | undefined {
  const x = inputDims(c, 0);
  const idx = inputDims(c, 1);
  if (!x || !idx) return undefined;
  const a = axis(attrInt(c.node, 'axis', 0), x.length);
  return [...x.slice(0, a), ...idx, ...x.slice(a + 1)];
}

function matmul(a: number[] | undefined, b: number[] | undefined): number[] | undefined {
  if (!a || !b) return undefined;
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcastDims([a2.slice(0, -2), b2.slice(0, -2)]);
  if (!batch) return undefined;
  const out = [...batch, a2[a2.length - 2]!, b2[b2.length - 1]!];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.splice(out.length - 1, 1);
  return out;
}

function rnn(c: Ctx): (number[] | undefined)[] {
  const x = inputDims(c, 0);
  const hidden = attrInt(c.node, 'hidden_size', 0);
  const dirs = attrString(c.node, 'direction', 'forward') === 'bidirectional' ? 2 : 1;
  if (!x || x.length !== 3) return c.node.outputs.map(() => undefined);
  const batchFirst = attrInt(c.node, 'layout', 0) === 1;
  const [seq, batch] = batchFirst ? [x[1]!, x[0]!] : [x[0]!, x[1]!];
  const y = batchFirst ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden];
  const state = batchFirst ? [batch, dirs, hidden] : [dirs, batch, hidden];
  return [y, state, state];
}

function dtypeFromAttr(c: Ctx, name: string, fallback: DataType): DataType {
  const a = c.node.attributes.get(name);
  return a?.type === 'int' ? dataTypeFromCode(a.value) ?? fallback : fallback;
}

const same = (c: Ctx): (StaticInfo | undefined)[] => [info(dtypeOf(c, 0), inputDims(c, 0))];

const RULES: Record<string, Rule> = {
  ...Object.fromEntries(UNARY.map((op) => [op, same])),
  ...Object.fromEntries(BROADCAST.map((op) => [op, (c: Ctx) => [info(dtypeOf(c, 0), broadcastDims(c.node.inputs.map((i) => c.get(i)?.dims)))]])),
  ...Object.fromEntries(COMPARE.map((op) => [op, (c: Ctx) => [info('bool', broadcastDims(c.node.inputs.map((i) => c.get(i)?.dims)))]])),
  ...Object.fromEntries(BOOL_UNARY.map((op) => [op, (c: Ctx) => [info('bool', inputDims(c, 0))]])),
  ...Object.fromEntries(REDUCE.map((op) => [op, (c: Ctx) => [info(dtypeOf(c, 0), reduce(c))]])),
  Dropout: (c) => [info(dtypeOf(c, 0), inputDims(c, 0)), info('bool', inputDims(c, 0))],
  Cast: (c) => [info(dtypeFromAttr(c, 'to', 'float32'), inputDims(c, 0))],
  CastLike: (c) => [info(dtypeOf(c, 1), inputDims(c, 0))],
  Where: (c) => [info(dtypeOf(c, 1), broadcastDims(c.node.inputs.map((i) => c.get(i)?.dims)))],
  QuantizeLinear: (c) => [info(c.node.inputs[2] ? dtypeOf(c, 2, 'uint8') : 'uint8', inputDims(c, 0))],
  DequantizeLinear: (c) => [info('float32', inputDims(c, 0))],
  Conv: (c) => {
    const x = inputDims(c, 0);
    const w = inputDims(c, 1);
    return [info(dtypeOf(c, 0), x && w ? windowed(c, x, attrInts(c.node, 'kernel_shape', w.slice(2)), w[0]!) : undefined)];
  },
  ConvTranspose: (c) => [info(dtypeOf(c, 0), convTranspose(c))],
  MaxPool: (c) => {
    const x = inputDims(c, 0);
    const dims = x ? windowed(c, x, attrInts(c.node, 'kernel_shape', []), x[1]!) : undefined;
    return [info(dtypeOf(c, 0), dims), info('int64', dims)];
  },
  AveragePool: (c) => {
    const x = inputDims(c, 0);
    return [info(dtypeOf(c, 0), x ? windowed(c, x, attrInts(c.node, 'kernel_shape', []), x[1]!) : undefined)];
  },
  LpPool: (c) => RULES.AveragePool!(c),
  GlobalAveragePool: (c) => [info(dtypeOf(c, 0), inputDims(c, 0)?.map((d, i) => (i < 2 ? d : 1)))],
  GlobalMaxPool: (c) => RULES.GlobalAveragePool!(c),
  GlobalLpPool: (c) => RULES.GlobalAveragePool!(c),
  Gemm: (c) => {
    const a = inputDims(c, 0);
    const b = inputDims(c, 1);
    if (!a || !b) return [info(dtypeOf(c, 0), undefined)];
    const m = attrInt(c.node, 'transA', 0) ? a[1]! : a[0]!;
    const n = attrInt(c.node, 'transB', 0) ? b[0]! : b[1]!;
    return [info(dtypeOf(c, 0), [m, n])];
  },
  MatMul: (c) => [info(dtypeOf(c, 0), matmul(inputDims(c, 0), inputDims(c, 1)))],
  Reshape: (c) => [info(dtypeOf(c, 0), reshape(c))],
  Flatten: (c) => {
    const x = inputDims(c, 0);
    if (!x) return [info(dtypeOf(c, 0), undefined)];
    const a = axis(attrInt(c.node, 'axis', 1), x.length);
    return [info(dtypeOf(c, 0), [numel(x.slice(0, a)), numel(x.slice(a))])];
  },
  Transpose: (c) => {
    const x = inputDims(c, 0);
    const perm = x ? attrInts(c.node, 'perm', x.map((_, i) => x.length - 1 - i)) : [];
    return [info(dtypeOf(c, 0), x ? perm.map((p) => x[p]!) : undefined)];
  },
  Squeeze: (c) => {
    const x = inputDims(c, 0);
    const axes = axesFrom(c, 1);
    if (!x) return [info(dtypeOf(c, 0), undefined)];
    if (!axes && c.node.inputs[1]) return [info(dtypeOf(c, 0), undefined)];
    const drop = axes ? axes.map((a) => axis(a, x.length)) : x.flatMap((d, i) => (d === 1 ? [i] : []));
    return [info(dtypeOf(c, 0), x.filter((_, i) => !drop.includes(i)))];
  },
  Unsqueeze: (c) => {
    const x = inputDims(c, 0);
    const axes = axesFrom(c, 1);
    if (!x || !axes) return [info(dtypeOf(c, 0), undefined)];
    const rank = x.length + axes.length;
    const at = axes.map((a) => axis(a, rank));
    const out: number[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) out.push(at.includes(i) ? 1 : x[j++]!);
    return [info(dtypeOf(c, 0), out)];
  },
  Concat: (c) => {
    const shapes = c.node.inputs.filter(Boolean).map((i) => c.get(i)?.dims);
    if (shapes.some((s) => !s) || shapes.length === 0) return [info(dtypeOf(c, 0), undefined)];
    const first = shapes[0]!;
    const a = axis(attrInt(c.node, 'axis', 0), first.length);
    return [info(dtypeOf(c, 0), first.map((d, i) => (i === a ? shapes.reduce((s, x) => s + x![a]!, 0) : d)))];
  },
  Split: (c) => split(c).map((d) => info(dtypeOf(c, 0), d)),
  Slice: (c) => [info(dtypeOf(c, 0), slice(c))],
  Gather: (c) => [info(dtypeOf(c, 0), gather(c))],
  GatherElements: (c) => [info(dtypeOf(c, 0), inputDims(c, 1))],
  Expand: (c) => {
    const shape = constNums(c, 1);
    return [info(dtypeOf(c, 0), shape ? broadcastDims([inputDims(c, 0), shape]) : undefined)];
  },
  Tile: (c) => {
    const x = inputDims(c, 0);
    const reps = constNums(c, 1);
    return [info(dtypeOf(c, 0), x && reps ? x.map((d, i) => d * reps[i]!) : undefined)];
  },
  Pad: (c) => {
    const x = inputDims(c, 0);
    const pads = c.node.attributes.has('pads') ? [...attrInts(c.node, 'pads', [])] : constNums(c, 1);
    if (!x || !pads) return [info(dtypeOf(c, 0), undefined)];
    const axes = c.node.inputs[3] ? constNums(c, 3)?.map((a) => axis(a, x.length)) : x.map((_, i) => i);
    if (!axes) return [info(dtypeOf(c, 0), undefined)];
    const out = [...x];
    axes.forEach((a, i) => { out[a] = x[a]! + pads[i]! + pads[i + axes.length]!; });
    return [info(dtypeOf(c, 0), out)];
  },
  Resize: (c) => [info(dtypeOf(c, 0), resize(c))],
  Upsample: (c) => [info(dtypeOf(c, 0), resize(c))],
  DepthToSpace: (c) => {
    const x = inputDims(c, 0);
    const b = attrInt(c.node, 'blocksize', 1);
    return [info(dtypeOf(c, 0), x ? [x[0]!, x[1]! / (b * b), x[2]! * b, x[3]! * b] : undefined)];
  },
  SpaceToDepth: (c) => {
    const x = inputDims(c, 0);
    const b = attrInt(c.node, 'blocksize', 1);
    return [info(dtypeOf(c, 0), x ? [x[0]!, x[1]! * b * b, x[2]! / b, x[3]! / b] : undefined)];
  },
  Shape: (c) => {
    const x = inputDims(c, 0);
    if (!x) return [info('int64', undefined)];
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + x.length : v, 0), x.length);
    const start = clamp(attrInt(c.node, 'start', 0));
    const end = clamp(attrInt(c.node, 'end', x.length));
    return [info('int64', [Math.max(0, end - start)])];
  },
  Size: () => [info('int64', [])],
  ConstantOfShape: (c) => {
    const v = c.node.attributes.get('value');
    return [info(v?.type === 'tensor' ? v.value.dtype : 'float32', constNums(c, 0))];
  },
  Constant: (c) => {
    const v = c.node.attributes.get('value');
    if (v?.type === 'tensor') return [info(v.value.dtype, [...v.value.dims])];
    for (const [k, a] of c.node.attributes) {
      if (k === 'value_float') return [info('float32', [])];
      if (k === 'value_int') return [info('int64', [])];
      if (k === 'value_floats' && a.type === 'floats') return [info('float32', [a.value.length])];
      if (k === 'value_ints' && a.type === 'ints') return [info('int64', [a.value.length])];
    }
    return [undefined];
  },
  Range: (c) => {
    const [s, l, d] = [0, 1, 2].map((i) => constNums(c, i)?.[0]);
    const count = s !== undefined && l !== undefined && d !== undefined ? Math.max(Math.ceil((l - s) / d), 0) : undefined;
    return [info(dtypeOf(c, 0), count === undefined ? undefined : [count])];
  },
  ArgMax: (c) => {
    const x = inputDims(c, 0);
    if (!x) return [info('int64', undefined)];
    const a = axis(attrInt(c.node, 'axis', 0), x.length);
    const keep = attrInt(c.node, 'keepdims', 1) === 1;
    return [info('int64', keep ? x.map((d, i) => (i === a ? 1 : d)) : x.filter((_, i) => i !== a))];
  },
  ArgMin: (c) => RULES.ArgMax!(c),
  TopK: (c) => {
    const x = inputDims(c, 0);
    const k = c.node.attributes.has('k') ? attrInt(c.node, 'k', 0) : constNums(c, 1)?.[0];
    if (!x || k === undefined) return [info(dtypeOf(c, 0), undefined), info('int64', undefined)];
    const a = axis(attrInt(c.node, 'axis', -1), x.length);
    const out = x.map((d, i) => (i === a ? k : d));
    return [info(dtypeOf(c, 0), out), info('int64', out)];
  },
  OneHot: (c) => {
    const idx = inputDims(c, 0);
    const depth = constNums(c, 1)?.[0];
    if (!idx || depth === undefined) return [info(dtypeOf(c, 2), undefined)];
    const a = axis(attrInt(c.node, 'axis', -1), idx.length + 1);
    const out = [...idx];
    out.splice(a, 0, depth);
    return [info(dtypeOf(c, 2), out)];
  },
  EyeLike: (c) => [info(dtypeFromAttr(c, 'dtype', dtypeOf(c, 0)), inputDims(c, 0))],
  GRU: rnnRule,
  LSTM: rnnRule,
  RNN: rnnRule,
  NonZero: () => [info('int64', undefined)],
  InsertZeros: (c) => {
    const x = inputDims(c, 0);
    const stride = attrInts(c.node, 'stride', []);
    const outPad = attrInts(c.node, 'output_padding', stride.map(() => 0));
    return [info(dtypeOf(c, 0), x ? [x[0]!, x[1]!, ...x.slice(2).map((d, i) => (d - 1) * stride[i]! + 1 + (outPad[i] ?? 0))] : undefined)];
  },
  ImageScaler: same,
};

function rnnRule(c: Ctx): (StaticInfo | undefined)[] {
  return rnn(c).map((d) => info(dtypeOf(c, 0), d));
}

/** Op types inferShapes has a rule for (others leave their outputs unknown). */
export function hasShapeRule(opType: string): boolean {
  return opType in RULES;
}

/** The output infos of one node, given what is known about its inputs. */
export function inferNode(node: Node, get: Get, constant: Const, opset: number): (StaticInfo | undefined)[] {
  const rule = node.domain === '' || node.domain === 'ai.onnx' ? RULES[node.opType] : undefined;
  if (!rule) return node.outputs.map(() => undefined);
  try {
    return rule({ node, get, constant, opset });
  } catch {
    // A malformed node (missing attribute, bad axis): leave its outputs unknown; the runtime will name it.
    return node.outputs.map(() => undefined);
  }
}

/**
 * Shapes and element types of every value it can work out: graph inputs (their declared static shapes),
 * initializers, then every node in topological order.
 */
export function inferShapes(g: Graph, opset: number): Map<string, StaticInfo> {
  const known = new Map<string, StaticInfo>();
  for (const v of g.inputs) {
    const dims = v.shape?.every((d): d is number => typeof d === 'number' && d >= 0) ? (v.shape as number[]) : undefined;
    known.set(v.name, info(v.dtype, dims ? [...dims] : undefined));
  }
  for (const [name, t] of g.initializers) known.set(name, info(t.dtype, [...t.dims]));
  const get: Get = (name) => (name ? known.get(name) : undefined);
  const constant: Const = (name) => (name ? g.initializers.get(name) : undefined);
  for (const n of topologicalSort(g)) {
    const out = inferNode(n, get, constant, opset);
    n.outputs.forEach((o, i) => {
      const v = out[i];
      if (o && v && !known.has(o)) known.set(o, v);
    });
  }
  return known;
}

