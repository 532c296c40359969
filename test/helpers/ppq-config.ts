/**
 * Test helper (the product never reads these files). Reader of ESP-PPQ's quantization config file (`<model>.json`, docs/esp-ppq.md §5.9) into a QuantizedGraph, so the
 * exporter and the simulator can be tested against ESP-PPQ's own scales without calibrating.
 *
 * The file is written from ESP-PPQ's *export-prepared* graph (esp_ppq/parser/espdl_exporter.py
 * `export_quantization_config`): a Conv/Gemm/MatMul fused with its Relu lists the Relu's output as its own
 * output, and nodes inserted by the exporter (PPQ_Operation_*, Transposes) appear with their own names. Slots are
 * therefore matched by position (inputs then outputs, one entry per distinct value name), which survives the
 * renaming of inputs the exporter re-routed through RequantizeLinear nodes.
 */
import { InputError } from '../../src/errors.js';
import type { Model, Node } from '../../src/ir/graph.js';
import { opInfo, weightChannelAxis } from '../../src/ops/registry.js';
import { klBinsFor } from '../../src/quant/observers/observer.js';
import { roundingFor } from '../../src/quant/targets.js';
import type { ObserverName, OpQuant, Platform, QuantState, QuantizedGraph, Rounding, Target, TensorQuantConfig } from '../../src/quant/types.js';

interface PpqVarConfig {
  bit_width: number;
  policy: Record<string, boolean>;
  state: string;
  quant_min: number;
  quant_max: number;
  hash: number;
  dominator: number;
}
interface PpqJson {
  configs: Record<string, Record<string, PpqVarConfig>>;
  dispatchings: Record<string, string>;
  values: Record<string, { scale: number | number[]; zero_point: number | number[] }>;
}

const PLATFORMS: readonly Platform[] = [
  'ESPDL_INT8', 'ESPDL_INT16', 'ESPDL_H_PRE_INT16', 'ESPDL_S3_INT8', 'ESPDL_S3_INT16', 'ESPDL_S3_H_PRE_INT16',
  'ESPDL_C_INT8', 'ESPDL_C_INT16', 'ESPDL_C_H_PRE_INT16', 'FP32',
];
const STATES: readonly QuantState[] = ['INITIAL', 'ACTIVATED', 'PASSIVE', 'PASSIVE_INIT', 'OVERLAPPED', 'FP32'];

function validate(json: unknown): PpqJson {
  const j = json as Partial<PpqJson> | null;
  if (!j || typeof j !== 'object' || typeof j.configs !== 'object' || typeof j.values !== 'object'
    || typeof j.dispatchings !== 'object') {
    throw new InputError('ESP-PPQ config: expected an object with "configs", "dispatchings" and "values"');
  }
  return j as PpqJson;
}

function exponentFromScale(scale: number | number[] | undefined): number | number[] | undefined {
  if (scale === undefined) return undefined;
  if (Array.isArray(scale)) return scale.map((s) => Math.round(Math.log2(s)));
  return Math.round(Math.log2(scale));
}

/** Channel axis of a per-channel parameter: the weight's (ops/registry.ts), 0 for biases. */
function channelAxisOf(node: Node, slot: number): number {
  return slot >= 2 ? 0 : weightChannelAxis(node);
}

interface Builder {
  nextId: number;
  byHash: Map<number, TensorQuantConfig>;
  pendingDominator: Map<TensorQuantConfig, number>;
  rounding: Rounding;
  json: PpqJson;
}

function makeConfig(b: Builder, value: string, c: PpqVarConfig, isParameter: boolean, axis: number): TensorQuantConfig {
  const state = (STATES as readonly string[]).includes(c.state) ? (c.state as QuantState) : 'FP32';
  const perChannel = c.policy['PER_CHANNEL'] === true;
  const observer: ObserverName = isParameter ? (perChannel ? 'minmax' : 'percentile') : 'kl';
  const cfg: TensorQuantConfig = {
    id: b.nextId++, value, bits: c.bit_width, qmin: c.quant_min, qmax: c.quant_max, perChannel,
    channelAxis: perChannel ? axis : 0, rounding: b.rounding, state, observer,
    klBins: isParameter ? 0 : klBinsFor(c.bit_width), exponent: undefined, isParameter,
    dominator: undefined as unknown as TensorQuantConfig,
  };
  cfg.dominator = cfg;
  if (c.hash === c.dominator) cfg.exponent = exponentFromScale(b.json.values[String(c.hash)]?.scale);
  if (b.byHash.has(c.hash)) b.pendingDominator.set(cfg, c.hash);
  else {
    b.byHash.set(c.hash, cfg);
    if (c.hash !== c.dominator) b.pendingDominator.set(cfg, c.dominator);
  }
  return cfg;
}

/** A root config for a dominator hash no slot of our graph carries (it belonged to an exporter-inserted op). */
function hiddenRoot(b: Builder, hash: number, like: TensorQuantConfig): TensorQuantConfig {
  const root: TensorQuantConfig = {
    ...like, id: b.nextId++, value: like.value, exponent: exponentFromScale(b.json.values[String(hash)]?.scale),
    isParameter: false, dominator: undefined as unknown as TensorQuantConfig,
  };
  root.dominator = root;
  b.byHash.set(hash, root);
  return root;
}

function opQuantFor(b: Builder, model: Model, node: Node, entries: [string, PpqVarConfig][], platform: Platform): OpQuant {
  const distinct = [...new Set([...node.inputs, ...node.outputs])];
  // Names first; the slots ESP-PPQ's exporter renamed pair up with the leftover entries in order. (Order alone
  // is unreliable: JSON.parse puts integer-like keys such as "4" first.)
  const byName = new Map(entries);
  const cfgForName = new Map<string, PpqVarConfig | undefined>();
  for (const name of distinct) if (byName.has(name)) cfgForName.set(name, byName.get(name));
  const leftover = entries.filter(([k]) => !distinct.includes(k));
  for (const name of distinct) if (!cfgForName.has(name) && name) cfgForName.set(name, leftover.shift()?.[1]);
  const made = new Map<string, TensorQuantConfig>();
  const make = (name: string, slot: number, isInput: boolean): TensorQuantConfig | undefined => {
    if (!name) return undefined;
    const c = cfgForName.get(name);
    if (!c) return undefined;
    const prior = made.get(name);
    if (prior) return prior;
    const isParam = isInput && model.graph.initializers.has(name);
    const cfg = makeConfig(b, name, c, isParam, channelAxisOf(node, slot));
    made.set(name, cfg);
    return cfg;
  };
  return {
    node, platform,
    inputs: node.inputs.map((n, i) => make(n, i, true)),
    outputs: node.outputs.map((n, i) => make(n, i, false)),
  };
}

/**
 * Builds the QuantizedGraph ESP-PPQ's `model.json` describes, for `model` after our simplification (so node and
 * value names match ESP-PPQ's). Exponents are log2 of the stored power-of-two scales; nodes the file does not
 * mention are FP32, except a Relu that ESP-PPQ's exporter fused into the preceding Conv/Gemm/MatMul, which is
 * rebuilt the way the quantizer had it (the conv output OVERLAPPED, dominated by the Relu output).
 * @throws InputError when the file is not an ESP-PPQ config.
 */
export function quantizedGraphFromPpqJson(model: Model, ppqJson: unknown, target: Target, bits: 8 | 16): QuantizedGraph {
  const json = validate(ppqJson);
  const b: Builder = { nextId: 0, byHash: new Map(), pendingDominator: new Map(), rounding: roundingFor(target), json };
  const ops = new Map<string, OpQuant>();
  const fp32Nodes: string[] = [];
  for (const node of model.graph.nodes) {
    const entries = json.configs[node.name];
    if (!entries) continue;
    const p = json.dispatchings[node.name] ?? 'FP32';
    const platform = (PLATFORMS as readonly string[]).includes(p) ? (p as Platform) : 'FP32';
    ops.set(node.name, opQuantFor(b, model, node, Object.entries(entries), platform));
  }
  for (const [cfg, hash] of b.pendingDominator) cfg.dominator = b.byHash.get(hash) ?? hiddenRoot(b, hash, cfg);
  rebuildFusedRelus(b, model, ops);
  for (const node of model.graph.nodes) if (!ops.has(node.name)) fp32Nodes.push(node.name);
  return { model, target, bits, ops, fp32Nodes };
}

/** Restores the Relu ops ESP-PPQ's exporter fused away (FuseReluLikePattern) from their conv's configs. */
function rebuildFusedRelus(b: Builder, model: Model, ops: Map<string, OpQuant>): void {
  const producer = new Map<string, Node>();
  for (const n of model.graph.nodes) for (const o of n.outputs) producer.set(o, n);
  for (const node of model.graph.nodes) {
    if (node.opType !== 'Relu' || ops.has(node.name)) continue;
    const src = producer.get(node.inputs[0] ?? '');
    const srcQ = src ? ops.get(src.name) : undefined;
    if (!src || !srcQ || !opInfo(src.opType).convLikeFused) continue;
    const convOut = srcQ.outputs[src.outputs.indexOf(node.inputs[0]!)];
    if (!convOut) continue;
    const reluOut: TensorQuantConfig = { ...convOut, id: b.nextId++, value: node.outputs[0]!, dominator: undefined as unknown as TensorQuantConfig };
    reluOut.dominator = convOut.dominator === convOut ? reluOut : convOut.dominator;
    if (convOut.dominator !== convOut) reluOut.exponent = undefined;
    const reluIn: TensorQuantConfig = { ...convOut, id: b.nextId++, state: 'OVERLAPPED', exponent: undefined, dominator: reluOut.dominator };
    convOut.state = 'OVERLAPPED';
    convOut.exponent = undefined;
    convOut.dominator = reluOut.dominator;
    // Re-point every config that was dominated by the conv output at the new root.
    for (const q of ops.values()) for (const c of [...q.inputs, ...q.outputs]) if (c && c.dominator === convOut) c.dominator = reluOut.dominator;
    ops.set(node.name, { node, platform: srcQ.platform, inputs: [reluIn], outputs: [reluOut] });
  }
}
