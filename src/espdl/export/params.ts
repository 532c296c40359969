/**
 * Exponents, integer parameters and filter layouts (esp_ppq/parser/espdl/export_patterns.py
 * QuantVariableToIntPattern, ResetParamLayoutPattern, QuantRNNPattern; docs/esp-ppq.md §5.4 e, §5.5).
 */
import { attrFloat, attrInt } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { exponentOf } from '../../quant/types.js';
import type { TensorQuantConfig } from '../../quant/types.js';
import { convFilterLayout, gemmFilterLayout, matmulFilterLayout } from './filter-layout.js';
import type { FilterData } from './filter-layout.js';
import { configWithVariable, isExportable, quantTypeOf, valueDtype } from './quant-nodes.js';
import { quantizeTensorToInt } from './to-int.js';
import type { XGraph, XOp } from './xgraph.js';
import { getVar, isParam, topo } from './xgraph.js';
import { UnsupportedError } from '../../errors.js';

/** Exponents of a config as ESP-PPQ writes them (a list; one per channel for per-channel configs). */
export function exponentList(c: TensorQuantConfig): number[] | undefined {
  const e = exponentOf(c);
  if (e === undefined) return undefined;
  return Array.isArray(e) ? [...e] : [e];
}

/** QuantVariableToIntPattern: the first exportable config of each variable gives its exponents and dtype. */
export function quantVariablesToInt(g: XGraph): void {
  for (const op of topo(g)) {
    if (!op.quantable) continue;
    for (const [cfg, name] of configWithVariable(op)) {
      if (!name || !isExportable(cfg)) continue;
      if (!g.varConfig.has(name)) g.varConfig.set(name, cfg);
      if (g.exponents.has(name)) continue;
      const exps = exponentList(cfg);
      if (!exps) continue;
      g.exponents.set(name, exps);
      g.varConfig.set(name, cfg);
      const v = getVar(g, name);
      if (v.value) {
        v.value = quantizeTensorToInt(v.value, cfg);
        v.dtype = v.value.dtype;
      } else {
        v.dtype = cfg.bits === 8 || cfg.bits === 16 ? valueDtype(cfg.bits) : 'float32';
      }
    }
  }
}

function familyOfPlatform(op: XOp): 'c' | 'p4' {
  return op.platform.startsWith('ESPDL_C_') ? 'c' : 'p4';
}

function filterData(t: Tensor): FilterData {
  const d = t.data;
  if (d instanceof Int8Array || d instanceof Int16Array || d instanceof Int32Array || d instanceof Float32Array) return d;
  throw new UnsupportedError(`filter of dtype ${t.dtype} cannot be laid out`);
}

function setFilter(g: XGraph, name: string, data: FilterData, dims: number[], layout: string): void {
  const v = getVar(g, name);
  v.value = { dtype: v.value!.dtype, dims, data };
  v.shape = [...dims];
  g.layouts.set(name, layout);
}

function resetConvParams(g: XGraph, op: XOp, bits16: boolean): void {
  const group = attrInt(op, 'group', 1);
  for (const name of op.inputs) {
    const t = name && isParam(g, name) ? getVar(g, name).value! : undefined;
    if (!t || (t.dims.length !== 3 && t.dims.length !== 4)) continue;
    const r = convFilterLayout(filterData(t), t.dims, familyOfPlatform(op), bits16, group);
    setFilter(g, name, r.data, r.dims, r.layout);
  }
}

function resetGemmParams(g: XGraph, op: XOp, bits16: boolean): void {
  for (const name of op.inputs) {
    const t = name && isParam(g, name) ? getVar(g, name).value! : undefined;
    if (!t) continue;
    if (attrFloat(op, 'alpha', 1) !== 1 || attrFloat(op, 'beta', 1) !== 1) {
      throw new UnsupportedError(`Gemm ${op.name}: ESP-DL needs alpha = beta = 1`);
    }
    if (t.dims.length !== 2) continue;
    let data = filterData(t);
    let [c, n] = [t.dims[0]!, t.dims[1]!];
    if (attrInt(op, 'transB', 0) !== 0) {
      op.attributes.set('transB', { type: 'int', value: 0 });
      [n, c] = [c, n];
      data = transpose2d(data, n, c);
    }
    const r = gemmFilterLayout(data, c, n, familyOfPlatform(op), bits16);
    setFilter(g, name, r.data, r.dims, r.layout);
  }
}

function transpose2d<T extends FilterData>(d: T, rows: number, cols: number): T {
  const out = new (d.constructor as new (k: number) => T)(d.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = d[r * cols + c]!;
  return out;
}

/** ResetParamLayoutPattern: target filter layouts for quantized Conv, Gemm and constant-B MatMul. */
export function resetParamLayouts(g: XGraph): void {
  for (const op of topo(g)) {
    const qt = quantTypeOf(op.platform);
    if (qt === 'F32' || !op.quantable) continue;
    const bits16 = qt === 'S16';
    if (op.opType === 'Conv') resetConvParams(g, op, bits16);
    else if (op.opType === 'Gemm') resetGemmParams(g, op, bits16);
    else if (op.opType === 'MatMul' && isParam(g, op.inputs[1] ?? '')) {
      const t = getVar(g, op.inputs[1]!).value!;
      if (t.dims.length < 2) continue;
      const r = matmulFilterLayout(filterData(t), t.dims, familyOfPlatform(op), bits16);
      setFilter(g, op.inputs[1]!, r.data, r.dims, r.layout);
    }
  }
}

/** GRU/LSTM gate exponent (GRU_QUANT_EXPONENT = LSTM_QUANT_EXPONENT = −9). */
export function quantRnn(g: XGraph): void {
  for (const op of g.nodes) {
    if ((op.opType === 'GRU' || op.opType === 'LSTM') && op.quantable) op.attributes.set('gate_exponent', { type: 'int', value: -9 });
  }
}
