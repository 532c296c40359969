/**
 * The layer-wise analysis (analysis.ts layerwiseError) as a chain of stages, one per measured op in graph order, so
 * each op's run recomputes only what follows it instead of the whole model.
 *
 * A stage starts at a cut of the topological order: the values live there (written before the cut, read after it)
 * are the stage's inputs, fed from the float run. Its model is every node after the cut with the op quantized
 * (as buildSimModel's `only` model), plus a float twin of the op's downstream nodes up to the next stage's cut, whose
 * outputs are the float values live at that cut: the chain carries the float state from stage to stage, so the whole
 * analysis needs one float pass over the data, not one per op. Nodes after the cut that do not depend on the op
 * compute the same values in both (they are not twinned).
 *
 * A cut is fed back through the runtime, so it may only carry graph inputs (taken from the data as given) and
 * float32 values of static shape [1, …] (one sample each: the batch runs stack them). An op whose own position is not
 * such a cut starts at the nearest earlier one; a graph with nested subgraphs (If/Loop/Scan, which read outer values
 * by name) starts every op at the graph inputs, which is the whole model per op.
 */
import type { Graph, Model, Node, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { numel } from '../ir/tensor.js';
import { topologicalSort } from '../ir/topo.js';
import { InternalError } from '../errors.js';
import { buildSimModel } from './simulate/sim-model.js';
import { activationBytesPerSample } from '../exec/batches.js';
import type { QuantizedGraph } from './types.js';

/** Suffix of the twin copies (float values and nodes) inside a stage model. */
const TWIN = '::layerwise_float';

export interface LayerwiseStage {
  /** The op quantized in this stage. */
  readonly op: string;
  /** State values the stage model reads (graph inputs included). */
  readonly reads: readonly string[];
  /** Graph outputs the stage recomputes with the op quantized (the others keep their float values). */
  readonly outputs: readonly string[];
  /** Next state: value → the stage output that carries its float value. */
  readonly advance: ReadonlyMap<string, string>;
  /** State values the next stage still needs, unchanged by this stage. */
  readonly keep: readonly string[];
  /** The stage's model and the bytes of intermediate values one sample needs (built on demand). */
  build(): { model: Model; workingSetPerSample: number };
}

export interface LayerwiseChain {
  /** Values of the first cut that the float run must return (graph inputs excluded: the data gives them). */
  readonly initial: readonly string[];
  readonly stages: readonly LayerwiseStage[];
  /** Most bytes one sample's state holds at a cut (graph inputs excluded). */
  readonly stateBytesPerSample: number;
}

interface Order {
  nodes: Node[];
  /** Position of the node writing each value (−1: graph input). */
  written: Map<string, number>;
  /** Position of the last node reading each value. */
  lastRead: Map<string, number>;
}

function orderOf(g: Graph): Order {
  const nodes = topologicalSort(g);
  const written = new Map<string, number>(g.inputs.filter((i) => !g.initializers.has(i.name)).map((i) => [i.name, -1]));
  const lastRead = new Map<string, number>();
  nodes.forEach((n, p) => {
    for (const i of n.inputs) if (i && !g.initializers.has(i)) lastRead.set(i, p);
    for (const o of n.outputs) if (o) written.set(o, p);
  });
  return { nodes, written, lastRead };
}

/** Values live at cut `c` (before the node at position c): written before it and read at or after it. */
function liveAt(order: Order, c: number): string[] {
  const out: string[] = [];
  for (const [v, w] of order.written) if (w < c && (order.lastRead.get(v) ?? -1) >= c) out.push(v);
  return out;
}

/** A float32 value of static shape [1, …]: one sample, which the runtime can take back stacked. */
function feedable(g: Graph, v: string): boolean {
  const info = g.valueInfo.get(v);
  const shape = info?.shape;
  return info?.dtype === 'float32' && !!shape && shape.length >= 1 && shape[0] === 1 && shape.every((d) => typeof d === 'number' && d >= 0);
}

function sampleBytes(g: Graph, v: string): number {
  const shape = g.valueInfo.get(v)?.shape as number[];
  return numel(shape.slice(1)) * 4;
}

/**
 * Readers that compute the same bits whoever wrote their input. onnxruntime lays a convolution's output out in
 * blocks of channels (NCHWc) and keeps that layout through the element-wise ops, concatenations and pools that
 * follow, fusing a residual Add into the convolution that writes one operand (which then accumulates the other);
 * a pool over the blocked layout and the fused Add round differently from their plain forms. A value fed back as
 * an input arrives in the plain layout, so a cut may only carry values that every reader takes into a fresh
 * layout of its own: convolutions and matrix products. Cutting elsewhere would change results by float noise.
 */
const LAYOUT_FREE_READERS = new Set(['Conv', 'Gemm', 'MatMul']);

const hasSubgraphs = (g: Graph): boolean => g.nodes.some((n) => [...n.attributes.values()].some((a) => a.type === 'graph'));

/**
 * The stages of `ops` (measured op names; the chain takes them in topological order), or undefined for no ops.
 */
export function layerwiseChain(qg: QuantizedGraph, ops: readonly string[]): LayerwiseChain | undefined {
  const g = qg.model.graph;
  const order = orderOf(g);
  const position = new Map(order.nodes.map((n, p) => [n.name, p]));
  const isInput = new Set(g.inputs.map((i) => i.name));
  const measured = ops.map((op) => ({ op, at: position.get(op) })).filter((m): m is { op: string; at: number } => m.at !== undefined).sort((a, b) => a.at - b.at);
  if (measured.length === 0) return undefined;
  const subgraphs = hasSubgraphs(g);
  const readers = new Map<string, Node[]>();
  for (const n of order.nodes) for (const i of n.inputs) if (i) readers.set(i, [...(readers.get(i) ?? []), n]);
  const cutOk = (c: number) => liveAt(order, c).every((v) => isInput.has(v) || (feedable(g, v) && (readers.get(v) ?? []).every((n) => LAYOUT_FREE_READERS.has(n.opType))));
  // Each op's cut: its own position when the state there can be fed back, else the nearest earlier one that can.
  const cuts = measured.map(({ at }) => {
    if (subgraphs) return 0;
    let c = at;
    while (c > 0 && !cutOk(c)) c--;
    return c;
  });
  let stateBytesPerSample = 0;
  for (const c of new Set(cuts)) {
    stateBytesPerSample = Math.max(stateBytesPerSample, liveAt(order, c).filter((v) => !isInput.has(v)).reduce((s, v) => s + sampleBytes(g, v), 0));
  }
  const stages = measured.map(({ op, at }, k): LayerwiseStage => {
    const cut = cuts[k]!;
    const nextCut = cuts[k + 1];
    return stageAt(qg, order, { op, at, cut, nextCut, isInput });
  });
  return { initial: liveAt(order, cuts[0]!).filter((v) => !isInput.has(v)), stages, stateBytesPerSample };
}

function stageAt(
  qg: QuantizedGraph, order: Order,
  s: { op: string; at: number; cut: number; nextCut: number | undefined; isInput: ReadonlySet<string> },
): LayerwiseStage {
  const g = qg.model.graph;
  const suffix = order.nodes.slice(s.cut);
  // Nodes that depend on the op (the op included): those differ from the float run.
  const dirty = new Set<string>();
  const downstream = new Set<Node>();
  for (const n of order.nodes.slice(s.at)) {
    if (n.name === s.op || n.inputs.some((i) => i && dirty.has(i))) {
      downstream.add(n);
      for (const o of n.outputs) if (o) dirty.add(o);
    }
  }
  const written = new Set(suffix.flatMap((n) => n.outputs.filter(Boolean)));
  const advance = new Map<string, string>();
  const keep: string[] = [];
  const twins: Node[] = [];
  if (s.nextCut !== undefined) {
    const twinned = new Set<string>();
    for (const n of order.nodes.slice(s.cut, s.nextCut)) {
      if (!downstream.has(n)) continue;
      const rename = (v: string) => (v && twinned.has(v) ? v + TWIN : v);
      const outputs = n.outputs.map((o) => (o ? o + TWIN : o));
      twins.push({ ...n, name: n.name + TWIN, inputs: n.inputs.map(rename), outputs, attributes: new Map(n.attributes) });
      for (const o of n.outputs) if (o) twinned.add(o);
    }
    for (const v of liveAt(order, s.nextCut)) {
      if (twinned.has(v)) advance.set(v, v + TWIN);
      else if (written.has(v)) advance.set(v, v);
      else keep.push(v);
    }
  }
  const outputs = g.outputs.map((o) => o.name).filter((v) => written.has(v));
  const nodes = [...suffix, ...twins];
  const produced = new Set(nodes.flatMap((n) => n.outputs.filter(Boolean)));
  const reads = [...new Set(nodes.flatMap((n) => n.inputs.filter((i) => i && !produced.has(i) && !g.initializers.has(i))))];
  const live = new Set(liveAt(order, s.cut));
  const stray = reads.find((v) => !live.has(v));
  if (stray) throw new InternalError(`layer-wise analysis: stage of ${s.op} reads ${stray}, not live at its cut`);
  const build = () => {
    const valueInfo = new Map<string, ValueInfo>();
    for (const n of nodes) {
      for (const o of n.outputs) {
        const info = o ? g.valueInfo.get(o.endsWith(TWIN) ? o.slice(0, -TWIN.length) : o) : undefined;
        if (info) valueInfo.set(o, { ...info, name: o });
      }
    }
    const info = (v: string): ValueInfo => valueInfo.get(v) ?? g.valueInfo.get(v) ?? g.outputs.find((o) => o.name === v) ?? { name: v, dtype: 'float32', shape: undefined };
    const used = new Set(nodes.flatMap((n) => n.inputs.filter((i) => i && g.initializers.has(i))));
    const pick = <T>(m: ReadonlyMap<string, T>) => new Map([...m].filter(([k]) => used.has(k)));
    const fetch = [...new Set([...outputs, ...advance.values()])];
    const sub: Graph = {
      name: g.name,
      nodes,
      inputs: reads.map((v) => g.inputs.find((i) => i.name === v) ?? info(v)),
      outputs: fetch.map((v) => g.outputs.find((o) => o.name === v) ?? info(v)),
      initializers: pick(g.initializers),
      valueInfo,
    };
    const stageGraph: QuantizedGraph = {
      ...qg,
      model: { ...qg.model, graph: sub },
      ...(qg.storedParams ? { storedParams: pick(qg.storedParams) } : {}),
    };
    return { model: buildSimModel(stageGraph, { only: s.op }).model, workingSetPerSample: activationBytesPerSample(sub) };
  };
  return { op: s.op, reads, outputs, advance, keep, build };
}

/** A state value as a batch tensor of `samples` samples (the runtime returned it one sample after another). */
export function stateTensor(data: Float32Array, sampleDims: readonly number[], samples: number): Tensor {
  return { dtype: 'float32', dims: [samples, ...sampleDims.slice(1)], data };
}
