/**
 * (c) BatchNormalization folding, ported from ESP-PPQ esp_ppq/IR/morph.py:
 * - GraphMerger.fuse_bn: Conv/ConvTranspose/Gemm → BN (the computing node's only consumer) becomes one node
 *   that keeps the computing node's NAME, takes the BN's OUTPUT name, and gets new initializers
 *   `<node>_weight` / `<node>_bias`.
 * - GraphReplacer.replace_batchnorm_to_conv: a BN left alone becomes a 1×1 depthwise Conv with the BN's name,
 *   its scale/B initializer names reused for weight/bias when nothing else reads them (weight = scale/sqrt(var+eps) shaped [C,1,1…], bias = B − mean·scale/sqrt(var+eps)).
 * Arithmetic is float32 step by step, as torch does it there.
 */
import { attrFloat, attrInt, type Graph, type Node } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Logger } from '../../log.js';
import { opInfo } from '../../ops/registry.js';
import { addInitializer, consumerMap, floatInit, graphOutputNames, knownShape, producerMap, removeNodes } from '../../ir/edit.js';

const f = Math.fround;

interface BnParams {
  scale: Float32Array; bias: Float32Array; mean: Float32Array; variance: Float32Array; eps: number;
}

function bnParams(g: Graph, bn: Node): BnParams | undefined {
  const [, s, b, m, v] = bn.inputs;
  const scale = floatInit(g, s), bias = floatInit(g, b), mean = floatInit(g, m), variance = floatInit(g, v);
  if (!scale || !bias || !mean || !variance) return undefined;
  if (attrInt(bn, 'training_mode', 0) !== 0 || bn.outputs.slice(1).some((o) => o)) return undefined;
  return { scale, bias, mean, variance, eps: attrFloat(bn, 'epsilon', 1e-5) };
}

/** Per-channel multiplier alpha/sqrt(var+eps), float32. */
function multiplier(p: BnParams): Float32Array {
  return p.scale.map((a, c) => f(a / f(Math.sqrt(f(p.variance[c]! + f(p.eps))))));
}

export function fuseBatchNorm(g: Graph, log: Logger): void {
  const dead = new Set<Node>();
  const prod = producerMap(g.nodes);
  const cons = consumerMap(g.nodes);
  const outputs = graphOutputNames(g);
  for (const bn of g.nodes) {
    if (bn.opType !== 'BatchNormalization') continue;
    const p = bnParams(g, bn);
    const up = prod.get(bn.inputs[0] ?? '');
    if (!p || !up || !opInfo(up.opType).weightAndBias) continue;
    const upOut = up.outputs[0]!;
    if ((cons.get(upOut) ?? []).length !== 1 || up.outputs.length !== 1 || outputs.has(upOut)) {
      log.warn(`cannot fold BatchNormalization ${bn.name} into ${up.name}: ${up.name}'s output has other uses`);
      continue;
    }
    const folded = foldInto(g, up, p);
    if (!folded) continue;
    // Old weight/bias only this node read are dropped now, so the new ones get the clean `<node>_*` names.
    for (const old of up.inputs.slice(1)) {
      if (old && (cons.get(old) ?? []).length === 1 && !g.inputs.some((i) => i.name === old)) g.initializers.delete(old);
    }
    up.inputs = [up.inputs[0]!];
    up.inputs.push(addInitializer(g, `${up.name}_weight`, folded.w), addInitializer(g, `${up.name}_bias`, folded.b));
    up.outputs = [bn.outputs[0]!];
    g.valueInfo.delete(upOut);
    dead.add(bn);
  }
  removeNodes(g, dead);
}

function foldInto(g: Graph, op: Node, p: BnParams): { w: Tensor; b: Tensor } | undefined {
  const wt = g.initializers.get(op.inputs[1] ?? '');
  if (!wt || wt.dtype !== 'float32') return undefined;
  const w = wt.data as Float32Array;
  const k = multiplier(p);
  const channels = k.length;
  const out = new Float32Array(w.length);
  if (op.opType === 'Conv') {
    if (wt.dims[0] !== channels) return undefined;
    const per = w.length / channels;
    for (let i = 0; i < w.length; i++) out[i] = f(w[i]! * k[Math.floor(i / per)]!);
  } else if (op.opType === 'Gemm') {
    if (attrFloat(op, 'alpha', 1) !== 1 || attrFloat(op, 'beta', 1) !== 1 || wt.dims.length !== 2) return undefined;
    const transB = attrInt(op, 'transB', 0) === 1;
    const [r, c] = wt.dims as [number, number];
    if ((transB ? r : c) !== channels) return undefined;
    for (let i = 0; i < w.length; i++) out[i] = f(w[i]! * k[transB ? Math.floor(i / c) : i % c]!);
  } else {
    // ConvTranspose weight [Cin, Cout/group, k…]; output channel = group index · Cout/group + column.
    const group = attrInt(op, 'group', 1);
    const perGroupOut = wt.dims[1]!;
    if (perGroupOut * group !== channels) return undefined;
    const cinPerGroup = wt.dims[0]! / group;
    const spatial = w.length / (wt.dims[0]! * perGroupOut);
    for (let i = 0; i < w.length; i++) {
      const row = Math.floor(i / (perGroupOut * spatial));
      const col = Math.floor(i / spatial) % perGroupOut;
      out[i] = f(w[i]! * k[Math.floor(row / cinPerGroup) * perGroupOut + col]!);
    }
  }
  const oldBias = floatInit(g, op.inputs[2]) ?? new Float32Array(channels);
  if (oldBias.length !== channels) return undefined;
  const b = oldBias.map((b0, c) => f(f(f(p.scale[c]! * f(b0 - p.mean[c]!)) / f(Math.sqrt(f(p.variance[c]! + f(p.eps))))) + p.bias[c]!));
  return { w: { dtype: 'float32', dims: [...wt.dims], data: out }, b: { dtype: 'float32', dims: [channels], data: b } };
}

/** Any BatchNormalization still present becomes a 1×1 depthwise Conv keeping the BN's name and output. */
export function batchNormToConv(g: Graph, log: Logger): void {
  for (const bn of g.nodes) {
    if (bn.opType !== 'BatchNormalization') continue;
    const p = bnParams(g, bn);
    if (!p) continue;
    const shape = knownShape(g, bn.inputs[0]!);
    const spatial = shape ? shape.length - 2 : 2;
    if (spatial < 1) {
      log.warn(`BatchNormalization ${bn.name} on a rank-${shape?.length} input cannot become a Conv; kept`);
      continue;
    }
    const k = multiplier(p);
    const c = k.length;
    const b = p.bias.map((beta, i) => f(f(f(p.scale[i]! * -p.mean[i]!) / f(Math.sqrt(f(p.variance[i]! + f(p.eps))))) + beta));
    log.info(`isolated BatchNormalization ${bn.name} replaced by a 1x1 depthwise Conv`);
    bn.opType = 'Conv';
    bn.attributes = new Map([
      ['kernel_shape', { type: 'ints', value: Array(spatial).fill(1) }],
      ['strides', { type: 'ints', value: Array(spatial).fill(1) }],
      ['dilations', { type: 'ints', value: Array(spatial).fill(1) }],
      ['pads', { type: 'ints', value: Array(2 * spatial).fill(0) }],
      ['group', { type: 'int', value: c }],
    ]);
    // ESP-PPQ writes the new values into the BN's scale and B variables, so those names survive.
    const uses = consumerMap(g.nodes);
    const place = (name: string, fallback: string, t: Tensor) => {
      if ((uses.get(name) ?? []).length === 1 && !g.inputs.some((i) => i.name === name)) {
        g.initializers.set(name, t);
        return name;
      }
      return addInitializer(g, fallback, t);
    };
    bn.inputs = [
      bn.inputs[0]!,
      place(bn.inputs[1]!, `${bn.name}_weight`, { dtype: 'float32', dims: [c, 1, ...Array(spatial).fill(1)], data: k }),
      place(bn.inputs[2]!, `${bn.name}_bias`, { dtype: 'float32', dims: [c], data: b }),
    ];
    bn.outputs = [bn.outputs[0]!];
  }
}
