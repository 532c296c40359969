/**
 * A MatMul whose B is computed at run time gets nodes that rearrange B into ESP-DL's blocked filter layout
 * (port of esp_ppq/parser/espdl/export_patterns.py InsertPreNodeOfMatMulPattern and the insert_*_node helpers of
 * espdl_graph_utils.py). Perms keep ESP-PPQ's negative axes, as it writes them.
 */
import type { Attribute, Dim } from '../../ir/graph.js';
import { int64Tensor } from '../../ir/tensor.js';
import type { TensorQuantConfig } from '../../quant/types.js';
import type { XGraph, XOp } from './xgraph.js';
import { copyConfig, getVar, identityPerm, insertOpBefore, isParam, newOpName, newVar, topo } from './xgraph.js';

/** Python-style element access (negative indices count from the end). */
function at<T>(xs: readonly T[], i: number): T {
  return xs[i < 0 ? xs.length + i : i]!;
}

function newOp(g: XGraph, op: XOp, opType: string, attrs: [string, Attribute][], inCfg: (TensorQuantConfig | undefined)[], outCfg: (TensorQuantConfig | undefined)[]): XOp {
  return {
    name: newOpName(g), opType, domain: '', inputs: [], outputs: [], attributes: new Map(attrs),
    platform: op.platform, quantable: op.quantable, inCfg: op.quantable ? inCfg : [], outCfg: op.quantable ? outCfg : [],
  };
}

function shapeNums(g: XGraph, name: string): number[] {
  return (getVar(g, name).shape ?? []).map((d) => (typeof d === 'number' ? d : -1));
}

function insertTransposeRaw(g: XGraph, op: XOp, idx: number, perm: number[]): XOp {
  const v = getVar(g, op.inputs[idx]!);
  const cfg = op.inCfg[idx];
  const created = newOp(g, op, 'Transpose', [['perm', { type: 'ints', value: perm }]], [cfg], [cfg]);
  const shape = v.shape ? perm.map((p) => at(v.shape as Dim[], p)) : undefined;
  const link = insertOpBefore(g, created, op, idx, shape, v.dtype);
  g.perm.set(link.name, identityPerm(perm.length));
  return created;
}

function insertReshape(g: XGraph, op: XOp, idx: number, shape: number[]): void {
  const v = getVar(g, op.inputs[idx]!);
  const cfg = op.inCfg[idx];
  const shapeCfg = cfg ? copyConfig(g, cfg, { state: 'FP32' }) : undefined;
  const created = newOp(g, op, 'Reshape', [['allowzero', { type: 'int', value: 0 }]], [cfg, shapeCfg], [cfg]);
  insertOpBefore(g, created, op, idx, [...shape], v.dtype);
  const p = newVar(g, { shape: [shape.length], dtype: 'int64', value: int64Tensor([shape.length], shape) });
  created.inputs.push(p.name);
}

function insertSlice(g: XGraph, op: XOp, idx: number, starts: number[], ends: number[]): XOp {
  const v = getVar(g, op.inputs[idx]!);
  const shape = shapeNums(g, v.name);
  const rank = shape.length;
  const axes = identityPerm(rank);
  const steps = axes.map(() => 1);
  const cfg = op.inCfg[idx];
  const in0 = cfg ? copyConfig(g, cfg, { state: 'OVERLAPPED' }) : undefined;
  const fp = cfg ? axes.slice(0, 4).map(() => copyConfig(g, cfg, { state: 'FP32' })) : [];
  const out0 = in0 ? copyConfig(g, cfg!, { state: 'OVERLAPPED', dominator: in0 }) : undefined;
  const created = newOp(g, op, 'Slice', [], [in0, ...fp], [out0]);
  const outShape = shape.map((d, axis) => {
    const s = starts[axis]! < 0 ? starts[axis]! + d : starts[axis]! % (d + 1);
    const e = ends[axis]! < 0 ? ends[axis]! + d : ends[axis]! % (d + 1);
    return 1 + Math.floor((e - s - 1) / steps[axis]!);
  });
  insertOpBefore(g, created, op, idx, outShape, v.dtype);
  for (const values of [starts, ends, axes, steps]) {
    const p = newVar(g, { shape: [values.length], dtype: 'int64', value: int64Tensor([values.length], values) });
    created.inputs.push(p.name);
  }
  return created;
}

/** insert_concat_node: Concat(op's input idx, extra) before `op`, all inputs sharing the first input's config. */
function insertConcat(g: XGraph, op: XOp, idx: number, extra: string, axis: number): XOp {
  const v = getVar(g, op.inputs[idx]!);
  const rank = shapeNums(g, v.name).length;
  const ax = axis < 0 ? axis + rank : axis;
  const cfg = op.inCfg[idx];
  const inCfg = cfg ? copyConfig(g, cfg, { state: 'PASSIVE' }) : undefined;
  const created = newOp(g, op, 'Concat', [['axis', { type: 'int', value: ax }]], [inCfg, inCfg], [cfg]);
  const shape = shapeNums(g, v.name);
  shape[ax] = shape[ax]! + shapeNums(g, extra)[ax]!;
  insertOpBefore(g, created, op, idx, shape, v.dtype);
  created.inputs.push(extra);
  return created;
}

function blockUnaligned(g: XGraph, op: XOp, shape: number[], align: number): void {
  const rank = shape.length;
  const lead = identityPerm(rank - 2);
  const [c, n] = [shape[rank - 2]!, shape[rank - 1]!];
  const aligned = Math.floor(n / align) * align;
  const trans = insertTransposeRaw(g, op, 1, [...lead, -1, -2]);
  if (aligned > 0) {
    const head = shape.slice(0, -2);
    insertSlice(g, op, 1, shape.map(() => 0), [...head, aligned, c]);
    insertReshape(g, op, 1, [...head, Math.floor(n / align), align, c]);
    insertTransposeRaw(g, op, 1, [...lead, -3, -1, -2]);
    insertReshape(g, op, 1, [...head, aligned, c]);
    const concat = insertConcat(g, op, 1, trans.outputs[0]!, -2);
    insertSlice(g, concat, 1, [...lead.map(() => 0), aligned, 0], [...head, n, c]);
    const axis = rank - 2;
    const out = getVar(g, concat.outputs[0]!);
    const total = concat.inputs.reduce((acc, name) => acc + shapeNums(g, name)[axis]!, 0);
    if (out.shape) out.shape[axis] = total;
  }
  insertReshape(g, op, 1, shape);
}

function insertPreNodes(g: XGraph, op: XOp): void {
  const b = op.inputs[1]!;
  const cfg = op.inCfg[1];
  const shape = shapeNums(g, b);
  if (!cfg || shape.length < 2 || (cfg.bits !== 8 && cfg.bits !== 16)) return;
  const align = cfg.bits === 8 ? 16 : 8;
  const lead = identityPerm(shape.length - 2);
  if (op.platform.startsWith('ESPDL_C_')) {
    // *CN -> *NC: ESP-DL's C kernels want the filter as NHWC.
    insertTransposeRaw(g, op, 1, [...lead, -1, -2]);
    insertReshape(g, op, 1, shape);
  } else if (shape[shape.length - 1]! % align === 0) {
    const [c, n] = [shape[shape.length - 2]!, shape[shape.length - 1]!];
    insertReshape(g, op, 1, [...shape.slice(0, -2), c, n / align, align]);
    insertTransposeRaw(g, op, 1, [...lead, -2, -3, -1]);
    insertReshape(g, op, 1, shape);
  } else blockUnaligned(g, op, shape, align);
}

/** InsertPreNodeOfMatMulPattern over the graph (quantized MatMuls with a non-constant B). */
export function insertMatMulPreNodes(g: XGraph): void {
  for (const op of topo(g)) {
    if (op.opType !== 'MatMul' || !op.quantable || isParam(g, op.inputs[1] ?? '')) continue;
    insertPreNodes(g, op);
  }
}
