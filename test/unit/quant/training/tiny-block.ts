/** A hand-built, crudely quantized Conv→Relu→Conv block with random weights and cached data, for pass tests. */
import type { Node } from '../../../../src/ir/graph.js';
import type { Tensor } from '../../../../src/ir/tensor.js';
import type { TensorQuantConfig } from '../../../../src/quant/types.js';
import type { Block, BlockBatch, BlockOp } from '../../../../src/quant/training/block.js';
import { runBlock, scalesOf, gridOf } from '../../../../src/quant/training/executor.js';
import { fakeQuant } from '../../../../src/quant/training/fake-quant.js';
import { leaf, Tape, type Var } from '../../../../src/quant/training/tape.js';
import { randomArray, rng } from './gradcheck.js';

let nextId = 1;
export function config(value: string, o: Partial<TensorQuantConfig> & { exponent?: number | number[] }, dominator?: TensorQuantConfig): TensorQuantConfig {
  const c = {
    id: nextId++, value, bits: 8, qmin: -128, qmax: 127, perChannel: false, channelAxis: 0, rounding: 'half_even',
    state: 'ACTIVATED', observer: 'minmax', klBins: 4096, exponent: undefined, isParameter: false, ...o,
  } as TensorQuantConfig;
  c.dominator = dominator ?? c;
  return c;
}

/** Power-of-two exponent covering absmax with qmax levels (crude minmax calibration). */
export function absmaxExponent(data: ArrayLike<number>, qmax: number): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i]!));
  return Math.ceil(Math.log2(m / qmax));
}

function node(name: string, opType: string, inputs: string[], outputs: string[], attrs: [string, number[] | number][] = []): Node {
  return {
    name, opType, domain: '', inputs, outputs,
    attributes: new Map(attrs.map(([k, v]) => [k, Array.isArray(v) ? { type: 'ints', value: v } : { type: 'int', value: v }] as const)),
  };
}

export interface TinySetup { block: Block; batches: BlockBatch[]; configs: TensorQuantConfig[] }

/**
 * x[n,3,8,8] → Conv(8, 3×3, pad 1) → Relu → Conv(4, 3×3, pad 1) → y. Weight bits `wBits` (per-tensor),
 * activations int8; exponents from absmax of the float weights and of float activations on batch 0.
 */
export function tinyBlock(seed: number, opts: { wBits?: number; batches?: number; batch?: number } = {}): TinySetup {
  const r = rng(seed);
  const wq = 2 ** ((opts.wBits ?? 8) - 1) - 1;
  const t = (dims: number[], scale: number): Tensor => ({ dtype: 'float32', dims, data: randomArray(dims.reduce((a, b) => a * b), r, -scale, scale) });
  const params = new Map<string, Tensor>([['w1', t([8, 3, 3, 3], 0.4)], ['b1', t([8], 0.2)], ['w2', t([4, 8, 3, 3], 0.25)], ['b2', t([4], 0.2)]]);
  const pads: [string, number[]] = ['pads', [1, 1, 1, 1]];
  const nodes = [node('conv1', 'Conv', ['x', 'w1', 'b1'], ['c1'], [pads]), node('relu1', 'Relu', ['c1'], ['r1']), node('conv2', 'Conv', ['r1', 'w2', 'b2'], ['y'], [pads])];
  const n = opts.batch ?? 2, nb = opts.batches ?? 3;
  const xs = Array.from({ length: nb }, () => randomArray(n * 3 * 64, r, -1, 1));
  // Float activations of batch 0 for the crude calibration.
  const floatBlock: Block = { name: 'float', ops: nodes.map((nd) => ({ node: nd, inputs: [], outputs: [] })), inputs: ['x'], outputs: ['y'], params };
  const fparams = new Map<string, Var>([...params].map(([k, v]) => [k, leaf(v.data as Float32Array, v.dims)]));
  const fl = (x: Float32Array) => runBlock(new Tape(), floatBlock, new Map([['x', { dims: [n, 3, 8, 8], data: x }]]), fparams, undefined);
  const v0 = fl(xs[0]!);
  const cx = config('x', { exponent: absmaxExponent(xs[0]!, 127) });
  const cw1 = config('w1', { exponent: absmaxExponent(params.get('w1')!.data as Float32Array, wq), qmin: -wq - 1, qmax: wq, isParameter: true });
  const cb1 = config('b1', { state: 'PASSIVE', exponent: (cx.exponent as number) + (cw1.exponent as number), qmin: -(2 ** 31), qmax: 2 ** 31 - 1, isParameter: true });
  const cc1 = config('c1', { exponent: absmaxExponent(v0.get('c1')!.data, 127) });
  const cr1in = config('c1', { state: 'OVERLAPPED' }, cc1);
  const cr1 = config('r1', { exponent: absmaxExponent(v0.get('r1')!.data, 127) });
  const cc2in = config('r1', { state: 'OVERLAPPED' }, cr1);
  const cw2 = config('w2', { exponent: absmaxExponent(params.get('w2')!.data as Float32Array, wq), qmin: -wq - 1, qmax: wq, isParameter: true });
  const cb2 = config('b2', { state: 'PASSIVE', exponent: (cr1.exponent as number) + (cw2.exponent as number), qmin: -(2 ** 31), qmax: 2 ** 31 - 1, isParameter: true });
  const cy = config('y', { exponent: absmaxExponent(v0.get('y')!.data, 127) });
  const ops: BlockOp[] = [
    { node: nodes[0]!, inputs: [cx, cw1, cb1], outputs: [cc1] },
    { node: nodes[1]!, inputs: [cr1in], outputs: [cr1] },
    { node: nodes[2]!, inputs: [cc2in, cw2, cb2], outputs: [cy] },
  ];
  const block: Block = { name: 'conv1 -> conv2', ops, inputs: ['x'], outputs: ['y'], params };
  const batches = xs.map((x) => {
    const qx = fakeQuant(new Tape(), leaf(x, [n, 3, 8, 8]), scalesOf(cx), gridOf(cx)).data;
    return { inputs: new Map([['x', { dims: [n, 3, 8, 8], data: qx }]]), reference: new Map([['y', { dims: [n, 4, 8, 8], data: fl(x).get('y')!.data }]]) };
  });
  return { block, batches, configs: [cx, cw1, cb1, cc1, cr1, cw2, cb2, cy] };
}
