/**
 * Builds the fake-quantized ONNX model that simulates an ESP-DL quantized graph on any ONNX runtime
 * (model.qdq.onnx). Every config that quantizes (ACTIVATED/PASSIVE) becomes:
 *   parameters: the initializer replaced by its fake-quantized values (quantizeToInt's rule, baked in float),
 *   activations: Mul(2^-e) → Round (half_even) or Floor(x+0.5) (half_up) → Clip(qmin, qmax) → Mul(2^e),
 * placed on the edge the config belongs to, as ESP-PPQ's executor quantizes each op's inputs and outputs.
 * We use plain float ops rather than QuantizeLinear/DequantizeLinear on purpose: ONNX QuantizeLinear always rounds
 * half to even (S3/C targets round half up) and ORT fuses DQ→Conv→Q into integer kernels with their own
 * rounding; Mul/Round/Clip are exact for power-of-two scales and are never fused into integer kernels.
 * Graph-wise analysis, which runs in our own sessions, uses QuantizeLinear/DequantizeLinear where they give the
 * same values (int8, half to even; SimOptions.qdq) with those fusions turned off: half the element-wise passes.
 *
 * The same builder gives the calibration model (at that point only parameters quantize) and, with `only`, the
 * layer-wise analysis model of one op (its configs quantize, everything else is float).
 */
import { onnxOpset, type Attribute, type Graph, type Model, type Node, type ValueInfo } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { topologicalSort } from '../../ir/topo.js';
import { fakeQuantize } from '../fake-quant.js';
import { isQuantizing, resolve, type QuantizedGraph, type OpQuant, type TensorQuantConfig } from '../types.js';
import { inferValueTypes } from '../../exec/value-types.js';
import { forOnnxRuntime } from '../../exec/for-onnxruntime.js';
import { knownShape } from '../../ir/edit.js';
import { emitQuantRnn, type RnnSpec } from './sim-rnn.js';

export interface SimOptions {
  /**
   * Add a bool input per quantized op that switches its quantization on. One model for every op, but each run
   * computes every op's fake quantization: layer-wise analysis builds one model per op with `only` instead; the
   * gates remain to check the unrolled recurrences (sim-rnn.ts) against onnxruntime's own kernels.
   */
  gated?: boolean;
  /** Quantize only this op's configs (inputs, parameters, outputs); float elsewhere (layer-wise analysis). */
  only?: string;
  /** Values to expose as extra graph outputs (by their original names). */
  extraOutputs?: readonly string[];
  /** Do not quantize anything (the float reference with the same value names). */
  float?: boolean;
  /**
   * Activation scales and bounds as scalar graph inputs (their values in SimModel.feeds) instead of constants: the
   * model then depends on the graph and its parameters only, so one runtime session serves every search candidate
   * that differs in activation exponents or bit widths (graph-wise analysis). Same values as the constant form.
   */
  feedQuantParams?: boolean;
  /**
   * Activations on an int8/uint8 half-to-even grid become QuantizeLinear → DequantizeLinear (2 element-wise
   * passes instead of 4; same values: power-of-two scales make x / 2^e and q · 2^e exact, and QuantizeLinear rounds
   * half to even and saturates to the type's range, which is the config's). The session must keep them float
   * ops (sim-session.ts turns onnxruntime's QDQ fusions off). Zeros come out as +0, as ESP-PPQ's `+ 0` makes them,
   * where the Mul/Round/Clip chain keeps −0. Used for analysis; model.qdq.onnx keeps the chain (module comment).
   */
  qdq?: boolean;
  /**
   * In-graph reductions, so the runtime returns a few numbers instead of whole tensors:
   * `minmax` values get outputs `<v>::min` / `<v>::max` (one number per sample); `gather` values get
   * `<v>::sample`, each sample's flattened tensor at the given element indices.
   */
  probes?: { minmax?: readonly string[]; gather?: ReadonlyMap<string, Uint32Array> };
}

/** Output names of the probes. */
export const probeName = {
  min: (v: string) => `${v}::min`,
  max: (v: string) => `${v}::max`,
  sample: (v: string) => `${v}::sample`,
} as const;

export interface SimModel {
  model: Model;
  /** Gate input name per op name (gated models only). */
  gates: Map<string, string>;
  /** Values of the activation scale/bound inputs (feedQuantParams models only; empty otherwise). */
  feeds: Record<string, Tensor>;
}

const scalar = (v: number): Tensor => ({ dtype: 'float32', dims: [], data: new Float32Array([v]) });

/** Per-config integer settings ready for fake quantization. */
function quantSpec(cfg: TensorQuantConfig): { exponent: number | number[]; qmin: number; qmax: number; rounding: TensorQuantConfig['rounding'] } {
  const exponent = resolve(cfg).exponent;
  if (exponent === undefined) throw new Error(`config of ${cfg.value} is quantizing but has no exponent`);
  return { exponent, qmin: cfg.qmin, qmax: cfg.qmax, rounding: cfg.rounding };
}

/**
 * Fake-quantized copies already made, per source data array and quantization spec. A search builds the simulator
 * for many candidates from the same parameters, mostly with the same exponents: the copy (and its fingerprint,
 * ir/fingerprint.ts) is then made once. Entries go with their source arrays.
 */
const fakeQuantized = new WeakMap<object, Map<string, Tensor>>();

/** Fake-quantizes a float parameter with a config (per tensor or per channel). */
export function fakeQuantizeParameter(t: Tensor, cfg: TensorQuantConfig): Tensor {
  const spec = quantSpec(cfg);
  const perChannel = Array.isArray(spec.exponent);
  const key = `${JSON.stringify(spec.exponent)}|${spec.qmin}|${spec.qmax}|${spec.rounding}|${perChannel ? cfg.channelAxis : ''}|${t.dims.join(',')}`;
  let known = fakeQuantized.get(t.data);
  const hit = known?.get(key);
  if (hit) return hit;
  const values = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
  const data = fakeQuantize(values, spec.exponent, {
    dims: t.dims, qmin: spec.qmin, qmax: spec.qmax, rounding: spec.rounding,
    ...(perChannel ? { channelAxis: cfg.channelAxis } : {}),
  });
  const out: Tensor = { dtype: 'float32', dims: t.dims, data };
  if (!known) { known = new Map(); fakeQuantized.set(t.data, known); }
  known.set(key, out);
  return out;
}

/** The zero point whose type's range is exactly [qmin, qmax] (QuantizeLinear saturates to it), if there is one. */
function qdqZeroPoint(qmin: number, qmax: number): Tensor | undefined {
  if (qmin === -128 && qmax === 127) return { dtype: 'int8', dims: [], data: new Int8Array(1) };
  if (qmin === 0 && qmax === 255) return { dtype: 'uint8', dims: [], data: new Uint8Array(1) };
  return undefined;
}

class SimBuilder {
  readonly nodes: Node[] = [];
  readonly inits: Map<string, Tensor>;
  readonly gates = new Map<string, string>();
  readonly extraInputs: ValueInfo[] = [];
  readonly feeds: Record<string, Tensor> = {};
  private counter = 0;

  /**
   * `floatParams`: the values unquantized parameters take (the graph's own, or the stored pre-training ones for
   * float references); quantized parameter copies are always made from the graph's current (trained) values.
   */
  constructor(
    private readonly src: Graph, private readonly gated: boolean, floatParams: ReadonlyMap<string, Tensor>,
    private readonly feedQuantParams = false,
    private readonly qdq = false,
  ) {
    this.inits = new Map(floatParams);
  }

  /** A scalar input fed with `value` (feedQuantParams), else the shared constant `constantName`. */
  private quantParam(constantName: string, inputName: string, value: number): string {
    if (!this.feedQuantParams) return this.constant(constantName, scalar(value));
    this.extraInputs.push({ name: inputName, dtype: 'float32', shape: [] });
    this.feeds[inputName] = scalar(value);
    return inputName;
  }

  private constant(name: string, t: Tensor): string {
    if (!this.inits.has(name)) this.inits.set(name, t);
    return name;
  }

  constantTensor(name: string, t: Tensor): string {
    return this.constant(name, t);
  }

  gateFor(opName: string): string | undefined {
    if (!this.gated) return undefined;
    let g = this.gates.get(opName);
    if (!g) {
      g = `__gate__/${this.gates.size}`;
      this.gates.set(opName, g);
      this.extraInputs.push({ name: g, dtype: 'bool', shape: [] });
    }
    return g;
  }

  /** Emits the fake-quant chain for an activation; returns the name of the quantized value. */
  activation(input: string, output: string, cfg: TensorQuantConfig, gate: string | undefined): void {
    const { exponent, qmin, qmax, rounding } = quantSpec(cfg);
    if (typeof exponent !== 'number') throw new Error(`activation ${cfg.value} cannot be per-channel`);
    const id = `${output}::fq${this.counter++}`;
    const node = (opType: string, inputs: string[], out: string): Node => ({ name: `${out}/${opType}`, opType, domain: '', inputs, outputs: [out], attributes: new Map<string, Attribute>() });
    const zeroPoint = this.qdq && !gate && rounding === 'half_even' ? qdqZeroPoint(qmin, qmax) : undefined;
    if (zeroPoint) {
      const scale = this.quantParam(`__c/pow2/${exponent}`, `${id}/scale`, 2 ** exponent);
      const zp = this.constant(`__c/zp/${zeroPoint.dtype}`, zeroPoint);
      this.nodes.push(node('QuantizeLinear', [input, scale, zp], `${id}/q`));
      this.nodes.push(node('DequantizeLinear', [`${id}/q`, scale, zp], output));
      return;
    }
    const inv = this.quantParam(`__c/pow2/${-exponent}`, `${id}/inv`, 2 ** -exponent);
    const mul = this.quantParam(`__c/pow2/${exponent}`, `${id}/scale`, 2 ** exponent);
    const lo = this.quantParam(`__c/q/${qmin}`, `${id}/qmin`, qmin);
    const hi = this.quantParam(`__c/q/${qmax}`, `${id}/qmax`, qmax);
    this.nodes.push(node('Mul', [input, inv], `${id}/scaled`));
    if (rounding === 'half_even') {
      this.nodes.push(node('Round', [`${id}/scaled`], `${id}/rounded`));
    } else {
      const half = this.constant('__c/half', scalar(0.5));
      this.nodes.push(node('Add', [`${id}/scaled`, half], `${id}/shifted`));
      this.nodes.push(node('Floor', [`${id}/shifted`], `${id}/rounded`));
    }
    this.nodes.push(node('Clip', [`${id}/rounded`, lo, hi], `${id}/clipped`));
    if (gate) {
      this.nodes.push(node('Mul', [`${id}/clipped`, mul], `${id}/dequant`));
      this.nodes.push(node('Where', [gate, `${id}/dequant`, input], output));
    } else {
      this.nodes.push(node('Mul', [`${id}/clipped`, mul], output));
    }
  }

  /** A fake-quantized copy of a parameter (gated: Where(gate, q, float)). */
  parameter(value: string, cfg: TensorQuantConfig, gate: string | undefined): string {
    const t = this.src.initializers.get(value);
    if (!t || t.dtype !== 'float32') return value;
    const qName = this.constant(`${value}::q${cfg.id}`, fakeQuantizeParameter(t, cfg));
    if (!gate) return qName;
    const out = `${qName}::gated`;
    this.nodes.push({ name: `${out}/Where`, opType: 'Where', domain: '', inputs: [gate, qName, value], outputs: [out], attributes: new Map() });
    return out;
  }
}

/**
 * Probe nodes. Each probe keeps the samples apart (a Reshape to [samples, -1] first, 0 meaning "the input's dim"),
 * so the model can still take a batch (exec/batch-dim.ts): min/max probes give one number per sample.
 */
function addProbes(b: SimBuilder, src: Graph, probes: SimOptions['probes'], outputs: ValueInfo[], opset: number): void {
  const plain = (name: string, opType: string, inputs: string[], output: string, attributes = new Map<string, Attribute>()): Node =>
    ({ name, opType, domain: '', inputs, outputs: [output], attributes });
  if (!probes?.minmax?.length && !probes?.gather?.size) return;
  // A scalar has no dim to copy: it is one sample's value as it stands.
  const perSampleShape = (v: string) => (knownShape(src, v)?.length === 0
    ? b.constantTensor('__c/shape/one_row', { dtype: 'int64', dims: [2], data: BigInt64Array.from([1n, -1n]) })
    : b.constantTensor('__c/shape/per_sample', { dtype: 'int64', dims: [2], data: BigInt64Array.from([0n, -1n]) }));
  // ReduceMin/ReduceMax take their axes as an attribute up to opset 17 and as an input from 18.
  const axis1 = opset >= 18 ? b.constantTensor('__c/axes/1', { dtype: 'int64', dims: [1], data: BigInt64Array.from([1n]) }) : undefined;
  const reduce = (opType: string, v: string, out: string): Node => {
    const attributes = new Map<string, Attribute>([['keepdims', { type: 'int', value: 0 }]]);
    if (!axis1) attributes.set('axes', { type: 'ints', value: [1] });
    return plain(`${out}/${opType}`, opType, axis1 ? [`${v}::per_sample`, axis1] : [`${v}::per_sample`], out, attributes);
  };
  for (const v of probes?.minmax ?? []) {
    b.nodes.push(plain(`${v}::per_sample/Reshape`, 'Reshape', [v, perSampleShape(v)], `${v}::per_sample`));
    b.nodes.push(reduce('ReduceMin', v, probeName.min(v)), reduce('ReduceMax', v, probeName.max(v)));
    outputs.push({ name: probeName.min(v), dtype: 'float32', shape: [1] }, { name: probeName.max(v), dtype: 'float32', shape: [1] });
  }
  for (const [v, indices] of probes?.gather ?? []) {
    const idx = b.constantTensor(`${probeName.sample(v)}/indices`, { dtype: 'int64', dims: [indices.length], data: BigInt64Array.from(indices, (i) => BigInt(i)) });
    const gatherAxis = new Map<string, Attribute>([['axis', { type: 'int', value: 1 }]]);
    b.nodes.push(plain(`${probeName.sample(v)}/Reshape`, 'Reshape', [v, perSampleShape(v)], `${probeName.sample(v)}/flat`));
    b.nodes.push(plain(`${probeName.sample(v)}/Gather`, 'Gather', [`${probeName.sample(v)}/flat`, idx], probeName.sample(v), gatherAxis));
    outputs.push({ name: probeName.sample(v), dtype: 'float32', shape: [1, indices.length] });
  }
}

/**
 * Quantized GRU/LSTM run unrolled with ESP-PPQ's internal quantization (sim-rnn.ts); undefined (plain op) for
 * other ops and when the input's shape is not static.
 */
function rnnSpec(
  src: Graph, node: Node, inputs: string[], outputs: string[], hiddenCfg: TensorQuantConfig | undefined,
  gate: string | undefined, qg: QuantizedGraph,
): RnnSpec | undefined {
  if (node.opType !== 'GRU' && node.opType !== 'LSTM') return undefined;
  const shape = knownShape(src, node.inputs[0] ?? '');
  if (!shape || shape.length !== 3 || !shape.every((d): d is number => typeof d === 'number' && d > 0)) return undefined;
  const rounding = hiddenCfg?.rounding ?? qg.ops.get(node.name)?.inputs[0]?.rounding ?? 'half_even';
  return { node, inputs, outputs, xShape: shape, hiddenCfg, rounding, gate, opset: onnxOpset(qg.model) };
}

/**
 * Key of the grid a config puts a value on: equal keys make a second quantization a no-op. With fed quantization
 * parameters the key must not depend on the exponent (the model's structure would): configs sharing the config
 * that owns their exponent are on one grid; others get their own chain, a no-op when the exponents happen to match.
 */
function gridKey(cfg: TensorQuantConfig, fed: boolean): string {
  const grid = fed ? `owner ${resolve(cfg).id}` : String(resolve(cfg).exponent);
  return `${grid}|${cfg.qmin}|${cfg.qmax}|${cfg.rounding}`;
}

/** Whether an op has a config that quantizes (its layer-wise error is measured). */
export function quantizesAny(op: OpQuant, quantize: (cfg: TensorQuantConfig | undefined) => boolean = isQuantizing): boolean {
  return op.inputs.some(quantize) || op.outputs.some(quantize);
}

export function buildSimModel(qg: QuantizedGraph, opts: SimOptions = {}): SimModel {
  const src = qg.model.graph;
  // Float references (float mode, and the float parts of layer-wise models) use the parameters as stored before any
  // training pass, as ESP-PPQ's dequantize() does; the quantized paths use the trained ones.
  const floatParams = (opts.float || opts.gated || opts.only !== undefined) && qg.storedParams ? qg.storedParams : src.initializers;
  const fed = opts.feedQuantParams === true;
  const b = new SimBuilder(src, opts.gated === true, floatParams, fed, opts.qdq === true);
  const quantize = (cfg: TensorQuantConfig | undefined): cfg is TensorQuantConfig => !opts.float && isQuantizing(cfg);
  // value name → grid it is currently on (non-gated dedupe) and the name carrying the quantized value.
  const onGrid = new Map<string, string>();
  for (const node of topologicalSort(src)) {
    const op = opts.only !== undefined && node.name !== opts.only ? undefined : qg.ops.get(node.name);
    const quantizes = op !== undefined && quantizesAny(op, quantize);
    const gate = quantizes ? b.gateFor(node.name) : undefined;
    const inputs = node.inputs.map((value, slot) => {
      const cfg = op?.inputs[slot];
      if (!value || !quantize(cfg)) return value;
      if (src.initializers.has(value)) return b.parameter(value, cfg, gate);
      if (!gate && onGrid.get(value) === gridKey(cfg, fed)) return value;
      const out = `${value}::in${cfg.id}`;
      b.activation(value, out, cfg, gate);
      return out;
    });
    const outputs = node.outputs.map((value, slot) => {
      const cfg = op?.outputs[slot];
      if (!value || !quantize(cfg)) return value;
      return `${value}::raw`;
    });
    const hidden = quantize(op?.outputs[0]) ? op?.outputs[0] : undefined;
    const rnn = op && op.platform !== 'FP32' && !opts.float ? rnnSpec(src, node, inputs, outputs, hidden, gate, qg) : undefined;
    if (rnn) emitQuantRnn(b, rnn);
    else b.nodes.push({ ...node, inputs, outputs, attributes: new Map(node.attributes) });
    node.outputs.forEach((value, slot) => {
      const cfg = op?.outputs[slot];
      if (!value || !quantize(cfg)) return;
      b.activation(`${value}::raw`, value, cfg, gate);
      if (!gate) onGrid.set(value, gridKey(cfg, fed));
    });
  }
  const types = inferValueTypes(src);
  const graphOutputs = [...src.outputs];
  addProbes(b, src, opts.probes, graphOutputs, onnxOpset(qg.model));
  for (const name of opts.extraOutputs ?? []) {
    // The traced shape, when known, lets a batch session size its calls before running (exec/batches.ts).
    if (!graphOutputs.some((o) => o.name === name)) graphOutputs.push({ name, dtype: types.get(name) ?? 'float32', shape: knownShape(src, name) });
  }
  const graph: Graph = {
    name: src.name,
    nodes: b.nodes,
    inputs: [...src.inputs, ...b.extraInputs],
    outputs: graphOutputs,
    initializers: b.inits,
    valueInfo: new Map(),
  };
  // The fake-quant ops (Mul, Round, Floor, Add, Clip with bound inputs, Where) all exist from opset 11 on, so the
  // model keeps its own opset and its ops their semantics.
  // ESP-DL-only fused ops (Swish, RMSNormalization) are expanded back into standard ONNX ops for the runtime.
  const model = forOnnxRuntime({ ...qg.model, producerName: 'espdl-autoquant', graph });
  return { model, gates: b.gates, feeds: b.feeds };
}
