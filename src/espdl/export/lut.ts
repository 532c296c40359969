/**
 * Lookup tables for element-wise ops (docs/esp-ppq.md §5.6; port of esp_ppq/parser/espdl/export_patterns.py
 * AddLUTPattern): the op's float kernel on the dequantized integer grid, quantized with the op's output config.
 */
import { toFloat32 } from '../../ir/tensor.js';
import { opInfo } from '../../ops/registry.js';
import { lutKernel } from './lut-kernels.js';
import { quantTypeOf } from './quant-nodes.js';
import { quantizeValuesToInt } from './to-int.js';
import type { XGraph, XOp } from './xgraph.js';
import { topo } from './xgraph.js';

/** Integer inputs of a LUT: torch.arange(min, max + step, step) — 256 for int8, 65536/step + 1 for int16 (step > 1). */
export function lutGrid(bits16: boolean, step: number): number[] {
  const [lo, hi, s] = bits16 ? [-32768, 32767, step] : [-128, 127, 1];
  const count = Math.ceil((hi + s - lo) / s);
  return Array.from({ length: count }, (_, i) => lo + i * s);
}

/** check_op: PRelu with one slope, Clip, or a single-in single-out activation/math op. */
function lutAble(g: XGraph, op: XOp): boolean {
  if (op.opType === 'PRelu') {
    const slope = g.vars.get(op.inputs[1] ?? '')?.value;
    return slope !== undefined && slope.data.length === 1;
  }
  if (op.opType === 'Clip') return true;
  if (op.outputs.length > 1 || op.inputs.length > 1) return false;
  const family = opInfo(op.opType).exportFamily;
  return family === 'activation' || family === 'math';
}

/** 2^exponent of a variable (first exponent), 1 when it has none (AddLUTPattern.get_scale). */
function scaleOf(g: XGraph, name: string): number {
  const e = g.exponents.get(name);
  return e && e.length > 0 ? 2 ** e[0]! : 1;
}

function lutFor(g: XGraph, op: XOp, bits16: boolean, step: number): void {
  const params = op.inputs.slice(1).map((n) => {
    const v = n ? g.vars.get(n)?.value : undefined;
    return v ? Math.fround(toFloat32(v)[0]! * scaleOf(g, n)) : undefined;
  });
  const kernel = lutKernel(op, params);
  const outCfg = op.outCfg[0];
  if (!kernel || !outCfg) {
    g.warnings.push(`LUT: no float kernel for ${op.opType} ${op.name}; exported without a LUT`);
    return;
  }
  const inScale = scaleOf(g, op.inputs[0]!);
  const grid = lutGrid(bits16, step);
  const y = Float32Array.from(grid, (q) => kernel(Math.fround(q * inScale)));
  const name = `${op.opType}_lut_${g.luts.length}`;
  const tensor = quantizeValuesToInt(y, [y.length], outCfg);
  op.attributes.set('lut', { type: 'string', value: name });
  g.luts.push({ name, tensor, exponents: g.exponents.get(op.outputs[0]!) ?? [] });
}

/** AddLUTPattern over the graph; `int16Step` ≤ 0 disables int16 LUTs. */
export function addLuts(g: XGraph, int16Step: number): void {
  for (const op of topo(g)) {
    const qt = quantTypeOf(op.platform);
    if (qt === 'F32' || !op.quantable || !lutAble(g, op)) continue;
    if (qt === 'S8') lutFor(g, op, false, 1);
    else if (int16Step > 0) lutFor(g, op, true, Math.trunc(int16Step));
  }
}
