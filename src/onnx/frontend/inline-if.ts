/**
 * Replaces an `If` node by the nodes of the branch its (constant) condition selects. Branch-local values and
 * initializers whose names are already used outside get fresh names; values the branch reads from the outer
 * scope keep theirs; each branch output takes the name of the matching `If` output (an Identity is added when
 * the branch output is an outer value or a constant, which Identity removal takes away later).
 */
import type { Graph, Node } from '../../ir/graph.js';
import { uniqueName } from '../../ir/edit.js';

export function inlineIf(g: Graph, ifNode: Node, condition: boolean): void {
  const attr = ifNode.attributes.get(condition ? 'then_branch' : 'else_branch');
  if (attr?.type !== 'graph') throw new Error(`If ${ifNode.name}: no ${condition ? 'then' : 'else'}_branch graph`);
  const branch = attr.value;
  const local = new Set<string>([...branch.initializers.keys()]);
  for (const n of branch.nodes) for (const o of n.outputs) if (o) local.add(o);
  // Names of the branch's outputs become the If's output names; other local names are kept unless taken.
  const rename = new Map<string, string>();
  const producedOutputs = new Map<string, string>();
  branch.outputs.forEach((o, i) => {
    const target = ifNode.outputs[i];
    if (!target) return;
    const producer = branch.nodes.some((n) => n.outputs.includes(o.name));
    if (producer && !producedOutputs.has(o.name)) {
      rename.set(o.name, target);
      producedOutputs.set(o.name, target);
    }
  });
  for (const name of local) {
    if (rename.has(name)) continue;
    const taken = g.initializers.has(name) || g.inputs.some((i) => i.name === name) || g.nodes.some((n) => n.outputs.includes(name) || n.name === name);
    if (taken) rename.set(name, uniqueName(g, name));
  }
  const map = (v: string): string => (v ? rename.get(v) ?? v : v);
  const nodes: Node[] = branch.nodes.map((n) => ({
    ...n,
    name: n.name && g.nodes.some((m) => m.name === n.name) ? uniqueName(g, n.name) : n.name,
    inputs: n.inputs.map(map),
    outputs: n.outputs.map(map),
    attributes: new Map([...n.attributes].map(([k, a]) => [k, a.type === 'graph' ? { type: 'graph' as const, value: renameReads(a.value, rename) } : a])),
  }));
  for (const [name, t] of branch.initializers) g.initializers.set(map(name), t);
  branch.outputs.forEach((o, i) => {
    const target = ifNode.outputs[i];
    if (!target || producedOutputs.get(o.name) === target) return;
    nodes.push({ name: uniqueName(g, `${ifNode.name}/${target}`), opType: 'Identity', domain: '', inputs: [map(o.name)], outputs: [target], attributes: new Map() });
  });
  const at = g.nodes.indexOf(ifNode);
  g.nodes.splice(at, 1, ...nodes);
}

/** A copy of a nested subgraph whose reads of renamed outer values follow the renaming. */
function renameReads(sub: Graph, rename: ReadonlyMap<string, string>): Graph {
  const map = (v: string): string => (v ? rename.get(v) ?? v : v);
  return {
    ...sub,
    nodes: sub.nodes.map((n) => ({
      ...n,
      inputs: n.inputs.map(map),
      attributes: new Map([...n.attributes].map(([k, a]) => [k, a.type === 'graph' ? { type: 'graph' as const, value: renameReads(a.value, rename) } : a])),
    })),
  };
}
