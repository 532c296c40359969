/**
 * Horizontal layer split on the float model (ESP-PPQ HorizontalLayerSplitPass, esp_ppq/quantization/optim/morph.py,
 * method 'balance'): Y = W·X + b becomes (R·X + b) + (S·X) with S = (W/2)·(|W| > threshold) and R = W − S, so
 * the large weights of a layer are halved and its per-tensor weight scale can shrink.
 *
 * Graph edit, as ESP-PPQ does it (graph.create_operation / create_variable / create_link_with_op):
 * - clone  `PPQ_Operation_<k>`   : same op type, domain and attributes, inputs [X, `PPQ_Variable_<m>`] (S, no bias)
 * - Add    `PPQ_Operation_<k+1>` : inputs [`PPQ_Variable_<m+1>` (the original op's new output), `PPQ_Variable_<m+2>`
 *                                  (the clone's output)], output = the original output name, so consumers and
 *                                  graph outputs keep their names.
 * - the original op keeps its name, its weight initializer name (now holding R) and its bias.
 * ESP-PPQ numbers generated names with per-graph counters that start at 0; here each name is the next free
 * `PPQ_Operation_<k>` / `PPQ_Variable_<m>` (counting on from the previous one), so names never collide with
 * names already in the model. ESP-PPQ appends the new ops at the end of its op list; here the clone and the Add
 * are placed right after the original op, which keeps the node list topologically ordered.
 */
import { cloneModel, type Graph, type Model, type Node } from '../../ir/graph.js';
import { nextGeneratedName } from '../../ir/edit.js';
import { opInfo } from '../../ops/registry.js';
import { float32Tensor } from '../../ir/tensor.js';
import { InputError, UnsupportedError } from '../../errors.js';
import { nullLogger, type Logger } from '../../log.js';
import type { WeightSplitOptions } from '../options.js';

/** What one split created (for int16 dispatch: ESP-PPQ gives the clone and the Add the original op's platform). */
export interface SplitRecord {
  layer: string;
  clone: string;
  add: string;
  /** Initializer holding S (the clone's weight). */
  splitWeight: string;
  /** Weights moved into the clone (|w| > threshold) and the weight count. */
  processed: number;
  total: number;
}

/** Next free generated name, ESP-PPQ style (`<prefix><k>`), advancing the counter past taken names. */
function namer(taken: Set<string>, prefix: string): () => string {
  const counter = { next: 0 };
  return () => {
    const name = nextGeneratedName(prefix, counter, (n) => taken.has(n));
    taken.add(name);
    return name;
  };
}

/** h_split 'balance': S = (W/2)·mask, R = W − S (float32), mask = |W| > threshold. */
export function balanceSplit(w: Float32Array, valueThreshold: number): { r: Float32Array; s: Float32Array; processed: number } {
  const threshold = Math.fround(valueThreshold);
  const s = new Float32Array(w.length);
  const r = new Float32Array(w.length);
  let processed = 0;
  for (let i = 0; i < w.length; i++) {
    const masked = Math.abs(w[i]!) > threshold;
    const half = masked ? Math.fround(w[i]! / 2) : 0;
    if (masked) processed++;
    s[i] = half;
    r[i] = Math.fround(w[i]! - half);
  }
  return { r, s, processed };
}

function checkLayer(g: Graph, name: string, node: Node | undefined): asserts node is Node {
  if (!node) throw new InputError(`horizontal_layer_split: layer "${name}" is not a node of the model (interested_layers)`);
  if (!opInfo(node.opType).splittable) {
    throw new InputError(`horizontal_layer_split: layer "${name}" is a ${node.opType}; only Conv, ConvTranspose, Gemm and MatMul can be split`);
  }
  const w = node.inputs[1] ? g.initializers.get(node.inputs[1]) : undefined;
  if (!w) throw new InputError(`horizontal_layer_split: layer "${name}" has no constant weight (input 1), it cannot be split`);
  if (w.dtype !== 'float32') throw new UnsupportedError(`horizontal_layer_split: weight of "${name}" is ${w.dtype}, only float32 is supported`);
  const uses = g.nodes.reduce((c, n) => c + n.inputs.filter((i) => i === node.inputs[1]).length, 0);
  if (uses > 1 || g.outputs.some((o) => o.name === node.inputs[1])) {
    throw new UnsupportedError(`horizontal_layer_split: weight ${node.inputs[1]} of "${name}" is shared with other nodes`);
  }
}

/** Splits one layer in place on `g` (a graph this pass owns). Returns undefined when no weight exceeds the threshold. */
function splitOne(g: Graph, node: Node, threshold: number, names: { op: () => string; v: () => string }): SplitRecord | undefined {
  const wName = node.inputs[1]!;
  const w = g.initializers.get(wName)!;
  const { r, s, processed } = balanceSplit(w.data as Float32Array, threshold);
  if (processed === 0) return undefined;
  const clone = names.op();
  const splitWeight = names.v();
  const add = names.op();
  const [mine, theirs] = [names.v(), names.v()];
  const out = node.outputs[0]!;
  g.initializers.set(wName, float32Tensor(w.dims, r));
  g.initializers.set(splitWeight, float32Tensor(w.dims, s));
  const cloneNode: Node = {
    name: clone, opType: node.opType, domain: node.domain, inputs: [node.inputs[0]!, splitWeight], outputs: [theirs],
    attributes: new Map(node.attributes),
  };
  const addNode: Node = { name: add, opType: 'Add', domain: '', inputs: [mine, theirs], outputs: [out], attributes: new Map() };
  node.outputs[0] = mine;
  const info = g.valueInfo.get(out);
  if (info) for (const v of [mine, theirs]) g.valueInfo.set(v, { ...info, name: v, shape: info.shape ? [...info.shape] : undefined });
  g.nodes.splice(g.nodes.indexOf(node) + 1, 0, cloneNode, addNode);
  return { layer: node.name, clone, add, splitWeight, processed, total: r.length };
}

/**
 * HorizontalLayerSplitPass with its record of created ops. Layers are processed in list order (a layer named
 * twice is split twice, as in ESP-PPQ). Throws InputError for an empty list, an unknown layer, a layer of another
 * type or without a constant weight (ESP-PPQ raises ValueError/KeyError/TypeError there).
 */
export function splitLayers(
  model: Model, opts: WeightSplitOptions & { method?: 'balance' }, logger: Logger = nullLogger,
): { model: Model; splits: SplitRecord[] } {
  if (opts.interestedLayers.length === 0) {
    throw new InputError('horizontal_layer_split needs a list of layers to split (interested_layers is empty)');
  }
  if ((opts.method ?? 'balance') !== 'balance') throw new InputError(`horizontal_layer_split: method ${String(opts.method)} is not supported (balance)`);
  const out = cloneModel(model);
  const g = out.graph;
  const nodeNames = new Set(g.nodes.map((n) => n.name));
  const valueNames = new Set([...g.initializers.keys(), ...g.inputs.map((v) => v.name), ...g.outputs.map((v) => v.name),
    ...g.nodes.flatMap((n) => [...n.inputs, ...n.outputs]), ...g.valueInfo.keys()]);
  const names = { op: namer(nodeNames, 'PPQ_Operation_'), v: namer(valueNames, 'PPQ_Variable_') };
  const splits: SplitRecord[] = [];
  for (const name of opts.interestedLayers) {
    const node = g.nodes.find((n) => n.name === name);
    checkLayer(g, name, node);
    const rec = splitOne(g, node, opts.valueThreshold, names);
    if (!rec) {
      logger.debug(`horizontal_layer_split: layer ${name}: no weight above ${opts.valueThreshold}, left as is`);
      continue;
    }
    logger.debug(`horizontal_layer_split: layer ${name} split, ${rec.processed}/${rec.total} value(s) processed (${rec.clone}, ${rec.add})`);
    splits.push(rec);
  }
  return { model: out, splits };
}

/** HorizontalLayerSplitPass on the float model; returns a new model (the input is not modified). */
export function horizontalLayerSplit(model: Model, opts: WeightSplitOptions & { method?: 'balance' }, logger: Logger = nullLogger): Model {
  return splitLayers(model, opts, logger).model;
}
