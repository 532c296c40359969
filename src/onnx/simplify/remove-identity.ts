/**
 * (f) Identity and inference-mode Dropout removal. As in ESP-PPQ (esp_ppq/IR/morph.py remove_identity →
 * Graph.remove_operation(keep_coherence=True)) the node's OUTPUT name disappears and its consumers read its
 * input. Deliberate difference: when the output is a graph output, the upstream value is renamed to it instead
 * (ESP-PPQ renames the graph output), so a model's output names never change.
 */
import type { Graph, Node } from '../../ir/graph.js';
import type { Logger } from '../../log.js';
import { graphOutputNames, redirectConsumers, removeNodes, renameValue } from '../../ir/edit.js';
import { nums } from '../../ir/tensor-math.js';

export function removeIdentity(g: Graph, log: Logger): void {
  let removed = 0;
  for (const n of [...g.nodes]) {
    if (!isNoop(g, n)) continue;
    const x = n.inputs[0]!;
    const y = n.outputs[0]!;
    const outputs = graphOutputNames(g);
    if (outputs.has(y)) {
      const inputOrConst = g.initializers.has(x) || g.inputs.some((i) => i.name === x) || outputs.has(x);
      if (inputOrConst) continue; // y must stay a node output with its own name
      removeNodes(g, new Set([n]));
      g.valueInfo.delete(x);
      renameValue(g, x, y);
    } else {
      removeNodes(g, new Set([n]));
      redirectConsumers(g.nodes, y, x);
      g.valueInfo.delete(y);
    }
    removed++;
  }
  if (removed > 0) log.debug(`removed ${removed} Identity/Dropout nodes`);
}

function isNoop(g: Graph, n: Node): boolean {
  if (n.domain !== '' && n.domain !== 'ai.onnx') return false;
  if (!n.inputs[0] || !n.outputs[0]) return false;
  if (n.opType === 'Identity') return true;
  if (n.opType !== 'Dropout') return false;
  // The mask output must be unused, and training_mode (opset 12+) absent or a constant false.
  if (n.outputs[1] && g.nodes.some((m) => m.inputs.includes(n.outputs[1]!))) return false;
  if (n.outputs[1] && graphOutputNames(g).has(n.outputs[1])) return false;
  const training = n.inputs[2];
  if (!training) return true;
  const t = g.initializers.get(training);
  return t !== undefined && nums(t).every((v) => v === 0);
}
