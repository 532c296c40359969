/**
 * (d) Bias-Add fusion, ported from ESP-PPQ esp_ppq/IR/morph.py GraphMerger.fuse_bias_add: a Conv /
 * ConvTranspose / Gemm without bias whose only consumer is an Add with one constant operand takes that constant
 * as its bias. Conv-like: the constant must have the weight's rank and be non-1 only on axis 1 (per output
 * channel). As in ESP-PPQ (Graph.remove_operation with keep_coherence), the Add's OUTPUT name disappears and
 * its consumers read the Conv's output — except when the Add's output is a graph output: then the Conv's output
 * is renamed to it, so the model's output names never change. The bias initializer is `<node>_bias`.
 */
import { attrFloat, type Graph, type Node } from '../../ir/graph.js';
import { numel, type Tensor } from '../../ir/tensor.js';
import type { Logger } from '../../log.js';
import { opInfo } from '../../ops/registry.js';
import { addInitializer, consumerMap, graphOutputNames, redirectConsumers, removeNodes, renameValue } from '../../ir/edit.js';

export function fuseBiasAdd(g: Graph, log: Logger): void {
  const dead = new Set<Node>();
  const cons = consumerMap(g.nodes);
  const outputs = graphOutputNames(g);
  for (const op of g.nodes) {
    if (!opInfo(op.opType).weightAndBias || op.inputs.filter((i) => i).length !== 2) continue;
    const out = op.outputs[0]!;
    const users = cons.get(out) ?? [];
    const add = users[0];
    if (users.length !== 1 || add!.opType !== 'Add' || op.outputs.length !== 1 || outputs.has(out)) continue;
    const other = add!.inputs[0] === out ? add!.inputs[1] : add!.inputs[0];
    if (add!.inputs.length !== 2 || add!.inputs[0] === add!.inputs[1] || !other) continue;
    const bias = g.initializers.get(other);
    const weight = g.initializers.get(op.inputs[1] ?? '');
    if (!bias || !weight || bias.dtype !== 'float32') continue;
    const fused = biasFor(op, bias, weight);
    if (!fused) continue;
    op.inputs.length = 2;
    op.inputs.push(addInitializer(g, `${op.name}_bias`, fused));
    const addOut = add!.outputs[0]!;
    if (outputs.has(addOut)) {
      g.valueInfo.delete(out);
      renameValue(g, out, addOut);
    } else {
      redirectConsumers(g.nodes, addOut, out);
      g.valueInfo.delete(addOut);
    }
    dead.add(add!);
    log.debug(`fused bias Add ${add!.name} into ${op.opType} ${op.name}`);
  }
  removeNodes(g, dead);
}

function biasFor(op: Node, bias: Tensor, weight: Tensor): Tensor | undefined {
  if (op.opType === 'Gemm') {
    // Gemm's C is scaled by beta; a bias-free Gemm may carry any beta, so only beta = 1 is safe.
    if (attrFloat(op, 'beta', 1) !== 1 || bias.dims.length > 2) return undefined;
    return bias;
  }
  const nonOne = bias.dims.flatMap((d, i) => (d !== 1 ? [i] : []));
  if (bias.dims.length !== weight.dims.length || nonOne.length !== 1 || nonOne[0] !== 1) return undefined;
  return { dtype: 'float32', dims: [numel(bias.dims)], data: bias.data };
}
