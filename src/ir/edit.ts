/**
 * The graph-editing API every pass uses (ESP-PPQ's BaseGraph surgery: get_upstream/downstream_operations,
 * insert_op_before, remove_operation(keep_coherence), …), on the plain IR objects of ir/graph.ts.
 *
 * The relations are defined once, over any node list whose nodes are ir `Node`s (the exporter's ops extend
 * `Node` with their quantization configs), and come in two strategies with the same meaning:
 * - `indexNodes(nodes)` builds the value → producer/readers maps once: for passes that read a graph they do
 *   not restructure (quantization passes, block partitioning);
 * - `liveNodes(nodes)` scans the list at each question: for passes that insert and remove nodes as they go
 *   (the exporter), so an answer always reflects the edits made so far.
 * Editing functions mutate the graph their caller owns.
 */
import { cloneGraph, type Dim, type Graph, type Node } from './graph.js';
import type { Tensor } from './tensor.js';

/** Who writes and who reads each value. */
export interface NodeLookup<N extends Node = Node> {
  /** The node writing `value`; undefined for graph inputs, initializers and unknown names. */
  producerOf(value: string): N | undefined;
  /** Nodes reading `value`, once per input slot, in node order. */
  readersOf(value: string): readonly N[];
}

/** A lookup over maps built once (the node list must not be restructured while it is used). */
export function indexNodes<N extends Node>(nodes: readonly N[]): NodeLookup<N> {
  const prod = producerMap(nodes);
  const cons = consumerMap(nodes);
  return { producerOf: (v) => prod.get(v), readersOf: (v) => cons.get(v) ?? [] };
}

/** A lookup that scans the current node list at each question (for passes that edit as they go). */
export function liveNodes<N extends Node>(nodes: readonly N[]): NodeLookup<N> {
  return {
    producerOf: (v) => nodes.find((n) => n.outputs.includes(v)),
    readersOf: (v) => nodes.flatMap((n) => n.inputs.filter((i) => i === v).map(() => n)),
  };
}

/** Producer node of every value name. */
export function producerMap<N extends Node>(nodes: readonly N[]): Map<string, N> {
  const map = new Map<string, N>();
  for (const n of nodes) for (const o of n.outputs) if (o) map.set(o, n);
  return map;
}

/** Consumer nodes of every value name, in node order (a node appears once per input slot). */
export function consumerMap<N extends Node>(nodes: readonly N[]): Map<string, N[]> {
  const map = new Map<string, N[]>();
  for (const n of nodes) {
    for (const i of n.inputs) {
      if (!i) continue;
      const list = map.get(i);
      if (list) list.push(n);
      else map.set(i, [n]);
    }
  }
  return map;
}

function distinct<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** Distinct nodes reading `value`, in node order. */
export function distinctReaders<N extends Node>(lookup: NodeLookup<N>, value: string): N[] {
  return distinct(lookup.readersOf(value));
}

/** Distinct nodes that read any output of `node` (PPQ get_downstream_operations). */
export function downstreamOf<N extends Node>(lookup: NodeLookup<N>, node: Node): N[] {
  return distinct(node.outputs.flatMap((o) => (o ? lookup.readersOf(o) : [])));
}

/** Distinct nodes that produce any input of `node`; parameters and graph inputs have no producer (PPQ get_upstream_operations). */
export function upstreamOf<N extends Node>(lookup: NodeLookup<N>, node: Node): N[] {
  return distinct(node.inputs.flatMap((i) => {
    const p = i ? lookup.producerOf(i) : undefined;
    return p ? [p] : [];
  }));
}

/** Readers of one value with the input slot they read it at, in node order (each slot once). */
export function consumerSlots<N extends Node>(lookup: NodeLookup<N>, value: string): { node: N; slot: number }[] {
  const out: { node: N; slot: number }[] = [];
  for (const node of distinctReaders(lookup, value)) {
    node.inputs.forEach((inp, slot) => { if (inp === value) out.push({ node, slot }); });
  }
  return out;
}

/** Every value name read anywhere in nested subgraphs (If/Loop/Scan bodies may read outer values). */
export function subgraphReads(g: Graph): Set<string> {
  const out = new Set<string>();
  const walk = (graph: Graph) => {
    for (const n of graph.nodes) {
      for (const a of n.attributes.values()) {
        if (a.type !== 'graph') continue;
        for (const m of a.value.nodes) for (const i of m.inputs) if (i) out.add(i);
        walk(a.value);
      }
    }
  };
  walk(g);
  return out;
}

/** Every value `g` reads: its outputs, its nodes' inputs and what nested subgraphs read (what keeps a value alive). */
export function valuesRead(g: Graph): Set<string> {
  const read = new Set([...g.outputs.map((o) => o.name), ...subgraphReads(g)]);
  for (const n of g.nodes) for (const i of n.inputs) if (i) read.add(i);
  return read;
}

export function graphOutputNames(g: Graph): Set<string> {
  return new Set(g.outputs.map((o) => o.name));
}

/** Renames value `from` to `to` everywhere (node inputs/outputs, graph outputs, value info, subgraph reads). */
export function renameValue(g: Graph, from: string, to: string): void {
  const swap = (list: string[]) => {
    for (let i = 0; i < list.length; i++) if (list[i] === from) list[i] = to;
  };
  const walk = (graph: Graph) => {
    for (const n of graph.nodes) {
      swap(n.inputs);
      swap(n.outputs);
      for (const [key, a] of n.attributes) {
        if (a.type !== 'graph') continue;
        // Subgraphs are shared with the caller's model by cloneGraph: copy before editing.
        const copy = cloneGraph(a.value);
        n.attributes.set(key, { type: 'graph', value: copy });
        walk(copy);
      }
    }
  };
  walk(g);
  for (const o of g.outputs) if (o.name === from) o.name = to;
  const vi = g.valueInfo.get(from);
  if (vi) {
    g.valueInfo.delete(from);
    g.valueInfo.set(to, { ...vi, name: to });
  }
}

/** Makes every reader of `from` read `to` instead (the value `from` itself is left for pruning). */
export function redirectConsumers(nodes: readonly Node[], from: string, to: string): void {
  for (const n of nodes) for (let i = 0; i < n.inputs.length; i++) if (n.inputs[i] === from) n.inputs[i] = to;
}

/** The static shape of a value if known (graph input, initializer or value info), else undefined. */
export function knownShape(g: Graph, name: string): Dim[] | undefined {
  const init = g.initializers.get(name);
  if (init) return [...init.dims];
  return g.inputs.find((i) => i.name === name)?.shape ?? g.valueInfo.get(name)?.shape ?? g.outputs.find((o) => o.name === name)?.shape;
}

/** A float32 initializer's data, or undefined if `name` is not a float32 initializer. */
export function floatInit(g: Graph, name: string | undefined): Float32Array | undefined {
  if (!name) return undefined;
  const t = g.initializers.get(name);
  return t && t.dtype === 'float32' ? (t.data as Float32Array) : undefined;
}

/** Adds an initializer under a fresh name derived from `base` (uniqueName); returns the name used. */
export function addInitializer(g: Graph, base: string, t: Tensor): string {
  const name = uniqueName(g, base);
  g.initializers.set(name, t);
  return name;
}

/** Removes nodes (by identity) from the graph. */
export function removeNodes(g: { nodes: Node[] }, dead: ReadonlySet<Node>): void {
  if (dead.size > 0) g.nodes = g.nodes.filter((n) => !dead.has(n));
}

/**
 * Inserts `created` in front of `node`'s input slot `slot` (PPQ insert_op_before): `created` reads the value the
 * slot read (as its first input), writes `link`, and the slot now reads `link`. `created` goes just before
 * `node` in the list.
 */
export function insertBefore<N extends Node>(nodes: N[], created: N, node: N, slot: number, link: string): void {
  created.inputs.unshift(node.inputs[slot]!);
  created.outputs = [link];
  node.inputs[slot] = link;
  nodes.splice(nodes.indexOf(node), 0, created);
}

/**
 * Removes a single-input node and makes its readers (and `graphOutputs`) read its input instead (PPQ
 * remove_operation with keep_coherence). Returns the value that disappeared (the node's output).
 */
export function removeKeepInput<N extends Node>(nodes: N[], node: N, graphOutputs: string[]): string {
  const input = node.inputs[0]!;
  const output = node.outputs[0]!;
  nodes.splice(nodes.indexOf(node), 1);
  for (const c of distinctReaders(liveNodes(nodes), output)) c.inputs = c.inputs.map((n) => (n === output ? input : n));
  const gi = graphOutputs.indexOf(output);
  if (gi >= 0) graphOutputs[gi] = input;
  return output;
}

/**
 * Removes a single-input node and makes its producer write the node's output directly (PPQ
 * fuse_downstream_operation with keep_coherence). Returns the value that disappeared (the node's input), or
 * undefined when the input had no producer.
 */
export function fuseIntoProducer<N extends Node>(nodes: N[], node: N): string | undefined {
  const input = node.inputs[0]!;
  const output = node.outputs[0]!;
  const src = liveNodes(nodes).producerOf(input);
  nodes.splice(nodes.indexOf(node), 1);
  if (!src) return undefined;
  src.outputs[src.outputs.indexOf(input)] = output;
  return input;
}

/** Every name a graph uses for values (initializers, graph inputs/outputs, node inputs/outputs) and nodes. */
export function usedNames(g: Graph): Set<string> {
  const taken = new Set<string>([...g.initializers.keys(), ...g.inputs.map((i) => i.name), ...g.outputs.map((o) => o.name)]);
  for (const n of g.nodes) {
    taken.add(n.name);
    for (const v of [...n.inputs, ...n.outputs]) taken.add(v);
  }
  return taken;
}

/** A name not used by any value, initializer or node of `g` (base, base_1, base_2, …). */
export function uniqueName(g: Graph, base: string): string {
  const taken = usedNames(g);
  if (!taken.has(base)) return base;
  for (let i = 1; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/**
 * ESP-PPQ's generated names (`PPQ_Operation_<k>`, `PPQ_Variable_<k>`, from per-graph counters): the next
 * `<prefix><k>` with k ≥ `counter.next` that `isTaken` refuses not; the counter moves past it.
 */
export function nextGeneratedName(prefix: string, counter: { next: number }, isTaken: (name: string) => boolean): string {
  while (isTaken(`${prefix}${counter.next}`)) counter.next++;
  return `${prefix}${counter.next++}`;
}
