/**
 * Block partitioning as ESP-PPQ's BlockBuilder + TrainingBasedPass.split_graph_into_blocks (docs/esp-ppq.md §3.15;
 * esp_ppq/quantization/algorithm/training.py, optim/training.py). A block starts at every not-yet-visited
 * quantable computing op, follows single-successor/single-input chains or jumps to the nearest multi-input op
 * that post-dominates the start, while depth(ep) − depth(sp) ≤ blockSize; it holds every op on a path sp → ep.
 */
import type { Graph, Node } from '../../ir/graph.js';
import { downstreamOf, indexNodes, upstreamOf } from '../../ir/edit.js';
import { topologicalSort } from '../../ir/topo.js';

/** PPQ's default block depth (OPTIM_ADVOPT_GRAPH_MAXDEPTH). */
export const DEFAULT_BLOCK_SIZE = 4;

export interface GraphBlock {
  readonly sp: Node;
  readonly ep: Node;
  /** Ops of the block in topological order (sp first, ep last). */
  readonly nodes: readonly Node[];
}

interface Links { up: Map<Node, Node[]>; down: Map<Node, Node[]>; depth: Map<Node, number>; order: Map<Node, number> }

function links(g: Graph): Links {
  const lookup = indexNodes(g.nodes);
  const up = new Map<Node, Node[]>(), down = new Map<Node, Node[]>();
  for (const n of g.nodes) {
    up.set(n, upstreamOf(lookup, n));
    down.set(n, downstreamOf(lookup, n));
  }
  const sorted = topologicalSort(g);
  const depth = new Map<Node, number>();
  for (const n of sorted) {
    const ups = up.get(n)!;
    depth.set(n, ups.length === 0 ? 0 : Math.max(...ups.map((u) => depth.get(u)!)) + 1);
  }
  return { up, down, depth, order: new Map(sorted.map((n, i) => [n, i])) };
}

/**
 * PPQ's PriorityQueue: an append-only list sorted lazily (stable) by depth with a read cursor; an op is pushed at
 * most once. Reproduced as is because the stop test depends on its exact state.
 */
class DepthQueue {
  readonly seen = new Set<Node>();
  private data: [number, Node][] = [];
  private idx = 0;
  private sorted = true;
  push(depth: number, n: Node): void {
    if (this.seen.has(n)) return;
    this.data.push([depth, n]);
    this.seen.add(n);
    this.sorted = false;
  }
  pop(): Node {
    if (!this.sorted) { this.data = [...this.data].sort((a, b) => a[0] - b[0]); this.sorted = true; }
    return this.data[this.idx++]![1];
  }
  empty(): boolean { return this.idx >= this.data.length; }
}

function multiInputEp(L: Links, op: Node): Node | undefined {
  const q = new DepthQueue();
  q.push(L.depth.get(op)!, op);
  q.pop();
  for (const d of L.down.get(op)!) q.push(L.depth.get(d)!, d);
  while (!q.empty()) {
    const it = q.pop();
    if (q.empty()) {
      const ups = L.up.get(it)!;
      if (ups.length > 1 && ups.every((u) => q.seen.has(u))) return it;
    }
    for (const d of L.down.get(it)!) q.push(L.depth.get(d)!, d);
  }
  return undefined;
}

function coherentEp(L: Links, g: Graph, op: Node): Node | undefined {
  const ds = L.down.get(op)!;
  if (ds.length !== 1) return undefined;
  const next = ds[0]!;
  const nonParam = next.inputs.filter((i) => i !== '' && !g.initializers.has(i)).length;
  return nonParam === 1 && L.up.get(next)!.length === 1 ? next : undefined;
}

/** Every op on a path from sp to ep (both included), in topological order. */
function between(L: Links, sp: Node, ep: Node): Node[] {
  if (sp === ep) return [sp];
  const fwd = new Set<Node>([sp]), stack = [sp];
  while (stack.length) for (const d of L.down.get(stack.pop()!)!) if (!fwd.has(d)) { fwd.add(d); stack.push(d); }
  const bwd = new Set<Node>([ep]);
  stack.push(ep);
  while (stack.length) for (const u of L.up.get(stack.pop()!)!) if (!bwd.has(u)) { bwd.add(u); stack.push(u); }
  return [...fwd].filter((n) => bwd.has(n)).sort((a, b) => L.order.get(a)! - L.order.get(b)!);
}

function build(L: Links, g: Graph, op: Node, limit: number): GraphBlock {
  const sp = op;
  let ep = op;
  for (;;) {
    const next = L.down.get(ep)!.length <= 1 ? coherentEp(L, g, ep) : multiInputEp(L, ep);
    if (!next || L.depth.get(next)! - L.depth.get(sp)! > limit) break;
    ep = next;
  }
  return { sp, ep, nodes: between(L, sp, ep) };
}

/**
 * split_graph_into_blocks: blocks in graph node order from every unvisited op that `isQuantableComputing`
 * accepts; with `interestedLayers` non-empty only blocks containing one of those node names are returned.
 */
export function buildBlocks(
  g: Graph, isQuantableComputing: (n: Node) => boolean, blockSize: number = DEFAULT_BLOCK_SIZE,
  interestedLayers: readonly string[] = [],
): GraphBlock[] {
  const L = links(g);
  const visited = new Set<Node>();
  const blocks: GraphBlock[] = [];
  for (const n of g.nodes) {
    if (visited.has(n) || !isQuantableComputing(n)) continue;
    const b = build(L, g, n, blockSize);
    for (const m of b.nodes) visited.add(m);
    blocks.push(b);
  }
  if (interestedLayers.length === 0) return blocks;
  const wanted = new Set(interestedLayers);
  return blocks.filter((b) => b.nodes.some((m) => wanted.has(m.name)));
}
