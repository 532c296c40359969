import type { Node } from './graph.js';
import { producerMap } from './edit.js';

/** The graph is not a DAG; `nodes` are the nodes on or behind a cycle. */
export class GraphCycleError extends Error {
  constructor(readonly nodes: string[]) {
    super(`graph has a cycle through: ${nodes.slice(0, 5).join(', ')}`);
    this.name = 'GraphCycleError';
  }
}

/**
 * Nodes in a topological order that keeps the original order wherever it is already valid (Kahn's
 * algorithm with the original index as priority), so exported files stay close to the source model.
 * Throws on a cycle.
 */
export function topologicalSort<N extends Node>(g: { readonly nodes: readonly N[] }): N[] {
  const prod = producerMap(g.nodes);
  const index = new Map(g.nodes.map((n, i) => [n, i]));
  const pending = new Map<N, number>();
  const dependents = new Map<N, N[]>();
  for (const n of g.nodes) {
    const deps = new Set<N>();
    for (const i of n.inputs) {
      const p = i ? prod.get(i) : undefined;
      if (p && p !== n) deps.add(p);
    }
    pending.set(n, deps.size);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(n);
      else dependents.set(d, [n]);
    }
  }
  // A small binary heap keyed on the original index.
  const heap: N[] = [];
  const key = (n: N) => index.get(n) as number;
  const push = (n: N) => {
    heap.push(n);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (key(heap[p]!) <= key(heap[i]!)) break;
      [heap[p], heap[i]] = [heap[i]!, heap[p]!];
      i = p;
    }
  };
  const pop = (): N => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < heap.length && key(heap[l]!) < key(heap[m]!)) m = l;
        if (r < heap.length && key(heap[r]!) < key(heap[m]!)) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  };
  for (const n of g.nodes) if (pending.get(n) === 0) push(n);
  const order: N[] = [];
  while (heap.length > 0) {
    const n = pop();
    order.push(n);
    for (const d of dependents.get(n) ?? []) {
      const left = (pending.get(d) as number) - 1;
      pending.set(d, left);
      if (left === 0) push(d);
    }
  }
  if (order.length !== g.nodes.length) {
    const placed = new Set(order);
    throw new GraphCycleError(g.nodes.filter((n) => !placed.has(n)).map((n) => n.name));
  }
  return order;
}
