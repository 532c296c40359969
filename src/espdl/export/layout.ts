/**
 * Activation layouts: NCHW → NHWC where ESP-DL computes in channels-last, with Transposes where layouts meet.
 * Port of esp_ppq/parser/espdl/layout_patterns.py `reset_graph_layout` and espdl_graph_utils.py
 * (insert_transpose_node, restore_origin_shape). Variables keep their ONNX shapes; the perm recorded per
 * variable is applied when value_info and test values are written.
 */
import { attrInt, attrInts } from '../../ir/graph.js';
import { int64Tensor, toNumbers } from '../../ir/tensor.js';
import { opInfo, type LayoutClass } from '../../ops/registry.js';
import type { XGraph, XOp } from './xgraph.js';
import {
  downstreamOf, fuseDownstream, getVar, identityPerm, insertOpBefore, inversePerm, isParam, newOpName, permute,
  rankOf, removeOpKeepInput, samePerm, topo,
} from './xgraph.js';

function defaultPerm(g: XGraph, name: string): number[] {
  return identityPerm(rankOf(g, name));
}

/** insert_transpose_node: a Transpose before `op`'s input `idx`, sharing that slot's config on both sides. */
export function insertTranspose(g: XGraph, op: XOp, idx: number, perm: number[]): XOp {
  const name = op.inputs[idx]!;
  const v = getVar(g, name);
  const cfg = op.quantable ? op.inCfg[idx] : undefined;
  const created: XOp = {
    name: newOpName(g), opType: 'Transpose', domain: '', inputs: [], outputs: [],
    attributes: new Map([['perm', { type: 'ints', value: perm }]]), platform: op.quantable ? op.platform : 'FP32',
    quantable: op.quantable, inCfg: [cfg], outCfg: [cfg],
  };
  const shape = v.shape ? permute(v.shape, perm) : undefined;
  const link = insertOpBefore(g, created, op, idx, shape, v.dtype);
  g.perm.set(link.name, identityPerm(perm.length));
  return created;
}

/** restore_origin_shape: inputs go back to the ONNX layout, outputs keep it. */
function restoreOrigin(g: XGraph, op: XOp): void {
  op.inputs.forEach((name, idx) => {
    if (!name || isParam(g, name)) return;
    const p = g.perm.get(name);
    if (p && !samePerm(p, defaultPerm(g, name))) insertTranspose(g, op, idx, inversePerm(p));
    else g.perm.set(name, defaultPerm(g, name));
  });
  for (const o of op.outputs) g.perm.set(o, defaultPerm(g, o));
}

function convPerm(rank: number): number[] {
  return rank === 4 ? [0, 2, 3, 1] : [0, 2, 1];
}

function resetConv(g: XGraph, op: XOp): void {
  op.inputs.forEach((name, idx) => {
    if (!name || isParam(g, name)) return;
    const perm = convPerm(rankOf(g, name));
    const p = g.perm.get(name);
    if (p) {
      if (!samePerm(p, perm)) insertTranspose(g, op, idx, permute(inversePerm(p), perm));
    } else g.perm.set(name, perm);
  });
  for (const o of op.outputs) g.perm.set(o, convPerm(rankOf(g, o)));
}

function bypassPassive(g: XGraph, op: XOp): void {
  const input = op.inputs[0]!;
  let p = g.perm.get(input);
  if (!p) {
    p = defaultPerm(g, input);
    g.perm.set(input, p);
  }
  g.perm.set(op.outputs[0]!, p);
}

function bypassAddLike(g: XGraph, op: XOp): void {
  const [a, b] = [op.inputs[0]!, op.inputs[1]!];
  if (isParam(g, a) || isParam(g, b)) return restoreOrigin(g, op);
  const pa = g.perm.get(a);
  const pb = g.perm.get(b);
  if (!samePerm(pa, pb)) return restoreOrigin(g, op);
  let out = pa;
  if (!out) {
    g.perm.set(a, defaultPerm(g, a));
    g.perm.set(b, defaultPerm(g, b));
    out = defaultPerm(g, op.outputs[0]!);
  }
  g.perm.set(op.outputs[0]!, out);
}

function reduceAxes(g: XGraph, op: XOp): number[] | undefined {
  const name = op.inputs[1];
  const v = name ? g.vars.get(name)?.value : undefined;
  return v && v.data.length > 0 ? toNumbers(v) : undefined;
}

function axisTransform(g: XGraph, op: XOp): void {
  const input = op.inputs[0]!;
  const rank = rankOf(g, input);
  let p = g.perm.get(input);
  if (p && !samePerm(p, defaultPerm(g, input))) {
    if (opInfo(op.opType).axisKind === 'softmax-like') {
      const axis = (attrInt(op, 'axis', op.opType === 'Split' ? 0 : -1) + p.length) % p.length;
      op.attributes.set('axis', { type: 'int', value: p.indexOf(axis) });
    } else if (opInfo(op.opType).axisKind === 'reduce') {
      const axes = reduceAxes(g, op);
      if (axes) {
        const mapped = axes.map((a) => p!.indexOf(a < 0 ? a + rank : a)).sort((x, y) => x - y);
        const v = getVar(g, op.inputs[1]!);
        v.value = int64Tensor([mapped.length], mapped);
      }
    }
  } else {
    p = defaultPerm(g, input);
    g.perm.set(input, p);
  }
  let out = [...p];
  if (opInfo(op.opType).axisKind === 'reduce' && attrInt(op, 'keepdims', 1) === 0) {
    const axes = reduceAxes(g, op);
    if (axes) {
      for (const axis of [...axes].sort((x, y) => y - x)) {
        const removed = out.splice(axis, 1)[0]!;
        out = out.map((v) => (v > removed ? v - 1 : v));
      }
      if (out.length === 0) out = [0];
    } else if (attrInt(op, 'noop_with_empty_axes', 0) === 0) out = [0];
  }
  for (const o of op.outputs) g.perm.set(o, out);
}

function resetConcat(g: XGraph, op: XOp): void {
  const perms = op.inputs.map((n) => g.perm.get(n));
  const first = perms[0];
  const allSame = perms.every((p) => samePerm(p, first));
  if (!allSame || !first) return restoreOrigin(g, op);
  const axis = attrInt(op, 'axis', 0);
  op.attributes.set('axis', { type: 'int', value: first.indexOf(axis) });
  g.perm.set(op.outputs[0]!, first);
}

function resetResize(g: XGraph, op: XOp): void {
  const input = op.inputs[0]!;
  const perm = convPerm(rankOf(g, input));
  const p = g.perm.get(input);
  if (p) {
    if (!samePerm(p, perm)) insertTranspose(g, op, 0, permute(inversePerm(p), perm));
  } else g.perm.set(input, perm);
  for (const v of op.inputs.slice(1)) if (v) g.perm.set(v, defaultPerm(g, v));
  g.perm.set(op.outputs[0]!, perm);
}

const PATTERNS: Readonly<Record<LayoutClass, (g: XGraph, op: XOp) => void>> = {
  conv: resetConv,
  passive: bypassPassive,
  'add-like': bypassAddLike,
  'axis-transform': axisTransform,
  concat: resetConcat,
  resize: resetResize,
  other: restoreOrigin,
};

/** reset_graph_layout: per-op layout patterns in topological order, then Transpose fusion. */
export function resetGraphLayout(g: XGraph): void {
  for (const op of topo(g)) {
    const layout = opInfo(op.opType).layout;
    if (layout) PATTERNS[layout](g, op);
    else g.warnings.push(`layout: cannot reset ${op.opType}:${op.name} layout`);
  }
  for (const op of topo(g)) fuseTransposeActivation(g, op);
  for (const op of topo(g)) fuseTransposes(g, op);
}

function permAttr(op: XOp): number[] {
  return [...attrInts(op, 'perm', [])];
}

function fuseTransposeActivation(g: XGraph, op: XOp): void {
  if (!g.nodes.includes(op) || op.opType !== 'Transpose') return;
  const down = downstreamOf(g, op);
  const act = down[0];
  if (down.length !== 1 || !act || opInfo(act.opType).exportFamily !== 'activation' || act.opType === 'PRelu') return;
  const down2 = downstreamOf(g, act);
  const t2 = down2[0];
  if (down2.length !== 1 || !t2 || t2.opType !== 'Transpose') return;
  const fused = permute(permAttr(op), permAttr(t2));
  // fuse_downstream_operation on the first Transpose: its producer now writes the Transpose's output.
  fuseDownstream(g, op);
  t2.attributes.set('perm', { type: 'ints', value: fused });
  if (samePerm(fused, identityPerm(fused.length))) removeOpKeepInput(g, t2);
}

function fuseTransposes(g: XGraph, op: XOp): void {
  if (!g.nodes.includes(op) || op.opType !== 'Transpose') return;
  let perm = permAttr(op);
  for (;;) {
    const down = downstreamOf(g, op);
    const t = down[0];
    if (down.length !== 1 || !t || t.opType !== 'Transpose') break;
    perm = permute(perm, permAttr(t));
    if (op.quantable) op.outCfg = [...t.outCfg];
    fuseDownstream(g, t);
    op.attributes.set('perm', { type: 'ints', value: perm });
  }
  if (samePerm(perm, identityPerm(perm.length))) removeOpKeepInput(g, op);
}

