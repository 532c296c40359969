/**
 * The per-operator work of a model, the input of the latency model: multiply-accumulates by kind and the
 * activation elements memory-bound operators move. Built from an `.espdl` model (shapes are in its
 * value_info, activations NHWC, bits from each node's `quant_type`) or from an ONNX graph (NCHW; shapes
 * from value_info or propagated by onnx-shapes.ts).
 */
import type { Graph } from '../ir/graph.js';
import type { EspdlModelView } from '../espdl/model-view.js';
import { propagateShapes } from './onnx-shapes.js';

/** How an operator is costed. */
export type CostKind = 'pointwise' | 'spatial' | 'depthwise' | 'memory';

export interface CostOp {
  readonly name: string;
  readonly opType: string;
  readonly kind: CostKind;
  /** Multiply-accumulates (0 for memory-bound operators). */
  readonly macs: number;
  /** Activation elements read and written (inputs that are not weights, plus outputs). */
  readonly elements: number;
  /** Activation bit width: 8, 16, or 32 (float fallback). */
  readonly bits: number;
  /** Output elements (for the activation-memory estimate). */
  readonly outElements: number;
}

export interface CostGraph {
  readonly ops: CostOp[];
  /** Bytes of weights and other constant tensors. */
  readonly paramBytes: number;
  /** Peak bytes of live activations, in execution order (the memory planner's lower bound). */
  readonly peakActivationBytes: number;
  /** Nodes whose shapes were unknown: costed as 0 (reported so the user knows the estimate is partial). */
  readonly uncosted: string[];
}

const numel = (dims: readonly (number | string | null)[] | undefined): number | undefined => {
  if (!dims) return undefined;
  let n = 1;
  for (const d of dims) {
    if (typeof d !== 'number' || d < 0) return undefined;
    n *= d;
  }
  return n;
};

interface GenericNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  group: number;
  kernel: readonly number[];
  bits: number;
}

/**
 * The generic costing over nodes in execution order. `shape(name)` gives an activation's dims (undefined
 * if unknown), `isConst(name)` tells weights apart, `channelsIn(node)` the conv input channel count.
 */
function costNodes(nodes: readonly GenericNode[], shape: (n: string) => readonly (number | string | null)[] | undefined, isConst: (n: string) => boolean, channelsIn: (n: GenericNode) => number | undefined, paramBytes: number): CostGraph {
  const ops: CostOp[] = [];
  const uncosted: string[] = [];
  for (const n of nodes) {
    const out = numel(shape(n.outputs[0]));
    const ins = n.inputs.filter((i) => i !== '' && !isConst(i)).map((i) => numel(shape(i)));
    if (out === undefined || ins.some((e) => e === undefined)) {
      uncosted.push(n.name);
      continue;
    }
    const elements = out + (ins as number[]).reduce((a, b) => a + b, 0);
    let kind: CostKind = 'memory';
    let macs = 0;
    if (n.opType === 'Conv') {
      const cin = channelsIn(n);
      if (cin === undefined) {
        uncosted.push(n.name);
        continue;
      }
      const k = n.kernel.reduce((a, b) => a * b, 1);
      macs = (out * k * cin) / n.group;
      kind = n.group > 1 && n.group === cin ? 'depthwise' : k === 1 ? 'pointwise' : 'spatial';
    } else if (n.opType === 'Gemm' || n.opType === 'MatMul') {
      const a = shape(n.inputs[0]);
      const kdim = a?.[a.length - 1];
      if (typeof kdim !== 'number') {
        uncosted.push(n.name);
        continue;
      }
      macs = out * kdim;
      kind = 'pointwise';
    }
    ops.push({ name: n.name, opType: n.opType, kind, macs, elements, bits: n.bits, outElements: out });
  }
  return { ops, paramBytes, peakActivationBytes: peakLive(nodes, shape, isConst, ops), uncosted };
}

/** Peak of live activation bytes over the execution order (a tensor lives from producer to last use). */
function peakLive(nodes: readonly GenericNode[], shape: (n: string) => readonly (number | string | null)[] | undefined, isConst: (n: string) => boolean, ops: readonly CostOp[]): number {
  const bitsOf = new Map(ops.map((o) => [o.name, o.bits]));
  const lastUse = new Map<string, number>();
  nodes.forEach((n, i) => n.inputs.forEach((v) => v && !isConst(v) && lastUse.set(v, i)));
  let live = 0;
  let peak = 0;
  const sizes = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      const b = (numel(shape(o)) ?? 0) * ((bitsOf.get(n.name) ?? 8) / 8);
      sizes.set(o, b);
      live += b;
    }
    peak = Math.max(peak, live);
    for (const v of new Set(n.inputs)) if (lastUse.get(v) === i && sizes.has(v)) live -= sizes.get(v) ?? 0;
  });
  return peak;
}

/** Cost ops of a decoded `.espdl` model (activations NHWC: channels are the last dim). */
export function costGraphFromEspdl(model: EspdlModelView): CostGraph {
  const g = model.graph;
  const shapes = new Map<string, readonly (number | string | null)[]>();
  for (const v of [...g.inputs, ...g.valueInfo, ...g.outputs]) if (v.name && v.hasShape) shapes.set(v.name, v.dims);
  const consts = new Set(g.initializers.map((t) => t.name ?? ''));
  const nodes: GenericNode[] = g.nodes.map((n, i) => {
    const attr = (k: string) => n.attributes.find((a) => a.name === k);
    const q = attr('quant_type')?.s ?? 'S8';
    return {
      name: n.name ?? `node_${i}`, opType: n.opType ?? '', inputs: n.inputs, outputs: n.outputs,
      group: attr('group')?.i ?? 1, kernel: attr('kernel_shape')?.ints ?? [1], bits: q === 'S16' ? 16 : q === 'F32' ? 32 : 8,
    };
  });
  const paramBytes = g.initializers.reduce((s, t) => s + t.raw.length, 0);
  const cin = (n: GenericNode): number | undefined => {
    const d = shapes.get(n.inputs[0]);
    const c = d?.[d.length - 1];
    return typeof c === 'number' ? c : undefined;
  };
  return costNodes(nodes, (v) => shapes.get(v), (v) => consts.has(v), cin, paramBytes);
}

/** Cost ops of an ONNX graph (NCHW); `bits` is the activation width to assume (8 or 16). */
export function costGraphFromOnnx(graph: Graph, bits = 8): CostGraph {
  const shapes = propagateShapes(graph);
  const nodes: GenericNode[] = graph.nodes.map((n, i) => {
    const g = n.attributes.get('group');
    const k = n.attributes.get('kernel_shape');
    const w = graph.initializers.get(n.inputs[1] ?? '');
    return {
      name: n.name || `node_${i}`, opType: n.opType, inputs: n.inputs, outputs: n.outputs,
      group: g?.type === 'int' ? g.value : 1,
      kernel: k?.type === 'ints' ? k.value : n.opType === 'Conv' && w ? w.dims.slice(2) : [1],
      bits,
    };
  });
  let paramBytes = 0;
  for (const t of graph.initializers.values()) paramBytes += numel(t.dims) ?? 0;
  paramBytes = Math.round((paramBytes * bits) / 8);
  const cin = (n: GenericNode): number | undefined => {
    const d = shapes.get(n.inputs[0]);
    return typeof d?.[1] === 'number' ? d[1] : undefined;
  };
  return costNodes(nodes, (v) => shapes.get(v), (v) => graph.initializers.has(v), cin, paramBytes);
}
