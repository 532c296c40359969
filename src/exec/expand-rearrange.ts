/**
 * Standard-ONNX expansions of two data-rearranging ops whose ESP-DL meaning onnxruntime lacks (used by
 * forOnnxRuntime):
 * - `InsertZeros` (ESP-DL op, made by ConvTranspose decomposition; docs/esp-ppq.md §3.5): stride − 1 zeros after
 *   every input element along each spatial axis, the trailing ones cut so that the length is
 *   (L − 1)·stride + 1 + output_padding.
 * - `SpaceToDepth`: ESP-PPQ runs it as torch's pixel_unshuffle (esp_ppq/executor/op/torch/default.py
 *   SpaceToDepth_forward) and ESP-DL's kernel (dl_module_space_to_depth.hpp) computes the same order,
 *   out channel = c·b² + (h mod b)·b + (w mod b) — ONNX's SpaceToDepth puts the block offset first
 *   ((h mod b)·b + (w mod b))·C + c. Shapes agree, channel order does not; we simulate ESP-DL's order.
 * Shapes are read at run time (Shape ops), so the expansions need no value info.
 */
import type { Attribute, Graph, Node } from '../ir/graph.js';
import { attrInt, attrInts } from '../ir/graph.js';
import { addInitializer, uniqueName } from '../ir/edit.js';
import { make } from '../ir/tensor-math.js';

const plain = (name: string, opType: string, inputs: string[], outputs: string[], attributes: Map<string, Attribute> = new Map()): Node =>
  ({ name, opType, domain: '', inputs, outputs, attributes });

/** ONNX Slice's "to the end" bound. */
const TO_END = 2 ** 62;

function unsqueeze(g: Graph, name: string, x: string, axes: number[], out: string, opset: number): Node[] {
  if (opset >= 13) return [plain(name, 'Unsqueeze', [x, addInitializer(g, `${name}/axes`, make('int64', [axes.length], axes))], [out])];
  return [plain(name, 'Unsqueeze', [x], [out], new Map([['axes', { type: 'ints', value: axes }]]))];
}

function pad(g: Graph, name: string, x: string, pads: number[], out: string, opset: number): Node {
  if (opset >= 11) return plain(name, 'Pad', [x, addInitializer(g, `${name}/pads`, make('int64', [pads.length], pads))], [out]);
  return plain(name, 'Pad', [x], [out], new Map<string, Attribute>([['pads', { type: 'ints', value: pads }]]));
}

function slice(g: Graph, name: string, x: string, starts: number[], ends: number[], axes: number[], out: string): Node {
  const t = (s: string, v: number[]) => addInitializer(g, `${name}/${s}`, make('int64', [v.length], v));
  return plain(name, 'Slice', [x, t('starts', starts), t('ends', ends), t('axes', axes)], [out]);
}

/** InsertZeros → Unsqueeze, Pad (zeros after each element), Reshape (merge), Slice (trim the tail). */
export function expandInsertZeros(g: Graph, n: Node, opset: number): Node[] {
  const [x] = n.inputs as [string];
  const strides = attrInts(n, 'stride', []);
  const r = strides.length;
  const outputPadding = attrInts(n, 'output_padding', new Array<number>(r).fill(0));
  const v = (s: string) => uniqueName(g, `${n.name}/${s}`);
  const spatial = Array.from({ length: r }, (_, i) => 2 + i);
  const [unsq, padded, shape, head, tail, scaled, target, merged] =
    ['unsqueezed', 'padded', 'shape', 'head', 'tail', 'scaled', 'target', 'merged'].map(v) as string[] as [string, string, string, string, string, string, string, string];
  const padEnd = new Array<number>(2 + 2 * r).fill(0);
  spatial.forEach((_, i) => { padEnd[3 + 2 * i] = strides[i]! - 1; });
  const nodes: Node[] = [
    ...unsqueeze(g, v('Unsqueeze'), x, spatial.map((_, i) => 3 + 2 * i), unsq, opset),
    pad(g, v('Pad'), unsq, [...new Array<number>(2 + 2 * r).fill(0), ...padEnd], padded, opset),
    plain(v('Shape'), 'Shape', [x], [shape]),
    slice(g, v('SliceHead'), shape, [0], [2], [0], head),
    slice(g, v('SliceTail'), shape, [2], [2 + r], [0], tail),
    plain(v('Mul'), 'Mul', [tail, addInitializer(g, `${n.name}/strides`, make('int64', [r], strides))], [scaled]),
    plain(v('Concat'), 'Concat', [head, scaled], [target], new Map([['axis', { type: 'int', value: 0 }]])),
  ];
  // Each axis holds L·s values; keep (L − 1)·s + 1 + output_padding of them.
  const cut = spatial.map((_, i) => strides[i]! - 1 - (outputPadding[i] ?? 0));
  if (cut.every((c) => c === 0)) {
    nodes.push(plain(n.name, 'Reshape', [padded, target], [...n.outputs]));
  } else {
    nodes.push(plain(v('Reshape'), 'Reshape', [padded, target], [merged]));
    nodes.push(slice(g, n.name, merged, cut.map(() => 0), cut.map((c) => (c > 0 ? -c : TO_END)), spatial, n.outputs[0]!));
  }
  return nodes;
}

/**
 * SpaceToDepth in ESP-DL's (pixel_unshuffle) order: every channel on its own ([N·C, 1, H, W]), ONNX
 * SpaceToDepth there (one channel: block offset order only), then back to [N, C·b², H/b, W/b].
 */
export function expandSpaceToDepth(g: Graph, n: Node): Node[] {
  const [x] = n.inputs as [string];
  const v = (s: string) => uniqueName(g, `${n.name}/${s}`);
  const [split, s2d, shape, batch, target] = ['per_channel', 's2d', 'shape', 'batch', 'target'].map(v) as [string, string, string, string, string];
  const blocksize = attrInt(n, 'blocksize', 1);
  return [
    plain(v('ReshapeIn'), 'Reshape', [x, addInitializer(g, `${n.name}/split_shape`, make('int64', [4], [-1, 1, 0, 0]))], [split]),
    plain(v('SpaceToDepth'), 'SpaceToDepth', [split], [s2d], new Map([['blocksize', { type: 'int', value: blocksize }]])),
    plain(v('Shape'), 'Shape', [x], [shape]),
    slice(g, v('SliceBatch'), shape, [0], [1], [0], batch),
    plain(v('Concat'), 'Concat', [batch, addInitializer(g, `${n.name}/rest`, make('int64', [3], [-1, 0, 0]))], [target], new Map([['axis', { type: 'int', value: 0 }]])),
    plain(n.name, 'Reshape', [s2d, target], [...n.outputs]),
  ];
}
