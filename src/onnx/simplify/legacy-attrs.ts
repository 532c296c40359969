/**
 * (g) Opset < 11 models: Clip min/max and Pad pads/value attributes become inputs (ESP-PPQ
 * esp_ppq/IR/morph.py GraphFormatter.format_clip / format_pad; Clip bounds named `<clip>_min` / `<clip>_max`,
 * a missing bound = ∓2^31 as there), opset-1 Slice attributes become inputs (format_slice), and the default
 * opset is raised to 11 so the result stays a valid model. Done only when every op in the graph has the same
 * semantics at opset 11 (otherwise the model is left as it is, with a warning).
 */
import { attrFloat, attrInts, type Graph, type Model, type Node } from '../../ir/graph.js';
import type { Logger } from '../../log.js';
import { addInitializer } from '../../ir/edit.js';
import { make } from '../../ir/tensor-math.js';

/** Ops whose opset-9/10 behaviour equals their opset-11 behaviour (given the rewrites below). */
const SAME_AT_11: ReadonlySet<string> = new Set([
  'Conv', 'ConvTranspose', 'Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'HardSigmoid', 'Tanh', 'Elu', 'Selu', 'Softplus',
  'Add', 'Sub', 'Mul', 'Div', 'Sum', 'Max', 'Min', 'Neg', 'Abs', 'Exp', 'Log', 'Sqrt', 'Pow', 'Floor', 'Ceil',
  'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Flatten', 'Reshape', 'Transpose', 'Concat',
  'Softmax', 'Gemm', 'MatMul', 'BatchNormalization', 'Clip', 'Pad', 'Slice', 'Squeeze', 'Unsqueeze', 'Shape',
  'Gather', 'Cast', 'Identity', 'Dropout', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSum', 'Split',
  'Constant', 'Equal', 'Greater', 'Less', 'Where', 'Expand', 'ConstantOfShape', 'Swish', 'LRN',
]);

const LEGACY = (n: Node) =>
  (n.opType === 'Clip' && (n.attributes.has('min') || n.attributes.has('max'))) ||
  (n.opType === 'Pad' && n.attributes.has('pads')) ||
  (n.opType === 'Slice' && n.attributes.has('starts'));

export function upgradeLegacyAttributes(model: Model, log: Logger): void {
  const g = model.graph;
  if (!g.nodes.some(LEGACY)) return;
  const other = g.nodes.filter((n) => (n.domain === '' || n.domain === 'ai.onnx') && !SAME_AT_11.has(n.opType));
  if (other.length > 0) {
    log.warn(`Clip/Pad/Slice attributes kept as they are: upgrading to opset 11 would change ${[...new Set(other.map((n) => n.opType))].join(', ')}`);
    return;
  }
  for (const n of g.nodes) {
    if (n.opType === 'Clip') clipToInputs(g, n);
    else if (n.opType === 'Pad') padToInputs(g, n);
    else if (n.opType === 'Slice') sliceToInputs(g, n);
    // Legacy attributes that opset 11 rejects.
    for (const a of ['is_test', 'spatial', 'consumed_inputs']) n.attributes.delete(a);
  }
  const entry = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (entry && entry.version < 11) entry.version = 11;
  log.info('moved Clip/Pad/Slice attributes to inputs and raised the opset to 11');
}

function clipToInputs(g: Graph, n: Node): void {
  if (!n.attributes.has('min') && !n.attributes.has('max')) return;
  const min = attrFloat(n, 'min', -(2 ** 31));
  const max = attrFloat(n, 'max', 2 ** 31);
  n.attributes.delete('min');
  n.attributes.delete('max');
  n.inputs = [n.inputs[0]!, addInitializer(g, `${n.name}_min`, make('float32', [], [min])), addInitializer(g, `${n.name}_max`, make('float32', [], [max]))];
}

function padToInputs(g: Graph, n: Node): void {
  if (!n.attributes.has('pads')) return;
  const pads = attrInts(n, 'pads', []);
  const value = attrFloat(n, 'value', 0);
  n.attributes.delete('pads');
  n.attributes.delete('value');
  n.inputs = [n.inputs[0]!, addInitializer(g, `${n.name}_pads`, make('int64', [pads.length], pads))];
  if (value !== 0) n.inputs.push(addInitializer(g, `${n.name}_value`, make('float32', [], [value])));
}

function sliceToInputs(g: Graph, n: Node): void {
  const starts = attrInts(n, 'starts', []);
  const ends = attrInts(n, 'ends', []);
  const axes = n.attributes.has('axes') ? attrInts(n, 'axes', []) : starts.map((_, i) => i);
  for (const a of ['starts', 'ends', 'axes']) n.attributes.delete(a);
  n.inputs = [
    n.inputs[0]!,
    addInitializer(g, `${n.name}_starts`, make('int64', [starts.length], starts)),
    addInitializer(g, `${n.name}_ends`, make('int64', [ends.length], ends)),
    addInitializer(g, `${n.name}_axes`, make('int64', [axes.length], axes)),
  ];
}
