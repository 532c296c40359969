/**
 * The per-tensor view of a quantized graph that users and parity tests read: every quantized value by its ONNX
 * name with bit width, state, owning op, platform and exponent (ESP-PPQ's tensor_exponents.json shape).
 * Outputs belong to their producer; graph inputs and parameters to their first consumer.
 */
import { producerMap } from '../ir/edit.js';
import { resolve, type Platform, type QuantState, type QuantizedGraph, type TensorQuantConfig } from './types.js';

export interface TensorReport {
  bits: number;
  state: QuantState;
  op: string;
  platform: Platform;
  exponent: number | number[] | null;
}

function entry(cfg: TensorQuantConfig, op: string, platform: Platform): TensorReport {
  const e = resolve(cfg).exponent;
  return { bits: cfg.bits, state: cfg.state, op, platform, exponent: e === undefined ? null : e };
}

export function tensorReport(qg: QuantizedGraph): Record<string, TensorReport> {
  const prod = producerMap(qg.model.graph.nodes);
  const out: Record<string, TensorReport> = {};
  for (const node of qg.model.graph.nodes) {
    const op = qg.ops.get(node.name);
    if (!op) continue;
    node.inputs.forEach((value, slot) => {
      const cfg = op.inputs[slot];
      if (!value || !cfg || cfg.state === 'FP32' || prod.has(value) || value in out) return;
      out[value] = entry(cfg, node.name, op.platform);
    });
    node.outputs.forEach((value, slot) => {
      const cfg = op.outputs[slot];
      if (!value || !cfg || cfg.state === 'FP32') return;
      out[value] = entry(cfg, node.name, op.platform);
    });
  }
  return out;
}

/** value → exponent (integer, or one per channel), for --json output. */
export function exponentsOf(report: Record<string, TensorReport>): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  for (const [k, v] of Object.entries(report)) if (v.exponent !== null) out[k] = v.exponent;
  return out;
}
