/**
 * QuantizeLinear / RequantizeLinear / DequantizeLinear insertion and `quant_type` (docs/esp-ppq.md §5.4 e, §3.8; port
 * of esp_ppq/parser/espdl/export_patterns.py Insert{Quant,Requant,Dequant,QuantType}Pattern and
 * espdl_graph_utils.py insert_*_node).
 */
import type { DataType, Tensor } from '../../ir/tensor.js';
import type { Platform, TensorQuantConfig } from '../../quant/types.js';
import { exponentOf, resolve } from '../../quant/types.js';
import { opInfo } from '../../ops/registry.js';

const isQuantOp = (op: XOp): boolean => opInfo(op.opType).exportFamily === 'quant';
const isQuantExcluded = (op: XOp): boolean => opInfo(op.opType).quantExcluded;
import type { XGraph, XOp } from './xgraph.js';
import { consumersOf, getVar, insertOpBefore, isParam, newOpName, newVar, producerOf, topo } from './xgraph.js';

/** TQC.can_export(True) + the int8 range check of EspdlQuantHelper.TQC_Exportable_Check. */
export function isExportable(c: TensorQuantConfig | undefined): c is TensorQuantConfig {
  if (!c) return false;
  if (!['ACTIVATED', 'PASSIVE', 'OVERLAPPED'].includes(c.state)) return false;
  if (exponentOf(c) === undefined) return false;
  if (c.bits === 8) return c.qmax <= 127 && c.qmin >= -128;
  return true;
}

/** Scale values of a config (2^exponent, per channel when per-channel). */
export function scalesOf(c: TensorQuantConfig): number[] {
  const e = exponentOf(c);
  if (e === undefined) return [];
  return (Array.isArray(e) ? e : [e]).map((x) => 2 ** x);
}

/** Integer dtype of a quantized value of `bits` (infer_qtype: >8 bits → int16). */
export function valueDtype(bits: number): DataType {
  return bits > 8 ? 'int16' : 'int8';
}

/** The config list of an op, inputs then outputs, with the variable each belongs to (config_with_variable). */
export function configWithVariable(op: XOp): [TensorQuantConfig | undefined, string][] {
  return [...op.inputs.map((v, i) => [op.inCfg[i], v] as [TensorQuantConfig | undefined, string]),
    ...op.outputs.map((v, i) => [op.outCfg[i], v] as [TensorQuantConfig | undefined, string])];
}

function scalarOrVector(c: TensorQuantConfig, values: number[], dtype: 'float32' | DataType): Tensor {
  const perTensor = !c.perChannel;
  const dims = perTensor ? [] : [values.length];
  const data = dtype === 'float32' ? Float32Array.from(values) : dtype === 'int16' ? Int16Array.from(values) : Int8Array.from(values);
  return { dtype, dims, data };
}

interface QuantNodeSpec { opType: string; scale: number[]; inDtype: DataType; outDtype: DataType; cfg: TensorQuantConfig }

/** Inserts a quant-family node before `op`'s input `idx`; it takes the consumer's platform (insert_op_before). */
function insertQuantNode(g: XGraph, op: XOp, idx: number, spec: QuantNodeSpec): void {
  const v = getVar(g, op.inputs[idx]!);
  const created: XOp = {
    name: newOpName(g), opType: spec.opType, domain: '', inputs: [], outputs: [], attributes: new Map(),
    platform: op.platform, quantable: false, inCfg: [], outCfg: [],
  };
  if (spec.cfg.perChannel) created.attributes.set('axis', { type: 'int', value: spec.cfg.channelAxis });
  const link = insertOpBefore(g, created, op, idx, v.shape ? [...v.shape] : undefined, spec.outDtype);
  // The new value keeps the layout of the value it re-quantizes (ESP-PPQ 1.3.5 exports it permuted).
  const perm = g.perm.get(v.name);
  if (perm) g.perm.set(link.name, perm);
  v.dtype = spec.opType === 'QuantizeLinear' ? v.dtype : spec.inDtype;
  const zeros = spec.scale.map(() => 0);
  const s = newVar(g, { shape: spec.cfg.perChannel ? [spec.scale.length] : [], dtype: 'float32', value: scalarOrVector(spec.cfg, spec.scale, 'float32') });
  const z = newVar(g, { shape: spec.cfg.perChannel ? [zeros.length] : [], dtype: valueDtype(spec.cfg.bits), value: scalarOrVector(spec.cfg, zeros, valueDtype(spec.cfg.bits)) });
  created.inputs.push(s.name, z.name);
}

function sourceOutCfg(src: XOp, name: string): TensorQuantConfig | undefined {
  return src.outCfg[src.outputs.indexOf(name)];
}

function eachQuantInput(g: XGraph, fn: (op: XOp, idx: number, cfg: TensorQuantConfig, src: XOp) => void): void {
  for (const op of topo(g)) {
    if (isQuantOp(op) || !op.quantable) continue;
    for (const [cfg, name] of configWithVariable(op)) {
      if (!isExportable(cfg) || isParam(g, name)) continue;
      const idx = op.inputs.indexOf(name);
      const src = producerOf(g, name);
      if (idx < 0 || !src || isQuantOp(src)) continue;
      fn(op, idx, cfg, src);
    }
  }
}

/** InsertQuantNodePattern: QuantizeLinear where a quantized op reads a float producer's output. */
export function insertQuantNodes(g: XGraph): void {
  eachQuantInput(g, (op, idx, cfg, src) => {
    const srcCfg = src.quantable ? sourceOutCfg(src, op.inputs[idx]!) : undefined;
    const floatSource = !src.quantable || srcCfg?.state === 'FP32';
    if (!floatSource || isQuantExcluded(src)) return;
    insertQuantNode(g, op, idx, { opType: 'QuantizeLinear', scale: scalesOf(cfg), inDtype: 'float32', outDtype: valueDtype(cfg.bits), cfg });
  });
}

function maxAbsDiff(a: number[], b: number[]): number {
  const n = Math.max(a.length, b.length);
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs((a[i] ?? a[0]!) - (b[i] ?? b[0]!)));
  return m;
}

/** InsertRequantNodePattern: RequantizeLinear where producer and consumer configs differ (bits or scale). */
export function insertRequantNodes(g: XGraph): void {
  eachQuantInput(g, (op, idx, cfg, src) => {
    if (!src.quantable) return;
    const up = sourceOutCfg(src, op.inputs[idx]!);
    if (!up) return;
    const upScale = scalesOf(up);
    const scale = scalesOf(cfg);
    if (upScale.length === 0 || scale.length === 0) return;
    if (resolve(up) === resolve(cfg) && up.bits === cfg.bits) return;
    if (up.bits === cfg.bits && maxAbsDiff(upScale, scale) < 1e-5) return;
    const rescale = scale.length >= upScale.length
      ? scale.map((s, i) => Math.fround(s) / Math.fround(upScale[i] ?? upScale[0]!))
      : upScale.map((u, i) => Math.fround(scale[i] ?? scale[0]!) / Math.fround(u));
    insertQuantNode(g, op, idx, { opType: 'RequantizeLinear', scale: rescale, inDtype: valueDtype(up.bits), outDtype: valueDtype(cfg.bits), cfg });
  });
}

/** InsertDequantNodePattern: DequantizeLinear before every float consumer of a quantized output. */
export function insertDequantNodes(g: XGraph): void {
  for (const op of topo(g)) {
    if (isQuantOp(op) || !op.quantable) continue;
    op.outputs.forEach((name, k) => {
      const cfg = op.outCfg[k];
      if (!isExportable(cfg) || isParam(g, name)) return;
      for (const dest of consumersOf(g, name)) {
        if (isQuantOp(dest) || dest.quantable || isQuantExcluded(dest)) continue;
        const idx = dest.inputs.indexOf(name);
        insertQuantNode(g, dest, idx, { opType: 'DequantizeLinear', scale: scalesOf(cfg), inDtype: valueDtype(cfg.bits), outDtype: 'float32', cfg });
      }
    });
  }
}

/** `quant_type` from the op's platform (InsertQuantTypePattern). */
export function quantTypeOf(platform: Platform): 'S8' | 'S16' | 'F32' {
  if (platform === 'ESPDL_INT8' || platform === 'ESPDL_S3_INT8' || platform === 'ESPDL_C_INT8') return 'S8';
  if (platform === 'FP32') return 'F32';
  return 'S16';
}

/** Sets `quant_type` on every op. */
export function insertQuantTypes(g: XGraph): void {
  for (const op of g.nodes) op.attributes.set('quant_type', { type: 'string', value: quantTypeOf(op.platform) });
}
