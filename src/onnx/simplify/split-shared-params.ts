/**
 * A parameter (initializer) read by more than one op slot gets one copy per reading slot, named
 * `PPQ_Variable_<k>`, and the shared original disappears — ESP-PPQ's GraphFormatter.format_parameter
 * (esp_ppq/IR/morph.py, "Split parameter that has more than 1 dest ops"; run by format_graph right after
 * FORMAT_CONSTANT_INPUT). Parameters are visited in order of first use (PPQ's variable creation order while
 * parsing), their readers in node order; k is PPQ's running counter of generated variables, i.e. the next
 * index not in use. ESP-PPQ's `.espdl` and model.json use these names (ops fixtures ScatterND/*: one
 * `squeezed_axis` read by two Squeezes → PPQ_Variable_0, PPQ_Variable_1). Tensors are shared, not copied:
 * nothing edits an initializer's data in place.
 */
import type { Graph } from '../../ir/graph.js';
import type { Logger } from '../../log.js';
import { graphOutputNames, subgraphReads } from '../../ir/edit.js';

export function splitSharedParams(g: Graph, log: Logger): void {
  const uses = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) if (i && g.initializers.has(i)) uses.set(i, (uses.get(i) ?? 0) + 1);
  // A value a subgraph or the graph's outputs also read cannot disappear.
  const pinned = new Set([...subgraphReads(g), ...graphOutputNames(g)]);
  const shared = [...uses].filter(([name, count]) => count > 1 && !pinned.has(name)).map(([name]) => name);
  if (shared.length === 0) return;
  const taken = new Set<string>([...g.initializers.keys(), ...g.inputs.map((i) => i.name), ...g.outputs.map((o) => o.name)]);
  for (const n of g.nodes) for (const v of [n.name, ...n.inputs, ...n.outputs]) taken.add(v);
  let k = 0;
  const fresh = (): string => {
    while (taken.has(`PPQ_Variable_${k}`)) k++;
    taken.add(`PPQ_Variable_${k}`);
    return `PPQ_Variable_${k}`;
  };
  for (const name of shared) {
    const t = g.initializers.get(name)!;
    for (const n of g.nodes) {
      for (let i = 0; i < n.inputs.length; i++) {
        if (n.inputs[i] !== name) continue;
        const copy = fresh();
        g.initializers.set(copy, t);
        n.inputs[i] = copy;
      }
    }
    g.initializers.delete(name);
    g.inputs = g.inputs.filter((v) => v.name !== name);
    g.valueInfo.delete(name);
  }
  log.debug(`split ${shared.length} shared parameter(s) into one copy per reader: ${shared.join(', ')}`);
}
