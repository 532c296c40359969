/**
 * (e) Sigmoid(x)·x → one `Swish` node (ESP-DL op, default domain), ported from ESP-PPQ esp_ppq/IR/morph.py
 * GraphMerger.fuse_swish with its exclusive pattern match (esp_ppq/IR/search.py): x comes from a computing or
 * passive op P whose only consumers are the Sigmoid and the Mul, the Sigmoid feeds only the Mul, and the Mul
 * reads exactly x and the Sigmoid. The new node is named `<P>/Swish`, reads x and keeps the Mul's output name.
 */
import type { Graph, Node } from '../../ir/graph.js';
import type { Logger } from '../../log.js';
import { opInfo } from '../../ops/registry.js';
import { consumerMap, graphOutputNames, producerMap } from '../../ir/edit.js';

/** fuse_swish's sources: esp_ppq/core/common.py COMPUTING_OP ∪ PASSIVE_OPERATIONS. */
function isSource(n: Node): boolean {
  const info = opInfo(n.opType);
  return info.computing || info.passive;
}

export function fuseSwish(g: Graph, log: Logger): void {
  const prod = producerMap(g.nodes);
  const cons = consumerMap(g.nodes);
  const outputs = graphOutputNames(g);
  const dead = new Set<Node>();
  const added = new Map<Node, Node>();
  for (const sig of g.nodes) {
    if (sig.opType !== 'Sigmoid' || dead.has(sig)) continue;
    const x = sig.inputs[0]!;
    const s = sig.outputs[0]!;
    const src = prod.get(x);
    const sigUsers = cons.get(s) ?? [];
    const mul = sigUsers[0];
    if (!src || !isSource(src) || sigUsers.length !== 1 || mul!.opType !== 'Mul' || outputs.has(s)) continue;
    if (mul!.inputs.length !== 2 || !mul!.inputs.includes(x) || !mul!.inputs.includes(s)) continue;
    const srcUsers = new Set(src.outputs.flatMap((o) => cons.get(o) ?? []));
    if (srcUsers.size !== 2 || !srcUsers.has(sig) || !srcUsers.has(mul!)) continue;
    const swish: Node = { name: `${src.name}/Swish`, opType: 'Swish', domain: '', inputs: [x], outputs: [...mul!.outputs], attributes: new Map() };
    g.valueInfo.delete(s);
    dead.add(sig).add(mul!);
    added.set(mul!, swish);
    log.debug(`fused Sigmoid ${sig.name} · Mul ${mul!.name} into Swish ${swish.name}`);
  }
  // The Swish takes the Mul's place in node order.
  g.nodes = g.nodes.flatMap((n) => (added.has(n) ? [added.get(n)!] : dead.has(n) ? [] : [n]));
}
