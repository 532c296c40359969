/**
 * Element types of every value in a graph, by simple propagation. Needed to expose intermediate values as graph
 * outputs (ONNX requires an element type there) when the model carries no value_info for them.
 */
import type { Graph } from '../ir/graph.js';
import { dataTypeFromCode, type DataType } from '../ir/tensor.js';
import { topologicalSort } from '../ir/topo.js';
import { opInfo } from '../ops/registry.js';


export function inferValueTypes(g: Graph): Map<string, DataType> {
  const types = new Map<string, DataType>();
  for (const v of g.inputs) types.set(v.name, v.dtype);
  for (const [name, t] of g.initializers) types.set(name, t.dtype);
  for (const [name, v] of g.valueInfo) types.set(name, v.dtype);
  for (const node of topologicalSort(g)) {
    let out: DataType | undefined;
    const fixed = opInfo(node.opType).outputType;
    if (fixed) out = fixed;
    else if (node.opType === 'Cast') {
      const to = node.attributes.get('to');
      out = to && to.type === 'int' ? dataTypeFromCode(to.value) : undefined;
    } else if (node.opType === 'ConstantOfShape' || node.opType === 'Constant') {
      const v = node.attributes.get('value');
      out = v && v.type === 'tensor' ? v.value.dtype : 'float32';
    } else if (node.opType === 'Where') out = types.get(node.inputs[1] ?? '');
    else out = types.get(node.inputs.find((i) => i) ?? '');
    node.outputs.forEach((o, i) => {
      if (!o || types.has(o)) return;
      // Secondary outputs of TopK/MaxPool are indices.
      types.set(o, i > 0 && (node.opType === 'TopK' || node.opType === 'MaxPool') ? 'int64' : out ?? 'float32');
    });
  }
  return types;
}
