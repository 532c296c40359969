/**
 * Consistency checks a pass must leave intact (run after every pass when a shell asks for it; see ir/pass.ts),
 * and the text form of a graph that pass dumps are written in.
 */
import type { Attribute, Graph, Node } from './graph.js';
import type { Tensor } from './tensor.js';
import { topologicalSort } from './topo.js';

/**
 * Throws naming the first problem found: a node name used twice, a value written by two nodes, a node input
 * that nothing provides (`isSource` says which names are provided from outside the node list: graph inputs,
 * parameters), or a cycle. '' (an absent optional input) is always fine.
 */
export function validateNodes(nodes: readonly Node[], isSource: (value: string) => boolean): void {
  const names = new Set<string>();
  const written = new Map<string, Node>();
  for (const n of nodes) {
    if (n.name && names.has(n.name)) throw new Error(`two nodes are named ${n.name}`);
    names.add(n.name);
    for (const o of n.outputs) {
      if (!o) continue;
      const other = written.get(o);
      if (other) throw new Error(`value ${o} is written by both ${other.name} and ${n.name}`);
      written.set(o, n);
    }
  }
  for (const n of nodes) {
    for (const i of n.inputs) {
      if (i && !written.has(i) && !isSource(i)) throw new Error(`input ${i} of ${n.opType} ${n.name} is produced by nothing`);
    }
  }
  topologicalSort({ nodes });
}

/** validateNodes for a model graph: graph inputs and initializers are the sources (outer values for subgraphs). */
export function validateGraph(g: Graph): void {
  const inputs = new Set(g.inputs.map((v) => v.name));
  validateNodes(g.nodes, (v) => inputs.has(v) || g.initializers.has(v));
  const written = new Set(g.nodes.flatMap((n) => n.outputs));
  for (const o of g.outputs) {
    if (!written.has(o.name) && !inputs.has(o.name) && !g.initializers.has(o.name)) throw new Error(`graph output ${o.name} is produced by nothing`);
  }
}

function attributeText(a: Attribute): string {
  switch (a.type) {
    case 'graph': return `<graph ${a.value.nodes.length} nodes>`;
    case 'tensor': return `<tensor ${a.value.dtype}[${a.value.dims.join(',')}]>`;
    case 'floats': case 'ints': return `[${a.value.join(',')}]`;
    case 'strings': return JSON.stringify(a.value);
    case 'string': return JSON.stringify(a.value);
    default: return String(a.value);
  }
}

/** One line per node: `name = OpType(inputs) -> outputs {attributes}` (attributes sorted by name). */
export function describeNode(n: Node): string {
  const attrs = [...n.attributes.keys()].sort().map((k) => `${k}=${attributeText(n.attributes.get(k)!)}`);
  const domain = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.` : '';
  return `${n.name} = ${domain}${n.opType}(${n.inputs.join(', ')}) -> ${n.outputs.join(', ')}${attrs.length ? ` {${attrs.join(' ')}}` : ''}`;
}

function tensorText(name: string, t: Tensor): string {
  return `${name}: ${t.dtype}[${t.dims.join(',')}]`;
}

/** The text form of a model graph: inputs, outputs, initializers (type and dims, no values) and nodes. */
export function describeGraph(g: Graph): string {
  const dims = (shape: readonly unknown[] | undefined) => (shape ? `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]` : '[?]');
  return [
    ...g.inputs.map((v) => `input ${v.name}: ${v.dtype}${dims(v.shape)}`),
    ...g.outputs.map((v) => `output ${v.name}: ${v.dtype}${dims(v.shape)}`),
    ...[...g.initializers].map(([name, t]) => `initializer ${tensorText(name, t)}`),
    ...g.nodes.map(describeNode),
  ].join('\n');
}
