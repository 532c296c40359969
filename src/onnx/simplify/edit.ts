/** Graph-editing helpers shared by the simplification passes (they mutate a graph the caller owns). */
import { cloneGraph, type Dim, type Graph, type Node } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';

/** Every value name referenced anywhere in nested subgraphs (If/Loop/Scan bodies may read outer values). */
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

/** Consumers of each value in the main graph (a node is listed once per input slot). */
export function consumerMap(g: Graph): Map<string, Node[]> {
  const map = new Map<string, Node[]>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) (map.get(i) ?? map.set(i, []).get(i)!).push(n);
  return map;
}

export function producerMap(g: Graph): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) map.set(o, n);
  return map;
}

export function graphOutputNames(g: Graph): Set<string> {
  return new Set(g.outputs.map((o) => o.name));
}

/** A name not used by any value, initializer or node of `g` (base, base_1, base_2, …). */
export function uniqueName(g: Graph, base: string): string {
  const taken = new Set<string>([...g.initializers.keys(), ...g.inputs.map((i) => i.name), ...g.outputs.map((o) => o.name)]);
  for (const n of g.nodes) {
    taken.add(n.name);
    for (const v of [...n.inputs, ...n.outputs]) taken.add(v);
  }
  if (!taken.has(base)) return base;
  for (let i = 1; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
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

/** Makes every consumer of `from` read `to` instead (the value `from` itself is left for pruning). */
export function redirectConsumers(g: Graph, from: string, to: string): void {
  for (const n of g.nodes) for (let i = 0; i < n.inputs.length; i++) if (n.inputs[i] === from) n.inputs[i] = to;
}

/** The static shape of a value if known (graph input, initializer or value info), else undefined. */
export function knownShape(g: Graph, name: string): Dim[] | undefined {
  const init = g.initializers.get(name);
  if (init) return [...init.dims];
  return g.inputs.find((i) => i.name === name)?.shape ?? g.valueInfo.get(name)?.shape ?? g.outputs.find((o) => o.name === name)?.shape;
}

/** Adds an initializer under a fresh name derived from `base`; returns the name used. */
export function addInitializer(g: Graph, base: string, t: Tensor): string {
  const name = uniqueName(g, base);
  g.initializers.set(name, t);
  return name;
}

/** Removes nodes (by identity) from the graph. */
export function removeNodes(g: Graph, dead: ReadonlySet<Node>): void {
  if (dead.size > 0) g.nodes = g.nodes.filter((n) => !dead.has(n));
}

/** A float32 initializer's data, or undefined if `name` is not a float32 initializer. */
export function floatInit(g: Graph, name: string | undefined): Float32Array | undefined {
  if (!name) return undefined;
  const t = g.initializers.get(name);
  return t && t.dtype === 'float32' ? (t.data as Float32Array) : undefined;
}
