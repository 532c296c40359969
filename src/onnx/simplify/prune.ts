/**
 * (h) Removes nodes whose outputs nothing reads (not a graph output, not read by a subgraph), repeatedly, then
 * initializers nothing reads, graph inputs that are really initializers (IR < 4 style), and stale value info.
 * ESP-PPQ: esp_ppq/IR/morph.py GraphFormatter.delete_isolated.
 */
import type { Graph } from '../../ir/graph.js';
import type { Logger } from '../../log.js';
import { valuesRead } from '../../ir/edit.js';

export function pruneUnused(g: Graph, log: Logger): void {
  const constantInputs = new Set(g.inputs.filter((i) => g.initializers.has(i.name)).map((i) => i.name));
  const nodesBefore = g.nodes.length;
  const initBefore = g.initializers.size;
  let read: Set<string>;
  for (;;) {
    read = valuesRead(g);
    const next = g.nodes.filter((n) => n.outputs.some((o) => o && read.has(o)));
    if (next.length === g.nodes.length) break;
    g.nodes = next;
  }
  for (const name of [...g.initializers.keys()]) if (!read.has(name)) g.initializers.delete(name);
  g.inputs = g.inputs.filter((i) => !constantInputs.has(i.name));
  const live = new Set<string>([...g.inputs.map((i) => i.name), ...g.outputs.map((o) => o.name)]);
  for (const n of g.nodes) for (const o of n.outputs) live.add(o);
  for (const name of [...g.valueInfo.keys()]) if (!live.has(name)) g.valueInfo.delete(name);
  const nodes = nodesBefore - g.nodes.length;
  const inits = initBefore - g.initializers.size;
  if (nodes > 0 || inits > 0) log.debug(`removed ${nodes} unused nodes and ${inits} unused initializers`);
}
