/**
 * Quantized GRU / LSTM for the simulator, unrolled over time in standard ONNX ops. ESP-PPQ does not run a
 * quantized RNN as one float op: its executor (esp_ppq/executor/op/torch/espdl.py GRU_quant_forward /
 * LSTM_quant_forward) fake-quantizes the gate pre-activations x·Wᵀ and h·Rᵀ, GRU's candidate input and LSTM's
 * cell to 16 bits at 2^-9 (GRU/LSTM_QUANT_EXPONENT, *_QUANT_BITS), and the hidden state with the op's output
 * config at every step — so h fed back into the recurrence is on the output grid. onnxruntime's GRU/LSTM
 * cannot express that, hence the unrolling. Float evaluation order follows ESP-PPQ's code exactly.
 * ESP-PPQ quirks kept: GRU always uses linear_before_reset = 1 (whatever the attribute says), sequence_lens
 * and LSTM peepholes are ignored. Needs a static sequence length and batch (from the input's shape).
 */
import type { Attribute, Node } from '../../ir/graph.js';
import { attrInt, attrString } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Rounding, TensorQuantConfig } from '../types.js';

/** The part of the simulator's builder the unrolling needs. */
export interface RnnEmitter {
  readonly nodes: Node[];
  activation(input: string, output: string, cfg: TensorQuantConfig, gate: string | undefined): void;
  constantTensor(name: string, t: Tensor): string;
}

/** ESP-PPQ's GRU/LSTM_QUANT_EXPONENT and *_QUANT_BITS (esp_ppq/core). */
const RNN_EXPONENT = -9;
const RNN_BITS = 16;

export interface RnnSpec {
  node: Node;
  /** Input names after parameter quantization ('' for absent inputs). */
  inputs: string[];
  /** Names to write the outputs to ('' for unused outputs). */
  outputs: string[];
  /** Static input shape [seq, batch, input] (layout 0) or [batch, seq, input] (layout 1). */
  xShape: readonly number[];
  /** Output-0 config the hidden state is fake-quantized with each step; undefined = not quantizing. */
  hiddenCfg: TensorQuantConfig | undefined;
  rounding: Rounding;
  gate: string | undefined;
  opset: number;
}

function internalConfig(rounding: Rounding): TensorQuantConfig {
  const cfg: TensorQuantConfig = {
    id: -1, value: '', bits: RNN_BITS, qmin: -(2 ** (RNN_BITS - 1)), qmax: 2 ** (RNN_BITS - 1) - 1, perChannel: false,
    channelAxis: 0, rounding, state: 'ACTIVATED', observer: 'minmax', klBins: 0, exponent: RNN_EXPONENT, isParameter: false,
    dominator: undefined as unknown as TensorQuantConfig,
  };
  cfg.dominator = cfg;
  return cfg;
}

class Unroller {
  private k = 0;
  private readonly fqCfg: TensorQuantConfig;
  constructor(private readonly e: RnnEmitter, private readonly s: RnnSpec) {
    this.fqCfg = internalConfig(s.rounding);
  }

  private name(tag: string): string {
    return `${this.s.node.name}::rnn/${tag}/${this.k++}`;
  }

  op(opType: string, inputs: string[], attrs: [string, Attribute][] = [], out = this.name(opType)): string {
    this.e.nodes.push({ name: `${out}/${opType}`, opType, domain: '', inputs, outputs: [out], attributes: new Map(attrs) });
    return out;
  }

  ints(tag: string, values: number[], dims = [values.length]): string {
    const t: Tensor = { dtype: 'int64', dims, data: BigInt64Array.from(values, (v) => BigInt(v)) };
    return this.e.constantTensor(`${this.s.node.name}::rnn/c/${tag}`, t);
  }

  float(tag: string, v: number): string {
    return this.e.constantTensor(`${this.s.node.name}::rnn/c/${tag}`, { dtype: 'float32', dims: [], data: new Float32Array([v]) });
  }

  /** x[index] along axis (the axis disappears). */
  pick(x: string, index: number, axis: number): string {
    return this.op('Gather', [x, this.ints(`i${index}`, [index], [])], [['axis', { type: 'int', value: axis }]]);
  }

  /** Columns [from, to) of a [batch, n] tensor. */
  cols(x: string, from: number, to: number): string {
    return this.op('Slice', [x, this.ints(`s${from}`, [from]), this.ints(`e${to}`, [to]), this.ints('ax1', [1])]);
  }

  unsqueeze(x: string, axes: number[]): string {
    if (this.s.opset >= 13) return this.op('Unsqueeze', [x, this.ints(`u${axes.join('_')}`, axes)]);
    return this.op('Unsqueeze', [x], [['axes', { type: 'ints', value: axes }]]);
  }

  concat(xs: string[], axis: number, out?: string): string {
    return this.op('Concat', xs, [['axis', { type: 'int', value: axis }]], out);
  }

  /** ESP-PPQ's fake_quantize(t, 2^-9, 16 bits). */
  fq(x: string): string {
    const out = this.name('fq');
    this.e.activation(x, out, this.fqCfg, this.s.gate);
    return out;
  }

  /** PPQuantFunction(h, output config). */
  fqHidden(x: string): string {
    if (!this.s.hiddenCfg) return x;
    const out = this.name('h');
    this.e.activation(x, out, this.s.hiddenCfg, this.s.gate);
    return out;
  }

  /** x·Wᵀ for direction d: MatMul(x, Transpose(W[d])). */
  matmulT(x: string, w: string, d: number): string {
    return this.op('MatMul', [x, this.op('Transpose', [this.pick(w, d, 0)], [['perm', { type: 'ints', value: [1, 0] }]])]);
  }
}

/** One direction of a GRU; returns the hidden state per time step (in time order) and the last one. */
function gruDirection(u: Unroller, x: string, s: RnnSpec, d: number, seq: number, hidden: number, h0: string, reverse: boolean): { ys: string[]; last: string } {
  const [, w, r, b] = s.inputs as [string, string, string, string | undefined];
  const bd = b ? u.pick(b, d, 0) : undefined;
  const vec = (i: number) => u.op('Slice', [bd!, u.ints(`bs${i}`, [i * hidden]), u.ints(`be${i}`, [(i + 1) * hidden]), u.ints('ax0', [0])]);
  const zBias = bd ? u.op('Add', [vec(0), vec(3)]) : undefined;
  const rBias = bd ? u.op('Add', [vec(1), vec(4)]) : undefined;
  const [wbh, rbh] = bd ? [vec(2), vec(5)] : [undefined, undefined];
  const ys: string[] = new Array<string>(seq);
  let h = h0;
  for (let step = 0; step < seq; step++) {
    const t = reverse ? seq - 1 - step : step;
    const xw = u.fq(u.matmulT(u.pick(x, t, 0), w, d));
    const hr = u.fq(u.matmulT(h, r, d));
    const [xz, xr, xh] = [0, 1, 2].map((i) => u.cols(xw, i * hidden, (i + 1) * hidden)) as [string, string, string];
    const [hz, hrr, hh] = [0, 1, 2].map((i) => u.cols(hr, i * hidden, (i + 1) * hidden)) as [string, string, string];
    const zIn = u.op('Add', [xz, hz]);
    const z = u.op('Sigmoid', [zBias ? u.op('Add', [zIn, zBias]) : zIn]);
    const rIn = u.op('Add', [xr, hrr]);
    const rt = u.op('Sigmoid', [rBias ? u.op('Add', [rIn, rBias]) : rIn]);
    const gated = u.op('Mul', [rt, rbh ? u.op('Add', [hh, rbh]) : hh]);
    const hTilde = u.op('Tanh', [u.fq(u.op('Add', [wbh ? u.op('Add', [xh, wbh]) : xh, gated]))]);
    const keep = u.op('Mul', [u.op('Sub', [u.float('one', 1), z]), hTilde]);
    h = u.fqHidden(u.op('Add', [keep, u.op('Mul', [z, h])]));
    ys[t] = h;
  }
  return { ys, last: h };
}

/** One direction of an LSTM (ONNX gate order i, o, f, c); returns hidden states, last h and last cell. */
function lstmDirection(u: Unroller, x: string, s: RnnSpec, d: number, seq: number, hidden: number, h0: string, c0: string, reverse: boolean): { ys: string[]; last: string; cell: string } {
  const [, w, r, b] = s.inputs as [string, string, string, string | undefined];
  const bd = b ? u.pick(b, d, 0) : undefined;
  const vec = (i: number) => u.op('Slice', [bd!, u.ints(`bs${i}`, [i * hidden]), u.ints(`be${i}`, [(i + 1) * hidden]), u.ints('ax0', [0])]);
  const biases = bd ? [0, 1, 2, 3].map((i) => u.op('Add', [vec(i), vec(i + 4)])) : undefined;
  const ys: string[] = new Array<string>(seq);
  let [h, c] = [h0, c0];
  for (let step = 0; step < seq; step++) {
    const t = reverse ? seq - 1 - step : step;
    const xw = u.fq(u.matmulT(u.pick(x, t, 0), w, d));
    const hr = u.fq(u.matmulT(h, r, d));
    const xs = [0, 1, 2, 3].map((i) => u.cols(xw, i * hidden, (i + 1) * hidden));
    const hs = [0, 1, 2, 3].map((i) => u.cols(hr, i * hidden, (i + 1) * hidden));
    const withBias = biases ? xs.map((v, i) => u.op('Add', [v, biases[i]!])) : xs;
    const [i, o, f, g] = withBias.map((v, k) => u.op(k === 3 ? 'Tanh' : 'Sigmoid', [u.op('Add', [v, hs[k]!])])) as [string, string, string, string];
    c = u.fq(u.op('Add', [u.op('Mul', [f, c]), u.op('Mul', [i, g])]));
    h = u.fqHidden(u.op('Mul', [o, u.op('Tanh', [c])]));
    ys[t] = h;
  }
  return { ys, last: h, cell: c };
}

/** Emits the unrolled quantized GRU/LSTM, writing `spec.outputs`. */
export function emitQuantRnn(e: RnnEmitter, spec: RnnSpec): void {
  const u = new Unroller(e, spec);
  const n = spec.node;
  const isLstm = n.opType === 'LSTM';
  const hidden = attrInt(n, 'hidden_size', 0);
  const dirs = attrString(n, 'direction', 'forward');
  const directions = dirs === 'bidirectional' ? [0, 1] : [0];
  const layout = attrInt(n, 'layout', 0);
  const [seq, batch] = layout === 1 ? [spec.xShape[1]!, spec.xShape[0]!] : [spec.xShape[0]!, spec.xShape[1]!];
  const x = layout === 1 ? u.op('Transpose', [spec.inputs[0]!], [['perm', { type: 'ints', value: [1, 0, 2] }]]) : spec.inputs[0]!;
  const zeros = () => e.constantTensor(`${n.name}::rnn/c/zeros`, { dtype: 'float32', dims: [batch, hidden], data: new Float32Array(batch * hidden) });
  const init = (slot: number, d: number) => (spec.inputs[slot] ? u.pick(spec.inputs[slot]!, d, 0) : zeros());
  const results = directions.map((d) => {
    const reverse = dirs === 'reverse' || d === 1;
    return isLstm
      ? lstmDirection(u, x, spec, d, seq, hidden, init(5, d), init(6, d), reverse)
      : { ...gruDirection(u, x, spec, d, seq, hidden, init(5, d), reverse), cell: undefined };
  });
  const [yOut, yhOut, ycOut] = spec.outputs;
  if (yOut) {
    // Y: [seq, dirs, batch, hidden] (layout 0) — each step's h as [1, 1, batch, hidden].
    const perDir = results.map((res) => u.concat(res.ys.map((y) => u.unsqueeze(y, [0, 1])), 0));
    if (layout === 1) u.op('Transpose', [u.concat(perDir, 1)], [['perm', { type: 'ints', value: [2, 0, 1, 3] }]], yOut);
    else u.concat(perDir, 1, yOut);
  }
  const stack = (names: string[], out: string) => {
    const all = u.concat(names.map((v) => u.unsqueeze(v, [0])), 0, layout === 1 ? undefined : out);
    if (layout === 1) u.op('Transpose', [all], [['perm', { type: 'ints', value: [1, 0, 2] }]], out);
  };
  if (yhOut) stack(results.map((res) => res.last), yhOut);
  if (ycOut && isLstm) stack(results.map((res) => res.cell!), ycOut);
}
