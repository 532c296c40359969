/**
 * The work of a model as ESP-DL's kernels see it, the input of the latency model (latency-model.ts): per
 * operator its cost class, the kernel calls and SIMD multiply-accumulate instructions of convolutions (channels
 * padded to the vector width, unaligned kernels marked), the filter bytes each call re-reads, and the activation
 * bytes it reads and writes. Built from an `.espdl` model (activations NHWC, shapes in value_info, widths from
 * each node's quant_type) or from an ONNX graph (NCHW; shapes from value_info or propagated by onnx-shapes.ts).
 *
 * Facts from ESP-DL v3.3.9 this relies on (dl/base/dl_base_conv2d.cpp, dl_base_depthwise_conv2d.cpp, dl_base.hpp):
 * - a convolution runs one kernel call per output pixel, each call producing all output channels and reading
 *   the whole filter;
 * - the SIMD kernels need input and output channels divisible by the lane count (16 for int8, 8 for int16 on
 *   S3/P4); otherwise the `_unaligned` variants run, on channels padded to the lane count;
 * - on ESP32-P4 an aligned int8 convolution fused with LeakyReLU or PReLU has no SIMD kernel and falls back to C.
 */
import type { Graph } from '../ir/graph.js';
import type { EspdlModelView } from '../espdl/model-view.js';
import { opInfo } from '../ops/registry.js';
import type { OpWork } from '../quant/training/estimate.js';
import { elementOpClass, isConvLike, type OpClass } from './op-class.js';
import { propagateShapes } from './onnx-shapes.js';

/** Where a tensor lives on the device. */
export type MemoryLocation = 'internal' | 'psram' | 'flash';

export interface ConvWork {
  /** Kernel calls: output pixels. */
  readonly calls: number;
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly cin: number;
  readonly cout: number;
  readonly depthwise: boolean;
  /** Bytes of the filter every call reads (weights, or the B operand of a MatMul). */
  readonly filterBytes: number;
  /** The filter is an activation (MatMul with two variable operands), not a parameter. */
  readonly filterIsActivation: boolean;
  /** Fused activation (ESP-DL's `activation` attribute: Linear, Relu, LeakyRelu, PRelu). */
  readonly activation: string;
}

export interface CostOp {
  readonly name: string;
  readonly opType: string;
  readonly cls: OpClass;
  /** The op type is not one the model knows: costed as a scalar op and reported. */
  readonly unknown: boolean;
  /** Activation width: 8, 16, or 32 (float). */
  readonly bits: number;
  /** Multiply-accumulates as a user counts them (no padding); 0 for non-convolutions. */
  readonly macs: number;
  /** Present for Conv, Gemm and MatMul. */
  readonly conv?: ConvWork;
  /** Elements written (all outputs). */
  readonly outElements: number;
  /** Activation bytes read (variable inputs) and written. */
  readonly inBytes: number;
  readonly outBytes: number;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface CostGraph {
  readonly ops: CostOp[];
  /** Bytes of parameters (weights, biases, LUTs, other constants). */
  readonly paramBytes: number;
  /** Bytes of every activation tensor by name (graph inputs included), for the memory plan. */
  readonly tensorBytes: ReadonlyMap<string, number>;
  readonly graphInputs: readonly string[];
  readonly graphOutputs: readonly string[];
  /** Nodes whose shapes were unknown: not costed (reported so the user knows the estimate is partial). */
  readonly uncosted: string[];
}

type Dims = readonly (number | string | null)[];

const numel = (dims: Dims | undefined): number | undefined => {
  if (!dims) return undefined;
  let n = 1;
  for (const d of dims) {
    if (typeof d !== 'number' || d < 0) return undefined;
    n *= d;
  }
  return n;
};

/** One node, normalised over the two sources. */
interface SourceNode {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly bits: number;
  readonly group: number;
  readonly strides: readonly number[];
  readonly activation: string;
}

interface Source {
  readonly nodes: readonly SourceNode[];
  shape(value: string): Dims | undefined;
  isConst(value: string): boolean;
  /** Bytes of a constant as stored on the device. */
  constBytes(value: string): number;
  /** Bytes per element of an activation when the model says (an int8 Softmax writes float32); else from bits. */
  elementBytes(value: string): number | undefined;
  /** Channel axis of activations: -1 (NHWC, .espdl) or 1 (NCHW, ONNX). */
  readonly channelAxis: 1 | -1;
  /** Spatial kernel of a Conv from its weight (HWCN in .espdl, NCHW in ONNX). */
  kernelOf(node: SourceNode): readonly number[] | undefined;
  readonly paramBytes: number;
  readonly graphInputs: readonly string[];
  readonly graphOutputs: readonly string[];
}

const channelOf = (dims: Dims | undefined, axis: 1 | -1): number | undefined => {
  if (!dims || dims.length === 0) return undefined;
  const c = axis === 1 ? dims[1] : dims[dims.length - 1];
  return typeof c === 'number' ? c : undefined;
};

function convWork(src: Source, n: SourceNode): { work: ConvWork; macs: number } | undefined {
  const x = src.shape(n.inputs[0]);
  const y = src.shape(n.outputs[0]);
  const outN = numel(y);
  if (n.opType === 'Conv') {
    const cin = channelOf(x, src.channelAxis);
    const cout = channelOf(y, src.channelAxis);
    const kernel = src.kernelOf(n);
    if (cin === undefined || cout === undefined || !kernel || outN === undefined) return undefined;
    const calls = outN / cout;
    const depthwise = n.group > 1 && n.group === cin;
    const kk = kernel.reduce((a, b) => a * b, 1);
    const work: ConvWork = {
      calls, kernel, strides: n.strides, cin, cout, depthwise, filterBytes: src.constBytes(n.inputs[1]),
      filterIsActivation: false, activation: n.activation,
    };
    return { work, macs: (calls * kk * cin * cout) / n.group };
  }
  // Gemm and MatMul run ESP-DL's 1×1 conv kernel: rows of A are pixels, B is the filter.
  const a = src.shape(n.inputs[0]);
  const b = src.shape(n.inputs[1]);
  const k = a?.[a.length - 1];
  const cout = y?.[y.length - 1];
  if (typeof k !== 'number' || typeof cout !== 'number' || outN === undefined) return undefined;
  const bConst = src.isConst(n.inputs[1]);
  const bBytes = bConst ? src.constBytes(n.inputs[1]) : (numel(b) ?? 0) * (n.bits / 8);
  // A batched MatMul (attention heads) multiplies one B per batch entry: each call reads one slice of B.
  const slices = bConst ? 1 : Math.max(1, (numel(b) ?? k * cout) / (k * cout));
  const calls = outN / cout;
  const work: ConvWork = {
    calls, kernel: [1, 1], strides: [1, 1], cin: k, cout, depthwise: false, filterBytes: bBytes / slices,
    filterIsActivation: !bConst, activation: n.activation,
  };
  return { work, macs: calls * k * cout };
}

function build(src: Source): CostGraph {
  const ops: CostOp[] = [];
  const uncosted: string[] = [];
  const tensorBytes = new Map<string, number>();
  const bytesOf = (v: string, bits: number): number | undefined => {
    const n = numel(src.shape(v));
    return n === undefined ? undefined : n * (src.elementBytes(v) ?? bits / 8);
  };
  for (const v of src.graphInputs) {
    const b = bytesOf(v, src.nodes.find((n) => n.inputs.includes(v))?.bits ?? 8);
    if (b !== undefined) tensorBytes.set(v, b);
  }
  for (const n of src.nodes) {
    const varInputs = n.inputs.filter((i) => i !== '' && !src.isConst(i));
    const inB = varInputs.map((i) => tensorBytes.get(i) ?? bytesOf(i, n.bits));
    const outB = n.outputs.map((o) => bytesOf(o, n.bits));
    const outElements = n.outputs.map((o) => numel(src.shape(o)));
    if (inB.some((b) => b === undefined) || outB.some((b) => b === undefined) || outElements.some((e) => e === undefined)) {
      uncosted.push(n.name);
      continue;
    }
    n.outputs.forEach((o, i) => tensorBytes.set(o, outB[i] as number));
    const base = {
      name: n.name, opType: n.opType, bits: n.bits, inputs: n.inputs, outputs: n.outputs,
      outElements: (outElements as number[]).reduce((a, b) => a + b, 0),
      inBytes: (inB as number[]).reduce((a, b) => a + b, 0), outBytes: (outB as number[]).reduce((a, b) => a + b, 0),
    };
    if (isConvLike(n.opType)) {
      const cw = convWork(src, n);
      if (!cw) {
        uncosted.push(n.name);
        continue;
      }
      const k = cw.work.kernel.reduce((a, b) => a * b, 1);
      const cls: OpClass = cw.work.depthwise ? 'depthwise' : k === 1 ? 'conv1x1' : 'conv';
      ops.push({ ...base, cls, unknown: false, macs: cw.macs, conv: cw.work });
      continue;
    }
    const cls = elementOpClass(n.opType);
    ops.push({ ...base, cls: cls ?? 'scalar', unknown: cls === undefined, macs: 0 });
  }
  return { ops, paramBytes: src.paramBytes, tensorBytes, graphInputs: src.graphInputs, graphOutputs: src.graphOutputs, uncosted };
}

const BITS_OF_QUANT_TYPE: Readonly<Record<string, number>> = { S8: 8, U8: 8, S16: 16, U16: 16, F32: 32 };
/** Element bytes by ESP-DL TensorDataType code (FLOAT, UINT8, INT8, UINT16, INT16, INT32, INT64, …, BOOL). */
const BYTES_OF_DATA_TYPE: Readonly<Record<number, number>> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8 };

/** Cost graph of a decoded `.espdl` model (activations NHWC: channels are the last dim). */
export function costGraphFromEspdl(model: EspdlModelView): CostGraph {
  const g = model.graph;
  const shapes = new Map<string, Dims>();
  const widths = new Map<string, number>();
  for (const v of [...g.inputs, ...g.valueInfo, ...g.outputs]) {
    if (v.name && v.hasShape) shapes.set(v.name, v.dims);
    const w = v.elemType === null ? undefined : BYTES_OF_DATA_TYPE[v.elemType];
    if (v.name && w !== undefined) widths.set(v.name, w);
  }
  const consts = new Map(g.initializers.map((t) => [t.name ?? '', t]));
  const nodes: SourceNode[] = g.nodes.map((n, i) => {
    const attr = (k: string) => n.attributes.find((a) => a.name === k);
    return {
      name: n.name ?? `node_${i}`, opType: n.opType ?? '', inputs: n.inputs, outputs: n.outputs,
      bits: BITS_OF_QUANT_TYPE[attr('quant_type')?.s ?? 'S8'] ?? 8,
      group: attr('group')?.i ?? 1, strides: attr('strides')?.ints ?? [1, 1], activation: attr('activation')?.s ?? 'Linear',
    };
  });
  const constNames = new Set(consts.keys());
  const inputs = g.inputs.map((v) => v.name ?? '').filter((v) => v && !constNames.has(v));
  return build({
    nodes, shape: (v) => shapes.get(v), isConst: (v) => constNames.has(v), constBytes: (v) => consts.get(v)?.raw.length ?? 0,
    elementBytes: (v) => widths.get(v), channelAxis: -1,
    // Filters are stored HWCN ([kh, kw, cin/group, cout]; depthwise [kh, kw, c, 1]); ESP-PPQ does not always
    // write kernel_shape.
    kernelOf: (n) => {
      const w = consts.get(n.inputs[1]);
      return w && w.dims.length >= 3 ? w.dims.slice(0, w.dims.length - 2) : undefined;
    },
    paramBytes: g.initializers.reduce((s, t) => s + t.raw.length, 0),
    graphInputs: inputs, graphOutputs: g.outputs.map((v) => v.name ?? ''),
  });
}

/**
 * Cost graph of an ONNX graph (NCHW) as ESP-PPQ would deploy it with `bits`-wide activations: weights take
 * `bits`/8 bytes each, and a Relu right after a Conv/Gemm/MatMul is fused into it (ESP-PPQ's FuseReluLike).
 */
export function costGraphFromOnnx(graph: Graph, bits = 8): CostGraph {
  const shapes = propagateShapes(graph);
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const fusedRelu = new Set<string>();
  const producer = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const uses = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const n of graph.nodes) {
    const p = producer.get(n.inputs[0] ?? '');
    if (opInfo(n.opType).convLikeFusedActivation && p && opInfo(p.opType).convLikeFused && uses.get(n.inputs[0]) === 1) fusedRelu.add(n.name);
  }
  const nodes: SourceNode[] = graph.nodes.map((n, i) => {
    const g = n.attributes.get('group');
    const s = n.attributes.get('strides');
    return {
      name: n.name || `node_${i}`, opType: fusedRelu.has(n.name) ? 'Identity' : n.opType, inputs: n.inputs, outputs: n.outputs, bits,
      group: g?.type === 'int' ? g.value : 1, strides: s?.type === 'ints' ? s.value : [1, 1],
      activation: 'Linear',
    };
  });
  const elemBytes = (v: string): number => {
    const t = graph.initializers.get(v);
    return t ? Math.round(((numel(t.dims) ?? 0) * bits) / 8) : 0;
  };
  let paramBytes = 0;
  for (const name of graph.initializers.keys()) paramBytes += elemBytes(name);
  return build({
    nodes, shape: (v) => shapes.get(v), isConst: (v) => graph.initializers.has(v), constBytes: elemBytes,
    elementBytes: () => undefined, channelAxis: 1,
    kernelOf: (n) => {
      const k = byName.get(n.name)?.attributes.get('kernel_shape');
      if (k?.type === 'ints') return k.value;
      const w = graph.initializers.get(n.inputs[1]);
      return w ? w.dims.slice(2) : undefined;
    },
    paramBytes,
    graphInputs: graph.inputs.map((v) => v.name).filter((v) => !graph.initializers.has(v)),
    graphOutputs: graph.outputs.map((v) => v.name),
  });
}

/** The work of each costed op of an ONNX graph, as the training-time estimate (quant/training/estimate.ts) counts it. */
export function onnxOpWork(graph: Graph): OpWork[] {
  return costGraphFromOnnx(graph).ops.map((op) => ({ macs: op.macs, depthwise: op.cls === 'depthwise', outElements: op.outElements }));
}
