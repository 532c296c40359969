/**
 * The inverse of the ESP-DL-only fusions, for runtimes that lack those ops (onnxruntime): `Swish` becomes
 * Sigmoid + Mul, and `RMSNormalization` (ONNX only from opset 23) becomes Pow/ReduceMean/Add/Sqrt/Div/Mul when
 * the model's opset is older. ESP-DL's `InsertZeros` and ESP-DL's channel order of `SpaceToDepth` are expanded
 * too (expand-rearrange.ts). The last node of each expansion keeps the fused node's name and output, so
 * per-node reports still match. Returns the model itself when there is nothing to expand, else a copy.
 */
import { cloneModel, onnxOpset, type Graph, type Model, type Node } from '../ir/graph.js';
import { addInitializer, uniqueName } from '../ir/edit.js';
import { expandInsertZeros, expandSpaceToDepth } from './expand-rearrange.js';
import { make } from '../ir/tensor-math.js';

const plain = (name: string, opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = new Map()): Node =>
  ({ name, opType, domain: '', inputs, outputs, attributes });

export function forOnnxRuntime(model: Model): Model {
  const opset = onnxOpset(model);
  const expanded = new Set(['Swish', 'InsertZeros', 'SpaceToDepth']);
  const needs = (n: Node) => (n.domain === '' || n.domain === 'ai.onnx') && (expanded.has(n.opType) || (n.opType === 'RMSNormalization' && opset < 23));
  if (!model.graph.nodes.some(needs)) return model;
  const m = cloneModel(model);
  const g = m.graph;
  const out: Node[] = [];
  for (const n of g.nodes) {
    if (!needs(n)) out.push(n);
    else if (n.opType === 'Swish') out.push(...expandSwish(g, n));
    else if (n.opType === 'InsertZeros') out.push(...expandInsertZeros(g, n, opset));
    else if (n.opType === 'SpaceToDepth') out.push(...expandSpaceToDepth(g, n));
    else out.push(...expandRmsNorm(g, n, opset));
  }
  g.nodes = out;
  return m;
}

function expandSwish(g: Graph, n: Node): Node[] {
  const [x] = n.inputs as [string];
  const s = uniqueName(g, `${n.outputs[0]}/sigmoid`);
  return [plain(uniqueName(g, `${n.name}/Sigmoid`), 'Sigmoid', [x], [s]), plain(n.name, 'Mul', [x, s], [...n.outputs])];
}

function expandRmsNorm(g: Graph, n: Node, opset: number): Node[] {
  const [x, w] = n.inputs as [string, string];
  const axis = n.attributes.get('axis');
  const eps = n.attributes.get('epsilon');
  const ax = axis?.type === 'int' ? axis.value : -1;
  const v = (s: string) => uniqueName(g, `${n.name}/${s}`);
  const [p, mean, added, root, div] = ['pow', 'mean', 'add', 'sqrt', 'div'].map(v) as [string, string, string, string, string];
  const two = addInitializer(g, `${n.name}/two`, make('float32', [], [2]));
  const epsName = addInitializer(g, `${n.name}/eps`, make('float32', [], [eps?.type === 'float' ? eps.value : 1e-5]));
  const reduce = opset >= 18
    ? plain(v('ReduceMean'), 'ReduceMean', [p, addInitializer(g, `${n.name}/axes`, make('int64', [1], [ax]))], [mean])
    : plain(v('ReduceMean'), 'ReduceMean', [p], [mean], new Map([['axes', { type: 'ints', value: [ax] }]]));
  return [
    plain(v('Pow'), 'Pow', [x, two], [p]), reduce, plain(v('Add'), 'Add', [mean, epsName], [added]),
    plain(v('Sqrt'), 'Sqrt', [added], [root]), plain(v('Div'), 'Div', [x, root], [div]), plain(n.name, 'Mul', [div, w], [...n.outputs]),
  ];
}
