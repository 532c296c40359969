/**
 * Opset conversion: every model from ONNX opset 7 to 23 is brought to the form the rest of the tool reads,
 * op by op, following the ONNX operator changelog (onnx/docs/Changelog.md) and the adapters of onnx's own
 * version converter (onnx/version_converter/adapters):
 *
 * - opset 7–12 → 13: Upsample → Resize; Resize-10 (asymmetric coordinates, floor for nearest) → Resize-13;
 *   BatchNormalization `spatial`/`is_test` dropped; Clip, Pad, Slice, Squeeze, Unsqueeze, ReduceSum, Split and
 *   TopK attributes → inputs; Softmax/LogSoftmax/Hardmax before 13 (the input coerced to 2-D at `axis`) → the
 *   13 form, with Flatten/Reshape around it when `axis` is not the last one; Dropout → Identity; Scatter →
 *   ScatterElements; the experimental ImageScaler → Mul + Add.
 * - opset 13–21: kept as they are. The forms that still differ inside this range (Reduce* and Split attributes
 *   vs inputs at 18, Pad `axes` at 18, Resize's extra attributes at 18/19) are the ones ESP-PPQ's parser reads
 *   as they come and its exporter normalises itself (docs/esp-ppq.md §5.4): converting them here would rename
 *   tensors in the `.espdl` and break byte parity with ESP-PPQ on models it can load.
 * - opset 22–23 → 21: opsets 22 and 23 only widened type lists (bfloat16, float8, int4/float4) of existing
 *   ops and added new ops (Attention, RotaryEmbedding, RMSNormalization); a float model reads the same at 21.
 *   The new ops stay as they are (RMSNormalization is an ESP-DL op; the others have no ESP-DL kernel and are
 *   reported by the kernel check).
 *
 * Node and value names are kept; new constant inputs get fresh names derived from the node name.
 */
import { UnsupportedError } from '../../errors.js';
import { attrFloat, attrInt, attrInts, attrString, type Attribute, type Graph, type Model, type Node } from '../../ir/graph.js';
import { numel } from '../../ir/tensor.js';
import { addInitializer, uniqueName } from '../../ir/edit.js';
import { make } from '../../ir/tensor-math.js';
import type { StaticInfo } from './shapes.js';

export const OLDEST_OPSET = 7;
export const NEWEST_OPSET = 23;
/** The lowest opset of the internal form (below it, ops are upgraded). */
export const INTERNAL_MIN_OPSET = 13;
/** The highest opset of the internal form (above it, the declared opset is lowered; see the header). */
export const INTERNAL_MAX_OPSET = 21;

const isStd = (n: Node): boolean => n.domain === '' || n.domain === 'ai.onnx';

/** What the conversion did, for the log. */
export interface OpsetChange {
  from: number;
  to: number;
  /** "Upsample → Resize" etc., with how many nodes each. */
  rewrites: Map<string, number>;
}

/** The internal opset a model of `opset` is brought to. Throws for opsets outside 7–23. */
export function internalOpset(opset: number): number {
  if (opset < OLDEST_OPSET || opset > NEWEST_OPSET) {
    throw new UnsupportedError(`the model uses ONNX opset ${opset}; this tool reads opsets ${OLDEST_OPSET} to ${NEWEST_OPSET} ` +
      `(re-export it with a supported opset, e.g. torch.onnx.export(..., opset_version=13))`);
  }
  return Math.min(Math.max(opset, INTERNAL_MIN_OPSET), INTERNAL_MAX_OPSET);
}

type ShapeOf = (name: string) => StaticInfo | undefined;

/**
 * Converts `model` in place to its internal opset, except the adapters that need static shapes (see
 * convertShapedOps); returns what changed.
 */
export function convertOpset(model: Model): OpsetChange {
  const entry = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  const from = entry?.version ?? 0;
  const to = internalOpset(from);
  const change: OpsetChange = { from, to, rewrites: new Map() };
  if (from < INTERNAL_MIN_OPSET) upgradeGraph(model.graph, (g, n) => upgradeNode(g, n, from, change));
  if (entry) entry.version = to;
  else model.opsetImports.push({ domain: '', version: to });
  return change;
}

/**
 * The adapters that need the static shape of their input (Softmax-family before 13, ImageScaler), run once
 * shape subgraphs are folded; `from` is the model's original opset.
 */
export function convertShapedOps(model: Model, from: number, shapeOf: ShapeOf, change: OpsetChange): void {
  if (from >= INTERNAL_MIN_OPSET) return;
  upgradeGraph(model.graph, (g, n) => upgradeShaped(g, n, shapeOf, change));
}

function count(change: OpsetChange, what: string): void {
  change.rewrites.set(what, (change.rewrites.get(what) ?? 0) + 1);
}

/** Applies `convert` to every standard-domain node, If/Loop/Scan bodies included (same opset). */
function upgradeGraph(g: Graph, convert: (g: Graph, n: Node) => Node[]): void {
  const out: Node[] = [];
  for (const n of g.nodes) {
    const replaced = isStd(n) ? convert(g, n) : [n];
    out.push(...replaced);
    for (const m of replaced) for (const a of m.attributes.values()) if (a.type === 'graph') upgradeGraph(a.value, convert);
  }
  g.nodes = out;
}

/** Second pass: adapters that need the static shape of the node's input. */
function upgradeShaped(g: Graph, n: Node, shapeOf: ShapeOf, change: OpsetChange): Node[] {
  if (n.opType !== 'Softmax' && n.opType !== 'LogSoftmax' && n.opType !== 'Hardmax' && n.opType !== 'ImageScaler') return [n];
  return n.opType === 'ImageScaler' ? imageScaler(g, n, shapeOf, change) : softmaxTo13(g, n, shapeOf, change);
}

const ints = (g: Graph, base: string, values: readonly number[]): string => addInitializer(g, base, make('int64', [values.length], values));
const floats = (g: Graph, base: string, values: readonly number[]): string => addInitializer(g, base, make('float32', [values.length], values));
const scalar = (g: Graph, base: string, value: number): string => addInitializer(g, base, make('float32', [], [value]));

/** Moves attribute `attr` (ints) to input slot `slot` as an int64 initializer; returns whether it did. */
function attrToInput(g: Graph, n: Node, attr: string, slot: number): boolean {
  if (!n.attributes.has(attr)) return false;
  const values = attrInts(n, attr, []);
  n.attributes.delete(attr);
  while (n.inputs.length < slot) n.inputs.push('');
  n.inputs[slot] = ints(g, `${n.name || n.outputs[0]}_${attr}`, values);
  return true;
}

function dropAttributes(n: Node, names: string[]): void {
  for (const a of names) n.attributes.delete(a);
}

function upgradeNode(g: Graph, n: Node, from: number, change: OpsetChange): Node[] {
  // Attributes removed from every op by opset 7 that some exporters still write.
  dropAttributes(n, ['consumed_inputs']);
  switch (n.opType) {
    case 'Upsample': return [upsampleToResize(g, n, change)];
    case 'Resize':
      if (from < 11) return [resize10To13(n, change)];
      return [n];
    case 'BatchNormalization': {
      if (n.attributes.has('spatial') && attrInt(n, 'spatial', 1) !== 1) {
        throw new UnsupportedError(`node ${n.name} (BatchNormalization): spatial=0 (statistics per element) has no equivalent after opset 9; re-export the model`);
      }
      if (n.attributes.has('spatial') || n.attributes.has('is_test')) count(change, 'BatchNormalization spatial/is_test dropped');
      dropAttributes(n, ['spatial', 'is_test']);
      return [n];
    }
    case 'Clip': return [clipToInputs(g, n, change)];
    case 'Pad': return [padToInputs(g, n, change)];
    case 'Slice': return [sliceToInputs(g, n, change)];
    case 'Squeeze': case 'Unsqueeze': case 'ReduceSum':
      if (attrToInput(g, n, 'axes', 1)) count(change, `${n.opType} axes → input`);
      return [n];
    case 'Split':
      if (attrToInput(g, n, 'split', 1)) count(change, 'Split split → input');
      return [n];
    case 'TopK':
      if (n.attributes.has('k')) {
        n.inputs = [n.inputs[0]!, ints(g, `${n.name || n.outputs[0]}_k`, [attrInt(n, 'k', 1)])];
        n.attributes.delete('k');
        count(change, 'TopK k → input');
      }
      return [n];
    case 'Dropout': return [dropoutToIdentity(g, n, change)];
    case 'Scatter':
      count(change, 'Scatter → ScatterElements');
      return [{ ...n, opType: 'ScatterElements' }];
    default: return [n];
  }
}

/** Upsample-7 (scales attribute) / Upsample-9 (scales input) → Resize-13 with asymmetric coordinates. */
function upsampleToResize(g: Graph, n: Node, change: OpsetChange): Node {
  const mode = attrString(n, 'mode', 'nearest');
  const scales = n.attributes.has('scales') ? floats(g, `${n.name || n.outputs[0]}_scales`, n.attributes.get('scales')!.value as number[]) : n.inputs[1]!;
  count(change, 'Upsample → Resize');
  return {
    ...n, opType: 'Resize', inputs: [n.inputs[0]!, '', scales], attributes: resizeAttributes(mode === 'nearest' ? 'nearest' : 'linear'),
  };
}

/** Resize-10 had no roi input and computed coordinates asymmetrically (onnx adapter Resize_10_11). */
function resize10To13(n: Node, change: OpsetChange): Node {
  count(change, 'Resize-10 → Resize-13');
  const mode = attrString(n, 'mode', 'nearest');
  return { ...n, inputs: [n.inputs[0]!, '', n.inputs[1]!], attributes: resizeAttributes(mode) };
}

function resizeAttributes(mode: string): Map<string, Attribute> {
  const a = new Map<string, Attribute>([
    ['mode', { type: 'string', value: mode }],
    ['coordinate_transformation_mode', { type: 'string', value: 'asymmetric' }],
  ]);
  if (mode === 'nearest') a.set('nearest_mode', { type: 'string', value: 'floor' });
  return a;
}

/**
 * Clip-6 bounds → inputs, named `<clip>_min` / `<clip>_max`; a missing bound is ∓2^31, as ESP-PPQ's
 * GraphFormatter.format_clip writes it (simplify/legacy-attrs.ts), so both paths name and fill them alike.
 */
function clipToInputs(g: Graph, n: Node, change: OpsetChange): Node {
  if (!n.attributes.has('min') && !n.attributes.has('max')) return n;
  const min = attrFloat(n, 'min', -(2 ** 31));
  const max = attrFloat(n, 'max', 2 ** 31);
  dropAttributes(n, ['min', 'max']);
  n.inputs = [n.inputs[0]!, scalar(g, `${n.name}_min`, min), scalar(g, `${n.name}_max`, max)];
  count(change, 'Clip min/max → inputs');
  return n;
}

function padToInputs(g: Graph, n: Node, change: OpsetChange): Node {
  if (!n.attributes.has('pads')) return n;
  const pads = attrInts(n, 'pads', []);
  const value = attrFloat(n, 'value', 0);
  dropAttributes(n, ['pads', 'value']);
  n.inputs = [n.inputs[0]!, ints(g, `${n.name}_pads`, pads)];
  if (value !== 0) n.inputs.push(scalar(g, `${n.name}_value`, value));
  count(change, 'Pad pads/value → inputs');
  return n;
}

function sliceToInputs(g: Graph, n: Node, change: OpsetChange): Node {
  if (!n.attributes.has('starts')) return n;
  const starts = attrInts(n, 'starts', []);
  const ends = attrInts(n, 'ends', []);
  const axes = n.attributes.has('axes') ? attrInts(n, 'axes', []) : starts.map((_, i) => i);
  dropAttributes(n, ['starts', 'ends', 'axes']);
  n.inputs = [n.inputs[0]!, ints(g, `${n.name}_starts`, starts), ints(g, `${n.name}_ends`, ends), ints(g, `${n.name}_axes`, axes)];
  count(change, 'Slice starts/ends/axes → inputs');
  return n;
}

/**
 * Before opset 13, Softmax/LogSoftmax/Hardmax flatten the input to 2-D at `axis` (default 1) and normalise each
 * row; from 13 they work along one axis (default −1). The two agree when `axis` is the last axis; otherwise
 * the input is flattened, the op runs along the last axis, and the result is reshaped back (onnx adapter
 * Softmax_12_13). The Reshape takes over the node's output name.
 */
function softmaxTo13(g: Graph, n: Node, shapeOf: ShapeOf, change: OpsetChange): Node[] {
  const dims = shapeOf(n.inputs[0]!)?.dims;
  const given = attrInt(n, 'axis', 1);
  if (!dims) {
    throw new UnsupportedError(`node ${n.name} (${n.opType}, opset < 13): the shape of its input is not known statically, so its axis cannot be converted; give the input shapes with --input-shape`);
  }
  const rank = dims.length;
  const a = given < 0 ? given + rank : given;
  if (a === rank - 1 || rank <= 1) {
    n.attributes.set('axis', { type: 'int', value: -1 });
    return [n];
  }
  count(change, `${n.opType} (axis ${a} of ${rank}-D, opset < 13) → Flatten + ${n.opType} + Reshape`);
  const flat = uniqueName(g, `${n.outputs[0]}_flat`);
  const normed = uniqueName(g, `${n.outputs[0]}_2d`);
  const shape = ints(g, `${n.name}_shape`, dims);
  return [
    { name: uniqueName(g, `${n.name}_flatten`), opType: 'Flatten', domain: '', inputs: [n.inputs[0]!], outputs: [flat], attributes: new Map([['axis', { type: 'int', value: a }]]) },
    { ...n, inputs: [flat], outputs: [normed], attributes: new Map([['axis', { type: 'int', value: -1 }]]) },
    { name: uniqueName(g, `${n.name}_reshape`), opType: 'Reshape', domain: '', inputs: [normed, shape], outputs: [n.outputs[0]!], attributes: new Map() },
  ];
}

/** Inference-time Dropout is the identity; its mask output must be unused. */
function dropoutToIdentity(g: Graph, n: Node, change: OpsetChange): Node {
  const mask = n.outputs[1];
  if (mask && (g.nodes.some((m) => m.inputs.includes(mask)) || g.outputs.some((o) => o.name === mask))) return n;
  count(change, 'Dropout → Identity');
  return { ...n, opType: 'Identity', inputs: [n.inputs[0]!], outputs: [n.outputs[0]!], attributes: new Map() };
}

/** ImageScaler (experimental, removed in opset 10): y = scale · x + bias[c]. */
function imageScaler(g: Graph, n: Node, shapeOf: ShapeOf, change: OpsetChange): Node[] {
  const scale = attrFloat(n, 'scale', 1);
  const biasAttr = n.attributes.get('bias');
  const bias = biasAttr?.type === 'floats' ? biasAttr.value : [];
  const rank = shapeOf(n.inputs[0]!)?.dims?.length ?? 4;
  const biasDims = [1, bias.length, ...new Array<number>(Math.max(0, rank - 2)).fill(1)];
  const scaled = uniqueName(g, `${n.outputs[0]}_scaled`);
  count(change, 'ImageScaler → Mul + Add');
  const biasName = addInitializer(g, `${n.name}_bias`, make('float32', biasDims, bias));
  if (numel(biasDims) !== bias.length) throw new UnsupportedError(`node ${n.name} (ImageScaler): bias has ${bias.length} values`);
  return [
    { name: uniqueName(g, `${n.name}_mul`), opType: 'Mul', domain: '', inputs: [n.inputs[0]!, scalar(g, `${n.name}_scale`, scale)], outputs: [scaled], attributes: new Map() },
    { name: n.name, opType: 'Add', domain: '', inputs: [scaled, biasName], outputs: [n.outputs[0]!], attributes: new Map() },
  ];
}
