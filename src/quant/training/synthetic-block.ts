/**
 * A synthetic MobileNetV2-shaped block (1×1 expand → Clip → 3×3 depthwise → Clip → 1×1 project → Clip → 1×1
 * expand, P4-style per-channel weights) with deterministic random weights and one cached batch, for measuring
 * seconds per training step (`npm run bench`) without a model file.
 */
import type { Node } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { TensorQuantConfig } from '../types.js';
import type { Block, BlockBatch, BlockOp } from './block.js';
import { paramVars, runBlock } from './executor.js';
import { Tape } from './tape.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 * 2 - 1; };
}

function cfg(id: number, value: string, o: Partial<TensorQuantConfig>, dom?: TensorQuantConfig): TensorQuantConfig {
  const c = {
    id, value, bits: 8, qmin: -128, qmax: 127, perChannel: false, channelAxis: 0, rounding: 'half_even', state: 'ACTIVATED',
    observer: 'minmax', klBins: 4096, exponent: -4, isParameter: false, ...o,
  } as TensorQuantConfig;
  c.dominator = dom ?? c;
  return c;
}

/** The block and one batch of `n` images of 32×hw×hw; the reference is the float block's own output. */
export function mobilenetV2Block(n: number, hw: number, seed = 1): { block: Block; batches: BlockBatch[] } {
  const r = lcg(seed);
  const rnd = (len: number, s: number) => Float32Array.from({ length: len }, () => r() * s);
  const layers: [number, number, number][] = [[32, 192, 1], [192, 192, 192], [192, 32, 1], [32, 192, 1]];
  const params = new Map<string, Tensor>([['zero', { dtype: 'float32', dims: [], data: Float32Array.of(0) }], ['six', { dtype: 'float32', dims: [], data: Float32Array.of(6) }]]);
  const ops: BlockOp[] = [];
  let id = 1, prev = 'x', prevCfg = cfg(id++, 'x', { exponent: -6 });
  layers.forEach(([cin, cout, g], k) => {
    const ks = g === 1 ? 1 : 3;
    params.set(`w${k}`, { dtype: 'float32', dims: [cout, cin / g, ks, ks], data: rnd(cout * (cin / g) * ks * ks, 0.3) });
    params.set(`b${k}`, { dtype: 'float32', dims: [cout], data: rnd(cout, 0.1) });
    const conv: Node = {
      name: `conv${k}`, opType: 'Conv', domain: '', inputs: [prev, `w${k}`, `b${k}`], outputs: [`c${k}`],
      attributes: new Map([['group', { type: 'int', value: g }], ['pads', { type: 'ints', value: ks === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0] }]]),
    };
    const cw = cfg(id++, `w${k}`, { perChannel: true, exponent: Array<number>(cout).fill(-5), isParameter: true });
    const cb = cfg(id++, `b${k}`, { perChannel: true, state: 'PASSIVE', exponent: Array<number>(cout).fill(-11), qmin: -(2 ** 31), qmax: 2 ** 31 - 1, isParameter: true });
    const cOut = cfg(id++, `c${k}`, { exponent: -3 });
    ops.push({ node: conv, inputs: [k === 0 ? prevCfg : cfg(id++, prev, { state: 'OVERLAPPED' }, prevCfg), cw, cb], outputs: [cOut] });
    prev = `c${k}`; prevCfg = cOut;
    if (k === layers.length - 1) return;
    const clip: Node = { name: `clip${k}`, opType: 'Clip', domain: '', inputs: [prev, 'zero', 'six'], outputs: [`r${k}`], attributes: new Map() };
    const rOut = cfg(id++, `r${k}`, { exponent: -4 });
    ops.push({ node: clip, inputs: [cfg(id++, prev, { state: 'OVERLAPPED' }, cOut), undefined, undefined], outputs: [rOut] });
    prev = `r${k}`; prevCfg = rOut;
  });
  const block: Block = { name: 'conv0 -> conv3', ops, inputs: ['x'], outputs: [prev], params };
  const x = { dims: [n, 32, hw, hw], data: rnd(n * 32 * hw * hw, 1) };
  const ref = runBlock(new Tape(), block, new Map([['x', x]]), paramVars(block, new Set()), undefined).get(prev)!;
  return { block, batches: [{ inputs: new Map([['x', x]]), reference: new Map([[prev, { dims: ref.shape, data: ref.data }]]) }] };
}
