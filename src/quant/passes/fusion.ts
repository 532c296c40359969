/**
 * QuantizeFusionPass as ESP-PPQ runs it for ESP-DL (esp_ppq/quantization/optim/refine.py; esp-ppq.md §3.6):
 * computing op + Relu/Clip share the activation's output config; passive ops' outputs share their input config;
 * any op → Relu/Clip single edge is fused too (ESP-DL runs Conv+ReLU fused), promoting a lower-precision Relu
 * to the computing op's bit width.
 */
import { ACTIVATION_FUSION_TYPES, PASSIVE_OPERATIONS } from '../op-sets.js';
import { dominateBy } from '../dominance.js';
import { quantRange } from '../targets.js';
import type { OpQuant, QuantizedGraph } from '../types.js';
import { isComputingOp } from '../configs.js';
import { graphView, type GraphView } from './graph-view.js';

const CONV_LIKE_FUSED = new Set(['Conv', 'Gemm', 'MatMul']);

/** Exclusive single-edge pairs producer → consumer where the consumer matches `isAct`. */
function singleEdgePairs(qg: QuantizedGraph, view: GraphView, isProducer: (op: OpQuant) => boolean, isAct: (op: OpQuant) => boolean): [OpQuant, OpQuant][] {
  const pairs: [OpQuant, OpQuant][] = [];
  for (const op of qg.ops.values()) {
    if (!isProducer(op)) continue;
    const down = view.downstream(op.node);
    if (down.length !== 1) continue;
    const act = view.op(down[0]!);
    if (!act || !isAct(act)) continue;
    if (view.upstream(act.node).length !== 1) continue;
    pairs.push([op, act]);
  }
  return pairs;
}

function fuseActivation(producer: OpQuant, act: OpQuant): void {
  const out = producer.outputs[0];
  const actOut = act.outputs[0];
  const actIn = act.inputs[0];
  if (!out || !actOut || !actIn) return;
  dominateBy(out, actOut);
  dominateBy(actIn, actOut);
}

function promoteActivation(producer: OpQuant, act: OpQuant): void {
  const actOut = act.outputs[0];
  const out = producer.outputs[0];
  if (!actOut || !out || actOut.bits >= out.bits) return;
  act.platform = producer.platform;
  const { qmin, qmax } = quantRange(out.bits);
  Object.assign(actOut, { bits: out.bits, qmin, qmax, klBins: 32 * 2 ** (out.bits - 1) });
}

export function fusionPass(qg: QuantizedGraph): void {
  const view = graphView(qg);
  const isAct = (op: OpQuant) => ACTIVATION_FUSION_TYPES.has(op.node.opType);
  // 1. computing op → Relu/Clip (same platform only; PPQ warns and skips otherwise).
  for (const [computing, act] of singleEdgePairs(qg, view, isComputingOp, isAct)) {
    if (computing.platform !== act.platform && computing.outputs[0]?.state !== 'FP32') continue;
    fuseActivation(computing, act);
  }
  // 2. passive ops: outputs share the first input's config.
  for (const op of qg.ops.values()) {
    if (!PASSIVE_OPERATIONS.has(op.node.opType)) continue;
    const src = op.node.inputs[0] ? view.producerOf(op.node.inputs[0]) : undefined;
    if (!src) continue;
    const srcOp = view.op(src);
    if (!srcOp || srcOp.platform !== op.platform) continue;
    const tqc = op.inputs[0];
    if (!tqc) continue;
    for (const out of op.outputs) if (out) dominateBy(out, tqc);
  }
  // 3. fuse_relu_clip: any op → Relu/Clip.
  for (const [producer, act] of singleEdgePairs(qg, view, () => true, isAct)) {
    if (producer.platform !== act.platform && CONV_LIKE_FUSED.has(producer.node.opType) && act.node.opType === 'Relu') {
      promoteActivation(producer, act);
    }
    fuseActivation(producer, act);
  }
}
