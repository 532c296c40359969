/**
 * Layer-wise weight equalization on the float model (ESP-PPQ LayerwiseEqualizationPass,
 * esp_ppq/quantization/optim/equalization.py; math in ../algorithms/equalization.ts, pair search in
 * ./equalization-pairs.ts). Runs before quantization: it rescales weights so that per-tensor weight ranges
 * of consecutive layers even out, keeping the float function unchanged (s > 0 commutes with the crossable
 * ops). ESP-PPQ's fixed settings are kept: including_bias = False, including_act = False (AutoQuant never
 * changes them), so only weights drive the scales and biases are merely rescaled with their channel.
 *
 * Conscious deviations (ESP-PPQ would crash, or silently change the model's outputs): a pair is skipped, with a
 * warning, when a layer's weight/bias is not a float32 initializer owned by that layer alone, a Gemm has
 * transA = 1 or a bias that is not per output feature, channel counts disagree, a rescaled value is a graph
 * output / read by a subgraph / read by an op outside the pair, or a crossable op mixes a rescaled value with
 * an unscaled one (Add with a constant or a graph input, PRelu slope from the pair).
 */
import { attrInt, cloneModel, type Graph, type Model, type Node } from '../../ir/graph.js';
import { float32Tensor } from '../../ir/tensor.js';
import { nullLogger, type Logger } from '../../log.js';
import type { EqualizationOptions } from '../options.js';
import {
  channelMaxima, convInputMap, convOutputMap, convTransposeInputMap, convTransposeOutputMap, equalizationScale,
  gemmInputMap, gemmOutputMap, scaleBias, scaleChannels, type ChannelMap,
} from '../algorithms/equalization.js';
import { findEqualizationPairs, type EqualizationPair } from './equalization-pairs.js';
import { subgraphReads } from '../../ir/edit.js';

export { findEqualizationPairs, type EqualizationPair } from './equalization-pairs.js';

/** One layer's role in a pair: which initializers change and how its weight maps onto channels. */
export interface EqualizationRole { weight: string; bias: string | undefined; map: ChannelMap }

/** A pair prepared for iterating: up and down roles share one channel count. */
export interface PreparedPair { up: EqualizationRole[]; down: EqualizationRole[]; channels: number }

/** The initializer names read by more than one input slot in the model (or exposed as graph outputs). */
function sharedNames(g: Graph): Set<string> {
  const count = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) count.set(i, (count.get(i) ?? 0) + 1);
  for (const o of g.outputs) count.set(o.name, (count.get(o.name) ?? 0) + 2);
  for (const r of subgraphReads(g)) count.set(r, (count.get(r) ?? 0) + 2);
  return new Set([...count].filter(([, c]) => c > 1).map(([k]) => k));
}

function floatInit(g: Graph, name: string | undefined, shared: Set<string>, what: string): string {
  const t = name ? g.initializers.get(name) : undefined;
  if (!name || !t) throw new Error(`${what} is not a constant`);
  if (t.dtype !== 'float32') throw new Error(`${what} is ${t.dtype}, not float32`);
  if (shared.has(name)) throw new Error(`${what} ${name} is shared with another node`);
  return name;
}

/** Weight layout of `n` as an upstream (output channels) or downstream (input channels) layer. */
function role(g: Graph, n: Node, side: 'up' | 'down', shared: Set<string>): EqualizationRole {
  const weight = floatInit(g, n.inputs[1], shared, `weight of ${n.name}`);
  const dims = g.initializers.get(weight)!.dims;
  const group = attrInt(n, 'group', 1);
  let map: ChannelMap;
  if (n.opType === 'Gemm') {
    if (dims.length !== 2) throw new Error(`weight of ${n.name} is not 2-D`);
    if (attrInt(n, 'transA', 0) !== 0) throw new Error(`${n.name} has transA = 1`);
    const transB = attrInt(n, 'transB', 0) !== 0;
    map = side === 'up' ? gemmOutputMap(dims, transB) : gemmInputMap(dims, transB);
  } else if (n.opType === 'Conv') {
    map = side === 'up' ? convOutputMap(dims) : convInputMap(dims, group);
  } else {
    map = side === 'up' ? convTransposeOutputMap(dims, group) : convTransposeInputMap(dims);
  }
  if (side === 'down') return { weight, bias: undefined, map };
  const b = n.inputs[2] ? floatInit(g, n.inputs[2], shared, `bias of ${n.name}`) : undefined;
  const bt = b ? g.initializers.get(b)! : undefined;
  if (bt && (bt.dims.length > 2 || bt.dims[bt.dims.length - 1] !== map.channels)) {
    throw new Error(`bias of ${n.name} (dims [${bt.dims.join(', ')}]) is not per output channel`);
  }
  return { weight, bias: b, map };
}

/** Every value the pair rescales must flow only into the pair's relays and downstream layers' data input. */
function checkClosure(g: Graph, pair: EqualizationPair): void {
  const scaled = new Set([...pair.upstream, ...pair.relays].flatMap((n) => n.outputs.filter((o) => o)));
  const outside = new Set([...g.outputs.map((o) => o.name), ...subgraphReads(g)]);
  const inside = new Set<Node>([...pair.relays, ...pair.downstream]);
  for (const v of scaled) if (outside.has(v)) throw new Error(`rescaled value ${v} leaves the graph`);
  for (const n of g.nodes) {
    const reads = n.inputs.map((i) => scaled.has(i));
    if (!reads.some((r) => r)) continue;
    if (!inside.has(n)) throw new Error(`rescaled value feeds ${n.name} (${n.opType}) outside the pair`);
    const mixes = pair.relays.has(n) && (n.opType === 'Add' || n.opType === 'Sub');
    const ok = mixes ? n.inputs.every((i, k) => !i || reads[k]) : reads.every((r, k) => r === (k === 0));
    if (!ok) throw new Error(`${n.name} (${n.opType}) mixes rescaled and unscaled inputs`);
  }
}

function prepare(g: Graph, pair: EqualizationPair, shared: Set<string>): PreparedPair {
  checkClosure(g, pair);
  const up = pair.upstream.map((n) => role(g, n, 'up', shared));
  const down = pair.downstream.map((n) => role(g, n, 'down', shared));
  const channels = up[0]!.map.channels;
  const counts = [...up, ...down].map((r) => r.map.channels);
  if (counts.some((c) => c !== channels)) throw new Error(`channel counts differ: ${counts.join(', ')}`);
  return { up, down, channels };
}

/** One EqualizationPair.equalize step on the working copies (keys first, then all up, then all down). */
function equalizeOnce(p: PreparedPair, values: Map<string, Float32Array>, valueThreshold: number): void {
  const up = new Float32Array(p.channels);
  const down = new Float32Array(p.channels);
  for (const r of p.up) channelMaxima(values.get(r.weight)!, r.map, up);
  for (const r of p.down) channelMaxima(values.get(r.weight)!, r.map, down);
  const s = equalizationScale(up, down, valueThreshold);
  for (const r of p.up) {
    scaleChannels(values.get(r.weight)!, r.map, s, 'mul');
    if (r.bias) scaleBias(values.get(r.bias)!, s);
  }
  for (const r of p.down) scaleChannels(values.get(r.weight)!, r.map, s, 'div');
}

const pairName = (p: EqualizationPair) =>
  `[${p.upstream.map((n) => n.name).join(', ')}] -> [${p.downstream.map((n) => n.name).join(', ')}]`;

/** The pairs the pass will equalize: ESP-PPQ's pairs minus the unsafe ones (each skipped with a warning). */
export function equalizablePairs(
  g: Graph, optLevel: 1 | 2, interestedLayers?: readonly string[], logger: Logger = nullLogger,
): { pair: EqualizationPair; prepared: PreparedPair }[] {
  const shared = sharedNames(g);
  const out: { pair: EqualizationPair; prepared: PreparedPair }[] = [];
  for (const pair of findEqualizationPairs(g, optLevel, interestedLayers)) {
    try {
      out.push({ pair, prepared: prepare(g, pair, shared) });
    } catch (e) {
      logger.warn(`equalization: skipping pair ${pairName(pair)}: ${(e as Error).message}`);
    }
  }
  return out;
}

/**
 * Layer-wise equalization (ESP-PPQ LayerwiseEqualizationPass.optimize): `iterations` rounds over all pairs in
 * discovery order, each computing s = clamp(1/sqrt(up/down), 0.1, 10) (1 where up + down < valueThreshold)
 * from the current weights, then multiplying the upstream layers' weights and biases and dividing the
 * downstream layers' weights by s per channel.
 *
 * Returns a new model; the input model and its tensors are not modified (changed initializers are copies).
 * Node, value and initializer names are unchanged. `interestedLayers` empty/absent = all layers.
 */
export function layerwiseEqualization(
  model: Model, opts: EqualizationOptions & { interestedLayers?: string[] }, logger: Logger = nullLogger,
): Model {
  const g = model.graph;
  const pairs = equalizablePairs(g, opts.optLevel, opts.interestedLayers, logger);
  logger.debug(`equalization: ${pairs.length} equalization pair(s) found (opt_level ${opts.optLevel})`);
  const values = new Map<string, Float32Array>();
  for (const { prepared } of pairs) {
    for (const r of [...prepared.up, ...prepared.down]) {
      for (const name of [r.weight, r.bias]) {
        if (name && !values.has(name)) values.set(name, (g.initializers.get(name)!.data as Float32Array).slice());
      }
    }
  }
  for (let it = 0; it < opts.iterations; it++) {
    for (const { prepared } of pairs) equalizeOnce(prepared, values, opts.valueThreshold);
  }
  const out = cloneModel(model);
  for (const [name, data] of values) out.graph.initializers.set(name, float32Tensor(g.initializers.get(name)!.dims, data));
  return out;
}
