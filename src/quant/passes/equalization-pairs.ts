/**
 * Equalization pair search, ported from ESP-PPQ esp_ppq/quantization/optim/equalization.py
 * (LayerwiseEqualizationPass.find_equalization_pair, OPTIMIZATION_LAYERTYPE_CONFIG, EQUALIZATION_OPERATION_TYPE)
 * and the path search of esp_ppq/IR/search.py (SearchableGraph._path_matching): from each candidate op go down
 * through "crossable" ops to the first non-crossable ops (the downstream layers), then up from those through
 * crossable ops to the first non-crossable ops (the upstream layers).
 */
import type { Graph, Node } from '../../ir/graph.js';
import { downstreamOf, indexNodes, upstreamOf } from '../../ir/edit.js';
import { opInfo } from '../../ops/registry.js';

const equalizable = (n: Node): boolean => opInfo(n.opType).equalizable;

/** Can a pair be connected through `n` at this optimize level (Clip never is)? */
function crossable(n: Node, level: 1 | 2): boolean {
  const from = opInfo(n.opType).equalizationCrossableFrom;
  return from !== undefined && from <= level;
}

/** Layers whose output channels are scaled by s and layers whose input channels are divided by s. */
export interface EqualizationPair {
  readonly upstream: readonly Node[];
  readonly downstream: readonly Node[];
  /** Crossable ops between them (the values they produce are scaled too). */
  readonly relays: ReadonlySet<Node>;
}

interface Reach { ends: Set<Node>; relays: Set<Node> }

/** Non-crossable ops reachable from `starts` through crossable ops (the end points of all matched paths). */
function reach(starts: readonly Node[], next: (n: Node) => Node[], level: 1 | 2): Reach {
  const ends = new Set<Node>();
  const relays = new Set<Node>();
  const stack = [...starts];
  while (stack.length > 0) {
    for (const op of next(stack.pop()!)) {
      if (!crossable(op, level)) ends.add(op);
      else if (!relays.has(op)) { relays.add(op); stack.push(op); }
    }
  }
  return { ends, relays };
}

/** get_downstream_operations / get_upstream_operations: initializers and graph inputs have no producer. */
function adjacency(g: Graph): { down: (n: Node) => Node[]; up: (n: Node) => Node[] } {
  const nodes = indexNodes(g.nodes);
  return { down: (n) => downstreamOf(nodes, n), up: (n) => upstreamOf(nodes, n) };
}

/**
 * The candidate ops in ESP-PPQ's order: the named ones in list order (unknown names are ignored, as in ESP-PPQ),
 * or, with no names, every Conv/Gemm/ConvTranspose in node order.
 */
function candidates(g: Graph, interestedLayers: readonly string[] | undefined): Node[] {
  if (!interestedLayers || interestedLayers.length === 0) return g.nodes.filter(equalizable);
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  return interestedLayers.flatMap((name) => { const n = byName.get(name); return n ? [n] : []; });
}

/**
 * All pairs in ESP-PPQ's discovery order, before the extra safety checks of the pass (see equalization.ts).
 * A start op already collected as an upstream layer of an earlier pair (valid or not) is skipped; a pair
 * is kept only when every up/down layer is an equalizable type and both sides are non-empty.
 */
export function findEqualizationPairs(g: Graph, optLevel: 1 | 2, interestedLayers?: readonly string[]): EqualizationPair[] {
  const adj = adjacency(g);
  const visited = new Set<Node>();
  const pairs: EqualizationPair[] = [];
  for (const op of candidates(g, interestedLayers)) {
    if (visited.has(op) || !equalizable(op)) continue;
    const down = reach([op], adj.down, optLevel);
    const up = reach([...down.ends], adj.up, optLevel);
    for (const u of up.ends) visited.add(u);
    const all = [...up.ends, ...down.ends];
    if (all.some((n) => !equalizable(n))) continue;
    if (up.ends.size === 0 || down.ends.size === 0) continue;
    pairs.push({ upstream: [...up.ends], downstream: [...down.ends], relays: new Set([...down.relays, ...up.relays]) });
  }
  return pairs;
}
