/**
 * The inverse of Swish fusion for runtimes without a Swish op (onnxruntime): each `Swish` node y = Swish(x)
 * becomes Sigmoid(x) → `<y>/sigmoid`, then Mul(x, `<y>/sigmoid`) → y. The Mul keeps the Swish's name, so
 * per-node reports still match; returns a new graph-level copy (the input model is not modified).
 */
import { cloneModel, type Model, type Node } from '../../ir/graph.js';
import { uniqueName } from './edit.js';

export function swishToOnnx(model: Model): Model {
  if (!model.graph.nodes.some((n) => n.opType === 'Swish')) return model;
  const m = cloneModel(model);
  const g = m.graph;
  g.nodes = g.nodes.flatMap((n): Node[] => {
    if (n.opType !== 'Swish' || (n.domain !== '' && n.domain !== 'ai.onnx')) return [n];
    const x = n.inputs[0]!;
    const y = n.outputs[0]!;
    const s = uniqueName(g, `${y}/sigmoid`);
    return [
      { name: uniqueName(g, `${n.name}/Sigmoid`), opType: 'Sigmoid', domain: '', inputs: [x], outputs: [s], attributes: new Map() },
      { name: n.name, opType: 'Mul', domain: '', inputs: [x, s], outputs: [y], attributes: new Map() },
    ];
  });
  return m;
}
