/**
 * QuantizeFusionPass as ESP-PPQ runs it for ESP-DL (esp_ppq/quantization/optim/refine.py; docs/esp-ppq.md §3.6):
 * computing op + Relu/Clip share the activation's output config; passive ops' outputs share their input config;
 * any op → Relu/Clip single edge is fused too (ESP-DL runs Conv+ReLU fused), promoting a lower-precision Relu
 * to the computing op's bit width.
 */
import { klBinsFor } from '../observers/observer.js';
import { opInfo } from '../../ops/registry.js';
import { dominateBy } from '../dominance.js';
import { quantRange } from '../targets.js';
import type { OpQuant, QuantizedGraph } from '../types.js';
import { isComputingOp } from '../configs.js';
import { downstreamOf, indexNodes, upstreamOf, type NodeLookup } from '../../ir/edit.js';

/** Exclusive single-edge pairs producer → consumer where the consumer matches `isAct`. */
function singleEdgePairs(qg: QuantizedGraph, nodes: NodeLookup, isProducer: (op: OpQuant) => boolean, isAct: (op: OpQuant) => boolean): [OpQuant, OpQuant][] {
  const pairs: [OpQuant, OpQuant][] = [];
  for (const op of qg.ops.values()) {
    if (!isProducer(op)) continue;
    const down = downstreamOf(nodes, op.node);
    if (down.length !== 1) continue;
    const act = qg.ops.get(down[0]!.name);
    if (!act || !isAct(act)) continue;
    if (upstreamOf(nodes, act.node).length !== 1) continue;
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
  Object.assign(actOut, { bits: out.bits, qmin, qmax, klBins: klBinsFor(out.bits) });
}

export function fusionPass(qg: QuantizedGraph): void {
  const nodes = indexNodes(qg.model.graph.nodes);
  const isAct = (op: OpQuant) => opInfo(op.node.opType).fusableActivation;
  // 1. computing op → Relu/Clip (same platform only; PPQ warns and skips otherwise).
  for (const [computing, act] of singleEdgePairs(qg, nodes, isComputingOp, isAct)) {
    if (computing.platform !== act.platform && computing.outputs[0]?.state !== 'FP32') continue;
    fuseActivation(computing, act);
  }
  // 2. passive ops: outputs share the first input's config.
  for (const op of qg.ops.values()) {
    if (!opInfo(op.node.opType).passive) continue;
    const src = op.node.inputs[0] ? nodes.producerOf(op.node.inputs[0]) : undefined;
    if (!src) continue;
    const srcOp = qg.ops.get(src.name);
    if (!srcOp || srcOp.platform !== op.platform) continue;
    const tqc = op.inputs[0];
    if (!tqc) continue;
    for (const out of op.outputs) if (out) dominateBy(out, tqc);
  }
  // 3. fuse_relu_clip: any op → Relu/Clip.
  for (const [producer, act] of singleEdgePairs(qg, nodes, () => true, isAct)) {
    if (producer.platform !== act.platform && opInfo(producer.node.opType).convLikeFused && act.node.opType === 'Relu') {
      promoteActivation(producer, act);
    }
    fuseActivation(producer, act);
  }
}
