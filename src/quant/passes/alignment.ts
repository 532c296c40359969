/**
 * QuantAlignmentPass (esp_ppq/quantization/optim/refine.py; docs/esp-ppq.md §3.6): ops whose ESP-DL kernels need
 * equal input/output exponents get their configs linked after calibration.
 */
import { masterBy } from '../dominance.js';
import { opInfo } from '../../ops/registry.js';
import type { AlignMode, FusionAlignmentOptions } from '../options.js';
import { minmaxToExponent } from '../pot.js';
import { resolve, type OpQuant, type QuantizedGraph, type TensorQuantConfig } from '../types.js';
import { downstreamOf, indexNodes, upstreamOf } from '../../ir/edit.js';

const skip = (c: TensorQuantConfig | undefined): c is undefined => !c || c.state === 'FP32';

function alignToOutput(op: OpQuant): TensorQuantConfig | undefined {
  const master = op.outputs[0];
  if (!master) return undefined;
  for (const cfg of op.inputs) if (!skip(cfg)) masterBy(cfg, master);
  return master;
}

function alignToInput(op: OpQuant): void {
  const master = op.inputs[0];
  if (!master) return;
  for (const cfg of op.outputs) if (!skip(cfg)) masterBy(cfg, master);
}

/**
 * QUIRK kept: the union range [min(s·qmin), max(s·qmax)] is re-quantized with the ceil rule, which for POT
 * scales always doubles the largest input scale (docs/esp-ppq.md §3.6).
 */
function alignToLarge(op: OpQuant): TensorQuantConfig | undefined {
  const master = op.inputs[0];
  if (!master) return undefined;
  let lo = 0;
  let hi = 0;
  for (const cfg of op.inputs) {
    if (skip(cfg)) continue;
    const e = resolve(cfg).exponent;
    if (typeof e !== 'number') throw new Error(`align to large on ${op.node.name}: ${cfg.value} is not per-tensor calibrated`);
    lo = Math.min(lo, 2 ** e * cfg.qmin);
    hi = Math.max(hi, 2 ** e * cfg.qmax);
  }
  const exponent = minmaxToExponent(lo, hi, master.qmin, master.qmax);
  master.dominator = master;
  master.state = 'PASSIVE';
  master.exponent = exponent;
  // PPQ's loop tests the last-seen `config`, not `slave_config`: every later input is linked (FP32 ones too
  // only if the last input was not FP32). Inputs here are activations, so we link the non-FP32 ones.
  for (const cfg of op.inputs.slice(1)) if (!skip(cfg)) masterBy(cfg, master);
  return master;
}

function alignOp(op: OpQuant, opts: FusionAlignmentOptions): TensorQuantConfig | undefined {
  const t = op.node.opType;
  const apply = (mode: AlignMode, allowInput: boolean) => {
    if (mode === 'None') return undefined;
    if (mode === 'Align to Large') return alignToLarge(op);
    if (mode === 'Align to Input' && allowInput) { alignToInput(op); return undefined; }
    if (mode === 'Align to Output') return alignToOutput(op);
    throw new Error(`alignment "${mode}" is not valid for ${t}`);
  };
  switch (opInfo(t).alignment) {
    case 'elementwise': return apply(opts.elementwiseTo, false);
    case 'concat': return apply(opts.concatTo, false);
    case 'pooling': return apply(opts.avgpoolingTo, true);
    case 'resize': return apply(opts.resizeTo, true);
    case 'logical': return alignToLarge(op);
    case 'rnn': case undefined: return undefined;
  }
}

export function alignmentPass(qg: QuantizedGraph, opts: FusionAlignmentOptions): void {
  if (!opts.enabled) return;
  const nodes = indexNodes(qg.model.graph.nodes);
  for (const op of qg.ops.values()) {
    const master = alignOp(op, opts);
    if (!master) continue;
    // Upstream producers feeding this op follow the master, unless shared or passive (force_overlap=False).
    for (const up of upstreamOf(nodes, op.node)) {
      const upOp = qg.ops.get(up.name);
      if (!upOp) continue;
      if ((opInfo(up.opType).passive || downstreamOf(nodes, up).length !== 1) && !opts.forceOverlap) continue;
      up.outputs.forEach((value, i) => {
        const cfg = upOp.outputs[i];
        if (cfg && op.node.inputs.includes(value)) masterBy(cfg, master);
      });
    }
  }
}
