/**
 * QuantizeSimplifyPass (esp_ppq/quantization/optim/refine.py): an INITIAL input config whose value is already
 * quantized by its producer's output config with the same scheme (same platform) is dominated by it, so the value
 * is quantized once. int8→int16 edges keep two configs (a requantization on the chip).
 */
import { dominateBy } from '../dominance.js';
import type { QuantizedGraph, TensorQuantConfig } from '../types.js';
import { consumerSlots, indexNodes } from '../../ir/edit.js';

function sameScheme(a: TensorQuantConfig, b: TensorQuantConfig): boolean {
  return a.qmin === b.qmin && a.qmax === b.qmax && a.bits === b.bits && a.perChannel === b.perChannel
    && (!a.perChannel || a.channelAxis === b.channelAxis) && a.rounding === b.rounding;
}

export function simplifyPass(qg: QuantizedGraph): void {
  const nodes = indexNodes(qg.model.graph.nodes);
  for (const src of qg.ops.values()) {
    src.node.outputs.forEach((value, idx) => {
      const srcCfg = src.outputs[idx];
      if (!value || !srcCfg || srcCfg.state === 'FP32') return;
      for (const { node, slot } of consumerSlots(nodes, value)) {
        const dst = qg.ops.get(node.name);
        const inCfg = dst?.inputs[slot];
        if (!dst || !inCfg || dst.platform !== src.platform) continue;
        if (inCfg.state === 'INITIAL' && sameScheme(inCfg, srcCfg)) dominateBy(inCfg, srcCfg);
      }
    });
  }
}
