/**
 * Runs a Block on the tape: quantizes each op's inputs and outputs through a hook (ESP-PPQ's TorchExecutor with
 * quantize delegators), applies the op rule, and returns the requested values.
 */
import { InternalError } from '../../errors.js';
import type { TensorQuantConfig } from '../types.js';
import { isQuantizing, resolve } from '../types.js';
import { toFloat32 } from '../../ir/tensor.js';
import type { Block, BlockOp, F32 } from './block.js';
import { fakeQuant, type QuantGrid } from './fake-quant.js';
import { OP_RULES } from './op-rules.js';
import { leaf, Tape, type Var } from './tape.js';

/** Where a config applies: the op, its slot, the value name, and whether it is a constant. */
export interface QuantSlot {
  readonly op: BlockOp;
  readonly value: string;
  readonly isParam: boolean;
}

/** Quantizes `x` under `cfg` (a quantizing config) on the tape. */
export type QuantHook = (tape: Tape, cfg: TensorQuantConfig, x: Var, slot: QuantSlot) => Var;

export function gridOf(cfg: TensorQuantConfig): QuantGrid {
  return { qmin: cfg.qmin, qmax: cfg.qmax, rounding: cfg.rounding, channelAxis: cfg.perChannel ? cfg.channelAxis : undefined };
}

/** 2^exponent per channel (or one) of a config, through its dominator. Throws when not calibrated. */
export function scalesOf(cfg: TensorQuantConfig): number[] {
  const e = resolve(cfg).exponent;
  if (e === undefined) throw new InternalError(`config ${cfg.id} (${cfg.value}) has no exponent (not calibrated)`);
  return (Array.isArray(e) ? e : [e]).map((x) => 2 ** x);
}

/** The hook of the plain quantized graph: fixed exponents, STE gradients. */
export const staticQuant: QuantHook = (tape, cfg, x) => fakeQuant(tape, x, scalesOf(cfg), gridOf(cfg));

/** Float Vars for every float parameter of a block (copies; `trainable` ones require gradients). */
export function paramVars(block: Block, trainable: ReadonlySet<string>): Map<string, Var> {
  const out = new Map<string, Var>();
  for (const [name, t] of block.params) {
    if (t.dtype !== 'float32') continue;
    out.set(name, leaf(toFloat32(t), t.dims, trainable.has(name)));
  }
  return out;
}

/**
 * Forward pass of `block`. `quant` undefined runs the block in float (PPQ dequantize). Returns every value
 * computed, by name (block outputs included).
 */
export function runBlock(
  tape: Tape, block: Block, feeds: ReadonlyMap<string, F32>, params: ReadonlyMap<string, Var>, quant: QuantHook | undefined,
): Map<string, Var> {
  const values = new Map<string, Var>();
  for (const [k, v] of feeds) values.set(k, leaf(v.data, v.dims));
  for (const op of block.ops) {
    const rule = OP_RULES[op.node.opType];
    if (!rule) throw new InternalError(`${op.node.opType} ${op.node.name} has no gradient rule`);
    const vars = op.node.inputs.map((name, i) => {
      if (!name) return undefined;
      const isParam = block.params.has(name);
      const v = values.get(name) ?? params.get(name);
      const cfg = op.inputs[i];
      if (!v || !quant || !isQuantizing(cfg)) return v;
      return quant(tape, cfg, v, { op, value: name, isParam });
    });
    const consts = op.node.inputs.map((name) => (name ? block.params.get(name) : undefined));
    const outs = rule(tape, op.node, { vars, consts });
    op.node.outputs.forEach((name, i) => {
      const cfg = op.outputs[i];
      const v = outs[i];
      if (!name || !v) return;
      values.set(name, quant && isQuantizing(cfg) ? quant(tape, cfg, v, { op, value: name, isParam: false }) : v);
    });
  }
  return values;
}
