/**
 * A batch dimension for models that were made batch-1 (simplification fixes every dim, and ESP-DL runs batch 1),
 * so a runtime can run a whole calibration batch in one call instead of one call per sample.
 *
 * A model can take a batch when every op that sees the batch axis treats its samples independently: axis 0 of
 * every value computed from the batch inputs must stay the sample axis. The rules below say, per ONNX op type,
 * when that holds (Conv, pooling and element-wise ops always; Concat, Softmax, Transpose, … unless they act on
 * axis 0; Reshape when its target keeps dim 0, written as 0 = "copy the input's dim"). Any op not known to be safe
 * on a batch-carrying value makes the whole model run per sample, as before. Only the graph inputs' first dim and
 * Reshape targets change, so per-sample results are the same numbers (the batch tests compare them bit for bit).
 */
import { onnxOpset, type Attribute, type Graph, type Model, type Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { topologicalSort } from '../ir/topo.js';

/** The symbolic name of the batch dim in the graph inputs. */
export const BATCH_DIM = 'batch';

/** Ops whose output is computed element by element from broadcast inputs. */
const ELEMENTWISE = new Set([
  'Abs', 'Acos', 'Acosh', 'Add', 'And', 'Asin', 'Asinh', 'Atan', 'Atanh', 'BitShift', 'Cast', 'Ceil', 'Celu', 'Clip',
  'Cos', 'Cosh', 'DequantizeLinear', 'Div', 'Dropout', 'Elu', 'Equal', 'Erf', 'Exp', 'Floor', 'Gelu', 'Greater',
  'GreaterOrEqual', 'HardSigmoid', 'HardSwish', 'Identity', 'IsInf', 'IsNaN', 'LeakyRelu', 'Less', 'LessOrEqual',
  'Log', 'Max', 'Mean', 'Min', 'Mod', 'Mul', 'Neg', 'Not', 'Or', 'Pow', 'PRelu', 'QuantizeLinear', 'Reciprocal',
  'Relu', 'Round', 'Selu', 'Shrink', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Softplus', 'Softsign', 'Sqrt', 'Sub', 'Sum',
  'Tan', 'Tanh', 'ThresholdedRelu', 'Where', 'Xor',
]);

/** Ops that work on each sample of axis 0 on its own whatever their attributes (output rank = input rank). */
const PER_SAMPLE = new Set([
  'AveragePool', 'BatchNormalization', 'Conv', 'ConvTranspose', 'DepthToSpace', 'GlobalAveragePool',
  'GlobalLpPool', 'GlobalMaxPool', 'InstanceNormalization', 'LpPool', 'LRN', 'SpaceToDepth',
]);

/** Ops with an `axis` attribute that must not be the batch axis (output rank = input rank). */
const AXIS_OPS = new Set(['Softmax', 'LogSoftmax', 'Hardmax', 'LpNormalization', 'LayerNormalization', 'RMSNormalization', 'CumSum']);

interface Ctx {
  g: Graph;
  opset: number;
  /** Rank of every value known so far. */
  rank: Map<string, number>;
  /** Values whose axis 0 is the sample axis. */
  carries: Set<string>;
  /** Initializers to add (rewritten Reshape targets). */
  added: Map<string, Tensor>;
}

function intAttr(n: Node, name: string, fallback: number): number {
  const a = n.attributes.get(name);
  return a?.type === 'int' ? a.value : fallback;
}

function intsAttr(n: Node, name: string): readonly number[] | undefined {
  const a = n.attributes.get(name);
  return a?.type === 'ints' ? a.value : undefined;
}

/** The integer values of a constant input, or undefined when it is not an initializer. */
function constInts(ctx: Ctx, name: string | undefined): number[] | undefined {
  if (!name) return undefined;
  const t = ctx.g.initializers.get(name);
  if (!t) return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

const normalize = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Axes of an op given as an attribute (older opsets) or as input `slot` (newer ones). */
function axesOf(ctx: Ctx, n: Node, slot: number): readonly number[] | undefined {
  return intsAttr(n, 'axes') ?? constInts(ctx, n.inputs[slot]);
}

/**
 * Output rank when `n` (reading at least one batch-carrying value) keeps axis 0 as the sample axis of its outputs;
 * undefined when it does not (or when it cannot be told). `n` may be rewritten (Reshape targets).
 */
function batchSafeRank(ctx: Ctx, n: Node): number | undefined {
  const ranks = n.inputs.map((i) => (i ? ctx.rank.get(i) : undefined));
  const carrying = n.inputs.map((i) => !!i && ctx.carries.has(i));
  const r0 = ranks[0];
  const onlyFirstCarries = carrying.every((c, i) => i === 0 ? c : !c);
  if (ELEMENTWISE.has(n.opType)) {
    if (ranks.some((r, i) => n.inputs[i] && r === undefined)) return undefined;
    const out = Math.max(...ranks.filter((r): r is number => r !== undefined));
    // The samples stay on axis 0 only if every batch-carrying input has the output's rank, and a same-rank
    // constant broadcasts along axis 0 (dim 1).
    for (let i = 0; i < n.inputs.length; i++) {
      if (!n.inputs[i]) continue;
      if (carrying[i] && ranks[i] !== out) return undefined;
      if (!carrying[i] && ranks[i] === out) {
        const t = ctx.g.initializers.get(n.inputs[i]!);
        if (!t || t.dims[0] !== 1) return undefined;
      }
    }
    // Per-axis (de)quantization along the sample axis would use one scale per sample.
    if ((n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear') && (ranks[1] ?? 0) > 0 && normalize(intAttr(n, 'axis', 1), out) === 0) return undefined;
    return out;
  }
  if (r0 === undefined || r0 < 1 || !carrying[0]) return undefined;
  if (PER_SAMPLE.has(n.opType)) return onlyFirstCarries ? r0 : undefined;
  if (AXIS_OPS.has(n.opType)) {
    // Softmax-like ops before opset 13 default to axis 1 (and flatten from it, which keeps samples apart).
    const softmaxLike = n.opType.endsWith('max');
    const axis = n.opType === 'CumSum' ? constInts(ctx, n.inputs[1])?.[0] : intAttr(n, 'axis', softmaxLike && ctx.opset < 13 ? 1 : -1);
    return onlyFirstCarries && axis !== undefined && normalize(axis, r0) > 0 ? r0 : undefined;
  }
  switch (n.opType) {
    case 'MaxPool':
      // Its optional indices output counts across the batch.
      return onlyFirstCarries && !n.outputs[1] ? r0 : undefined;
    case 'Flatten':
      return normalize(intAttr(n, 'axis', 1), r0) > 0 ? 2 : undefined;
    // A constant B is pre-packed, and onnxruntime multiplies any number of rows with the packed kernel; an
    // unpacked B has a separate one-row kernel on x86 (MlasSgemmKernelM1), whose sums round differently from the
    // many-row kernel, so a batch would not give the batch-1 numbers.
    case 'Gemm':
      return onlyFirstCarries && intAttr(n, 'transA', 0) === 0 && ctx.g.initializers.has(n.inputs[1] ?? '') ? 2 : undefined;
    case 'MatMul': {
      const r1 = ranks[1];
      if (r1 === undefined || r0 < 2 || !ctx.g.initializers.has(n.inputs[1] ?? '')) return undefined;
      return r1 <= 2 || r0 >= r1 ? Math.max(r0, r1) : undefined;
    }
    case 'Transpose': {
      const perm = intsAttr(n, 'perm');
      return perm && perm[0] === 0 ? r0 : undefined;
    }
    case 'Concat':
      return carrying.every(Boolean) && normalize(intAttr(n, 'axis', 0), r0) > 0 ? r0 : undefined;
    case 'Split': {
      if (!onlyFirstCarries || normalize(intAttr(n, 'axis', 0), r0) === 0) return undefined;
      return r0;
    }
    case 'Gather':
      return onlyFirstCarries && normalize(intAttr(n, 'axis', 0), r0) > 0 && ranks[1] !== undefined ? r0 - 1 + ranks[1] : undefined;
    case 'Slice': {
      if (!onlyFirstCarries) return undefined;
      if (ctx.opset < 10) return intsAttr(n, 'axes')?.every((a) => normalize(a, r0) > 0) ? r0 : undefined;
      const axes = constInts(ctx, n.inputs[3]);
      return axes?.every((a) => normalize(a, r0) > 0) ? r0 : undefined;
    }
    case 'Pad': {
      if (!onlyFirstCarries) return undefined;
      const pads = ctx.opset < 11 ? intsAttr(n, 'pads') : constInts(ctx, n.inputs[1]);
      if (n.inputs[3]) return undefined; // explicit axes (opset 18): not needed by our models
      return pads && pads.length === 2 * r0 && pads[0] === 0 && pads[r0] === 0 ? r0 : undefined;
    }
    case 'Resize':
    case 'Upsample': {
      if (!onlyFirstCarries || n.attributes.get('coordinate_transformation_mode')?.value === 'tf_crop_and_resize') return undefined;
      const scalesSlot = n.opType === 'Upsample' ? 1 : ctx.opset >= 11 ? 2 : 1;
      const sizes = n.opType === 'Resize' && ctx.opset >= 11 ? n.inputs[3] : undefined;
      if (sizes) return undefined;
      const scales = n.opType === 'Upsample' && ctx.opset < 9 ? n.attributes.get('scales')?.value as number[] | undefined : ctx.g.initializers.get(n.inputs[scalesSlot] ?? '');
      const first = Array.isArray(scales) ? scales[0] : scales ? Number((scales.data as ArrayLike<number>)[0]) : undefined;
      return first === 1 ? r0 : undefined;
    }
    case 'Squeeze':
    case 'Unsqueeze': {
      if (!onlyFirstCarries) return undefined;
      const axes = axesOf(ctx, n, 1);
      if (!axes) return undefined;
      const out = n.opType === 'Squeeze' ? r0 - axes.length : r0 + axes.length;
      const against = n.opType === 'Squeeze' ? r0 : out;
      return axes.every((a) => normalize(a, against) > 0) ? out : undefined;
    }
    case 'ReduceMax': case 'ReduceMin': case 'ReduceMean': case 'ReduceSum': case 'ReduceProd': case 'ReduceL1':
    case 'ReduceL2': case 'ReduceLogSum': case 'ReduceLogSumExp': case 'ReduceSumSquare': case 'ArgMax': case 'ArgMin': {
      if (!onlyFirstCarries) return undefined;
      const arg = n.opType.startsWith('Arg');
      const axes = arg ? [intAttr(n, 'axis', 0)] : axesOf(ctx, n, 1);
      if (!axes || axes.length === 0 || axes.some((a) => normalize(a, r0) === 0)) return undefined;
      return intAttr(n, 'keepdims', 1) === 1 ? r0 : r0 - axes.length;
    }
    case 'Tile': {
      const repeats = constInts(ctx, n.inputs[1]);
      return onlyFirstCarries && repeats?.[0] === 1 ? r0 : undefined;
    }
    case 'Reshape':
      return reshapeRank(ctx, n, onlyFirstCarries);
    default:
      return undefined;
  }
}

/**
 * A Reshape keeps the sample axis when its target's dim 0 is 0 ("copy") or 1 (the batch of the batch-1 model,
 * rewritten to 0). Its target must be a constant, and zeros must mean "copy" (allowzero 0).
 */
function reshapeRank(ctx: Ctx, n: Node, onlyFirstCarries: boolean): number | undefined {
  if (!onlyFirstCarries || intAttr(n, 'allowzero', 0) !== 0) return undefined;
  const shape = ctx.opset < 5 ? intsAttr(n, 'shape') : constInts(ctx, n.inputs[1]);
  if (!shape || shape.length === 0 || ctx.opset < 5) return undefined;
  if (shape[0] === 1) {
    const name = `${n.inputs[1]}::batch`;
    ctx.added.set(name, { dtype: 'int64', dims: [shape.length], data: BigInt64Array.from([0, ...shape.slice(1)], (v) => BigInt(v)) });
    n.inputs = [n.inputs[0]!, name];
  } else if (shape[0] !== 0) return undefined;
  return shape.length;
}

/** Rank of a value not computed from the batch inputs, when an op rule can tell it cheaply (else unknown). */
function constantRank(ctx: Ctx, n: Node): number | undefined {
  if (!ELEMENTWISE.has(n.opType)) return undefined;
  const ranks = n.inputs.filter(Boolean).map((i) => ctx.rank.get(i));
  return ranks.every((r): r is number => r !== undefined) ? Math.max(...ranks) : undefined;
}

/**
 * A copy of `model` whose batch inputs (graph inputs of rank ≥ 1 with a first dim of 1) take any number of
 * samples, or undefined when some op would mix samples or its rule cannot be checked. Graph outputs lose their
 * declared shapes (their first dim becomes the batch). Which outputs carry the batch is returned too: the others
 * (computed from constants only) are the same for every sample.
 */
export function withBatchDim(model: Model): { model: Model; batchInputs: string[]; carries: ReadonlySet<string> } | undefined {
  const src = model.graph;
  const batchInputs = src.inputs
    .filter((i) => !src.initializers.has(i.name) && i.shape && i.shape.length >= 1 && i.shape[0] === 1)
    .map((i) => i.name);
  if (batchInputs.length === 0) return undefined;
  const nodes = topologicalSort(src).map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] }));
  const g: Graph = { ...src, nodes };
  const ctx: Ctx = { g, opset: onnxOpset(model), rank: new Map(), carries: new Set(batchInputs), added: new Map() };
  for (const i of src.inputs) if (i.shape) ctx.rank.set(i.name, i.shape.length);
  for (const [name, t] of src.initializers) ctx.rank.set(name, t.dims.length);
  for (const n of nodes) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') return undefined;
    if (n.attributes.size > 0 && [...n.attributes.values()].some((a: Attribute) => a.type === 'graph')) return undefined;
    const reads = n.inputs.some((i) => i && ctx.carries.has(i));
    if (!reads) {
      const r = constantRank(ctx, n);
      if (r !== undefined) for (const o of n.outputs) if (o) ctx.rank.set(o, r);
      continue;
    }
    const r = batchSafeRank(ctx, n);
    if (r === undefined) return undefined;
    for (const o of n.outputs) {
      if (!o) continue;
      ctx.rank.set(o, r);
      ctx.carries.add(o);
    }
  }
  const initializers = ctx.added.size > 0 ? new Map([...src.initializers, ...ctx.added]) : src.initializers;
  const graph: Graph = {
    ...g,
    initializers,
    inputs: src.inputs.map((i) => (batchInputs.includes(i.name) ? { ...i, shape: [BATCH_DIM, ...i.shape!.slice(1)] } : i)),
    outputs: src.outputs.map((o) => ({ ...o, shape: undefined })),
    valueInfo: new Map(),
  };
  return { model: { ...model, graph }, batchInputs, carries: ctx.carries };
}
