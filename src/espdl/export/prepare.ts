/**
 * First steps of ESP-PPQ's `prepare_graph` (esp_ppq/parser/espdl_exporter.py): copy the quantized graph into
 * the exporter's working form, normalise opset-11 attributes to inputs, and fuse Conv/Gemm/MatMul with a single
 * downstream Relu (esp_ppq/parser/espdl/export_patterns.py FuseReluLikePattern).
 */
import type { Attribute } from '../../ir/graph.js';
import { int64Tensor } from '../../ir/tensor.js';
import type { QuantizedGraph, Rounding } from '../../quant/types.js';
import { opInfo } from '../../ops/registry.js';
import type { XGraph, XOp, XVar } from './xgraph.js';
import { downstreamOf, fuseDownstream, newVar, topo } from './xgraph.js';

/** The highest `<prefix><n>` suffix among names, plus one (so generated names continue ESP-PPQ's counters). */
function nextIndex(names: Iterable<string>, prefix: string): number {
  let next = 0;
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const k = Number(n.slice(prefix.length));
    if (Number.isInteger(k) && k >= next) next = k + 1;
  }
  return next;
}

/** Builds the working graph; the QuantizedGraph and its model are never mutated (configs are shared, read-only). */
export function buildXGraph(qg: QuantizedGraph, rounding: Rounding): XGraph {
  const g = qg.model.graph;
  const vars = new Map<string, XVar>();
  for (const v of [...g.inputs, ...g.outputs, ...g.valueInfo.values()]) {
    vars.set(v.name, { name: v.name, shape: v.shape ? [...v.shape] : undefined, dtype: v.dtype });
  }
  for (const [name, t] of g.initializers) vars.set(name, { name, shape: [...t.dims], dtype: t.dtype, value: t });
  const ops: XOp[] = g.nodes.map((n) => {
    const q = qg.ops.get(n.name);
    const quantable = q !== undefined && q.platform !== 'FP32';
    for (const o of n.outputs) if (o && !vars.has(o)) vars.set(o, { name: o, shape: undefined, dtype: 'float32' });
    for (const i of n.inputs) if (!vars.has(i)) vars.set(i, { name: i, shape: i ? undefined : [], dtype: 'float32' });
    return {
      name: n.name, opType: n.opType, domain: n.domain, inputs: [...n.inputs], outputs: [...n.outputs],
      attributes: new Map(n.attributes), platform: q?.platform ?? 'FP32', quantable,
      inCfg: quantable ? [...q.inputs] : [], outCfg: quantable ? [...q.outputs] : [],
    };
  });
  let maxCfg = 0;
  for (const q of qg.ops.values()) for (const c of [...q.inputs, ...q.outputs]) if (c && c.id >= maxCfg) maxCfg = c.id + 1;
  return {
    name: g.name, irVersion: qg.model.irVersion, nodes: ops, vars, inputs: g.inputs.map((v) => v.name),
    outputs: g.outputs.map((v) => v.name), perm: new Map(), exponents: new Map(), layouts: new Map(),
    varConfig: new Map(), luts: [], rounding,
    nextVar: nextIndex(vars.keys(), 'PPQ_Variable_'), nextOp: nextIndex(ops.map((o) => o.name), 'PPQ_Operation_'),
    nextCfgId: maxCfg + 1_000_000, warnings: [],
  };
}

function attrToInts(a: Attribute): number[] {
  if (a.type === 'ints') return [...a.value];
  if (a.type === 'int') return [a.value];
  throw new Error(`attribute of type ${a.type} cannot become an int64 input`);
}

/** Squeeze/Unsqueeze/Reduce* `axes` and Split `split` attributes become int64 parameter inputs (opset 13/18 form). */
export function normaliseOpset(g: XGraph): void {
  for (const op of g.nodes) {
    const key = op.opType === 'Squeeze' || op.opType === 'Unsqueeze' || opInfo(op.opType).axisKind === 'reduce' ? 'axes'
      : op.opType === 'Split' ? 'split' : undefined;
    const a = key ? op.attributes.get(key) : undefined;
    if (!key || !a) continue;
    op.attributes.delete(key);
    const values = attrToInts(a);
    const v = newVar(g, { shape: [values.length], dtype: 'int64', value: int64Tensor([values.length], values) });
    op.inputs.push(v.name);
  }
}

function setString(op: XOp, name: string, value: string): void {
  op.attributes.set(name, { type: 'string', value });
}

/** FuseReluLikePattern: `activation` attr on Conv/Gemm/MatMul; a sole downstream Relu is removed. */
export function fuseReluLike(g: XGraph): void {
  for (const op of topo(g)) {
    if (!op.quantable || !opInfo(op.opType).convLikeFused || !g.nodes.includes(op)) continue;
    setString(op, 'activation', 'Linear');
    const down = downstreamOf(g, op);
    if (down.length !== 1 || !opInfo(down[0]!.opType).convLikeFusedActivation) continue;
    const act = down[0]!;
    if (act.quantable) op.outCfg = [...act.outCfg];
    fuseDownstream(g, act);
    setString(op, 'activation', act.opType);
  }
}
