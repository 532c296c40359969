/** Upstream/downstream op lookups with ESP-PPQ's meaning (distinct ops; parameters have no producer). */
import type { Node } from '../../ir/graph.js';
import { consumers, producers } from '../../ir/topo.js';
import type { OpQuant, QuantizedGraph } from '../types.js';

export interface GraphView {
  producerOf(value: string): Node | undefined;
  /** Distinct nodes that read any output of `node`. */
  downstream(node: Node): Node[];
  /** Distinct nodes that produce any input of `node` (initializers excluded). */
  upstream(node: Node): Node[];
  /** Consumers of one value, with the input slot index, in node order. */
  consumersOf(value: string): { node: Node; slot: number }[];
  op(node: Node): OpQuant | undefined;
}

export function graphView(qg: QuantizedGraph): GraphView {
  const g = qg.model.graph;
  const prod = producers(g);
  const cons = consumers(g);
  const distinct = (nodes: Node[]) => [...new Set(nodes)];
  return {
    producerOf: (v) => prod.get(v),
    downstream: (n) => distinct(n.outputs.flatMap((o) => (o ? cons.get(o) ?? [] : []))),
    upstream: (n) => distinct(n.inputs.flatMap((i) => { const p = i ? prod.get(i) : undefined; return p ? [p] : []; })),
    consumersOf: (v) => {
      const out: { node: Node; slot: number }[] = [];
      for (const node of cons.get(v) ?? []) {
        node.inputs.forEach((inp, slot) => { if (inp === v && !out.some((o) => o.node === node && o.slot === slot)) out.push({ node, slot }); });
      }
      return out;
    },
    op: (n) => qg.ops.get(n.name),
  };
}
