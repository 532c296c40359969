/**
 * The text form and the consistency check of a QuantizedGraph, for the pass runner's debug hooks (ir/pass.ts):
 * a dump after every pass shows, per op, its platform and every slot's config (state, bits, exponent through its
 * dominator), so two dumps diff to the pass and the tensor where an exponent changes.
 */
import { describeNode, validateGraph } from '../ir/validate.js';
import { resolve, type TensorQuantConfig, type QuantizedGraph } from './types.js';

function configText(cfg: TensorQuantConfig | undefined): string {
  if (!cfg) return '-';
  const owner = resolve(cfg);
  const e = owner.exponent;
  const exp = e === undefined ? '?' : Array.isArray(e) ? `[${e.join(',')}]` : String(e);
  const shared = owner === cfg ? '' : ` via #${owner.id}`;
  return `#${cfg.id} ${cfg.state} ${cfg.bits}b e=${exp}${shared}`;
}

/** One block per node: the node line, then `  in k: …` / `  out k: …` per config of quantized ops. */
export function describeQuantizedGraph(qg: QuantizedGraph): string {
  const lines: string[] = [];
  for (const node of qg.model.graph.nodes) {
    const op = qg.ops.get(node.name);
    lines.push(`${describeNode(node)} @${op ? op.platform : 'FP32'}`);
    if (!op) continue;
    op.inputs.forEach((c, i) => lines.push(`  in ${i} ${node.inputs[i] ?? ''}: ${configText(c)}`));
    op.outputs.forEach((c, i) => lines.push(`  out ${i} ${node.outputs[i] ?? ''}: ${configText(c)}`));
  }
  return lines.join('\n');
}

/** The model graph's checks, plus: every quantized op is a node of the graph with one config per slot. */
export function validateQuantizedGraph(qg: QuantizedGraph): void {
  validateGraph(qg.model.graph);
  const nodes = new Map(qg.model.graph.nodes.map((n) => [n.name, n]));
  for (const [name, op] of qg.ops) {
    const node = nodes.get(name);
    if (!node || node !== op.node) throw new Error(`quantized op ${name} is not a node of the graph`);
    if (op.inputs.length !== node.inputs.length || op.outputs.length !== node.outputs.length) {
      throw new Error(`quantized op ${name} has ${op.inputs.length}/${op.outputs.length} configs for ${node.inputs.length}/${node.outputs.length} slots`);
    }
  }
}
