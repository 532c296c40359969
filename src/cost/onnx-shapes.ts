/**
 * Just enough ONNX shape propagation for the latency estimate: known shapes (inputs, value_info,
 * initializers) plus rules for the common CNN operators. Values it cannot work out stay unknown and the
 * estimate reports those nodes as uncosted instead of guessing.
 */
import type { Dim, Graph, Node } from '../ir/graph.js';
import { topologicalSort } from '../ir/topo.js';
import { toNumbers } from '../ir/tensor.js';

type Shape = readonly Dim[];

const UNARY = new Set([
  'Relu', 'Clip', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'PRelu', 'Elu', 'Swish', 'Gelu',
  'BatchNormalization', 'QuantizeLinear', 'DequantizeLinear', 'RequantizeLinear', 'Identity', 'Softmax', 'LogSoftmax',
  'Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Erf', 'Cast', 'LayerNormalization', 'Dropout',
]);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Equal', 'Greater', 'Less', 'Where']);

/** Shapes of every value it can determine (name → dims). */
export function propagateShapes(g: Graph): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  // Declared shapes with symbolic dims are left to propagation (which starts from batch 1 below).
  for (const v of [...g.valueInfo.values(), ...g.outputs]) if (v.shape?.every((d) => typeof d === 'number')) shapes.set(v.name, v.shape);
  // ESP-DL runs batch 1: a symbolic batch dimension of a graph input is taken as 1.
  for (const v of g.inputs) if (v.shape) shapes.set(v.name, v.shape.map((d, i) => (i === 0 && typeof d !== 'number' ? 1 : d)));
  for (const [name, t] of g.initializers) shapes.set(name, t.dims);
  for (const n of topologicalSort(g)) {
    if (n.outputs[0] === undefined || shapes.has(n.outputs[0])) continue;
    const out = inferNode(n, (v) => shapes.get(v), g);
    if (out) shapes.set(n.outputs[0], out);
  }
  return shapes;
}

const ints = (n: Node, k: string): readonly number[] | undefined => {
  const a = n.attributes.get(k);
  return a?.type === 'ints' ? a.value : undefined;
};
const int = (n: Node, k: string, d: number): number => {
  const a = n.attributes.get(k);
  return a?.type === 'int' ? a.value : d;
};

function inferNode(n: Node, get: (v: string) => Shape | undefined, g: Graph): Shape | undefined {
  const x = get(n.inputs[0]);
  if (UNARY.has(n.opType)) return x;
  if (BINARY.has(n.opType)) return broadcast(n.inputs.map(get));
  switch (n.opType) {
    case 'Conv': case 'MaxPool': case 'AveragePool': return windowed(n, x, get(n.inputs[1]));
    case 'GlobalAveragePool': case 'GlobalMaxPool': return x ? [...x.slice(0, 2), ...x.slice(2).map(() => 1)] : undefined;
    case 'Flatten': return flatten(x, int(n, 'axis', 1));
    case 'Gemm': return gemm(n, x, get(n.inputs[1]));
    case 'MatMul': return matmul(x, get(n.inputs[1]));
    case 'Concat': return concat(n.inputs.map(get), int(n, 'axis', 0));
    case 'Transpose': return x ? (ints(n, 'perm') ?? x.map((_, i) => x.length - 1 - i)).map((p) => x[p]) : undefined;
    case 'Reshape': return reshape(x, g.initializers.get(n.inputs[1]));
    default: return undefined;
  }
}

function broadcast(shapes: (Shape | undefined)[]): Shape | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(...shapes.map((s) => (s as Shape).length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const dims = shapes.map((s) => (s as Shape)[(s as Shape).length - rank + i] ?? 1);
    out.push(dims.find((d) => d !== 1) ?? 1);
  }
  return out;
}

/** Conv / pooling output: floor((in + pads − dilation·(k−1) − 1) / stride) + 1 per spatial dim. */
function windowed(n: Node, x: Shape | undefined, w: Shape | undefined): Shape | undefined {
  if (!x || x.length < 3) return undefined;
  const spatial = x.length - 2;
  const k = ints(n, 'kernel_shape') ?? w?.slice(2);
  if (!k || k.some((d) => typeof d !== 'number')) return undefined;
  const strides = ints(n, 'strides') ?? Array(spatial).fill(1);
  const dil = ints(n, 'dilations') ?? Array(spatial).fill(1);
  const pads = ints(n, 'pads') ?? Array(spatial * 2).fill(0);
  const autoPad = n.attributes.get('auto_pad');
  const same = autoPad?.type === 'string' && autoPad.value.startsWith('SAME');
  const dims: Dim[] = x.slice(2).map((d, i) => {
    if (typeof d !== 'number') return null;
    if (same) return Math.ceil(d / strides[i]);
    return Math.floor((d + pads[i] + pads[i + spatial] - dil[i] * ((k[i] as number) - 1) - 1) / strides[i]) + 1;
  });
  const channels = n.opType === 'Conv' ? (w?.[0] ?? null) : x[1];
  return [x[0], channels, ...dims];
}

function flatten(x: Shape | undefined, axis: number): Shape | undefined {
  if (!x || x.some((d) => typeof d !== 'number')) return undefined;
  const a = axis < 0 ? axis + x.length : axis;
  const prod = (s: readonly Dim[]): number => s.reduce<number>((p, d) => p * (d as number), 1);
  return [prod(x.slice(0, a)), prod(x.slice(a))];
}

function gemm(n: Node, a: Shape | undefined, b: Shape | undefined): Shape | undefined {
  if (!a || !b || a.length !== 2 || b.length !== 2) return undefined;
  const m = int(n, 'transA', 0) ? a[1] : a[0];
  const nn = int(n, 'transB', 0) ? b[0] : b[1];
  return [m, nn];
}

function matmul(a: Shape | undefined, b: Shape | undefined): Shape | undefined {
  if (!a || !b || a.length < 2 || b.length < 2) return undefined;
  const batch = broadcast([a.slice(0, -2), b.slice(0, -2)]) ?? [];
  return [...batch, a[a.length - 2], b[b.length - 1]];
}

function concat(shapes: (Shape | undefined)[], axis: number): Shape | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const first = shapes[0] as Shape;
  const a = axis < 0 ? axis + first.length : axis;
  let sum = 0;
  for (const s of shapes as Shape[]) {
    if (typeof s[a] !== 'number') return undefined;
    sum += s[a] as number;
  }
  return first.map((d, i) => (i === a ? sum : d));
}

function reshape(x: Shape | undefined, target: Parameters<typeof toNumbers>[0] | undefined): Shape | undefined {
  if (!x || !target || x.some((d) => typeof d !== 'number')) return undefined;
  const total = x.reduce<number>((p, d) => p * (d as number), 1);
  const want = toNumbers(target).map((d, i) => (d === 0 ? (x[i] as number) : d));
  const known = want.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  return want.map((d) => (d === -1 ? total / known : d));
}
