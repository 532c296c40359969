/**
 * The exporter's working graph: a mutable copy of the quantized model in ESP-PPQ's shape (ops with one config
 * per slot, variables with shapes and, for parameters, values) plus the side tables ESP-PPQ keeps in its
 * `ExporterPatternInfo` singleton (perms, exponents, layouts, the config each variable is exported with, LUTs).
 * Everything lives in one object per export call, so exports never share state.
 */
import {
  distinctReaders, downstreamOf as downstream, fuseIntoProducer, insertBefore, liveNodes, nextGeneratedName, removeKeepInput,
} from '../../ir/edit.js';
import type { Dim, Node } from '../../ir/graph.js';
import { describeNode, validateNodes } from '../../ir/validate.js';
import type { DataType, Tensor } from '../../ir/tensor.js';
import { topologicalSort } from '../../ir/topo.js';
import type { Platform, Rounding, TensorQuantConfig } from '../../quant/types.js';

export interface XVar {
  name: string;
  shape: Dim[] | undefined;
  dtype: DataType;
  /** Set for parameters (initializers); float values until QuantVariableToInt turns them into ints. */
  value?: Tensor;
}

/** An ir node with the quantization ESP-PPQ's exporter reads per op. */
export interface XOp extends Node {
  platform: Platform;
  /** True for ESP-PPQ QuantableOperations (ops with configs). */
  quantable: boolean;
  inCfg: (TensorQuantConfig | undefined)[];
  outCfg: (TensorQuantConfig | undefined)[];
}

export interface Lut { name: string; tensor: Tensor; exponents: number[] }

export interface XGraph {
  name: string;
  irVersion: number;
  nodes: XOp[];
  vars: Map<string, XVar>;
  inputs: string[];
  outputs: string[];
  perm: Map<string, number[]>;
  exponents: Map<string, number[]>;
  layouts: Map<string, string>;
  varConfig: Map<string, TensorQuantConfig>;
  luts: Lut[];
  rounding: Rounding;
  nextVar: number;
  nextOp: number;
  nextCfgId: number;
  warnings: string[];
}

/** ir/validate.ts's checks, with graph inputs and parameters as the sources; every value must have a variable. */
export function validateXGraph(g: XGraph): void {
  const inputs = new Set(g.inputs);
  validateNodes(g.nodes, (v) => inputs.has(v) || isParam(g, v));
  for (const op of g.nodes) {
    for (const v of [...op.inputs, ...op.outputs]) if (v && !g.vars.has(v)) throw new Error(`${op.name} uses ${v}, which has no variable`);
  }
}

/** Nodes with their platform, then every variable with its dtype, shape, perm and exponents (for pass dumps). */
export function describeXGraph(g: XGraph): string {
  const list = (xs: readonly unknown[] | undefined) => (xs ? `[${xs.map((x) => (x === null ? '?' : String(x))).join(',')}]` : '-');
  const ops = g.nodes.map((op) => `${describeNode(op)} @${op.platform}${op.quantable ? '' : ' (not quantable)'}`);
  const vars = [...g.vars.values()].map((v) => `var ${v.name}: ${v.dtype}${list(v.shape)}${v.value ? ' param' : ''} perm=${list(g.perm.get(v.name))} exp=${list(g.exponents.get(v.name))}`);
  return [...ops, ...vars].join('\n');
}

/** Is `name` a parameter (a variable with a constant value)? */
export function isParam(g: XGraph, name: string): boolean {
  return g.vars.get(name)?.value !== undefined;
}

/** The variable `name`; throws on an unknown name (a bug in a pass). */
export function getVar(g: XGraph, name: string): XVar {
  const v = g.vars.get(name);
  if (!v) throw new Error(`export: unknown value ${name}`);
  return v;
}

/** Numeric shape of a variable (symbolic/unknown dims become -1, as they cannot be permuted meaningfully). */
export function shapeOf(g: XGraph, name: string): number[] {
  const v = g.vars.get(name);
  if (v?.value) return [...v.value.dims];
  return (v?.shape ?? []).map((d) => (typeof d === 'number' ? d : -1));
}

/** Rank of a variable (0 when its shape is unknown). */
export function rankOf(g: XGraph, name: string): number {
  const v = g.vars.get(name);
  if (v?.value) return v.value.dims.length;
  return v?.shape?.length ?? 0;
}

/** A new variable named like ESP-PPQ's generated ones (`PPQ_Variable_<n>`). */
export function newVar(g: XGraph, init: Omit<XVar, 'name'>): XVar {
  const counter = { next: g.nextVar };
  const name = nextGeneratedName('PPQ_Variable_', counter, (n) => g.vars.has(n));
  g.nextVar = counter.next;
  const v: XVar = { name, ...init };
  g.vars.set(name, v);
  return v;
}

/** A new op name like ESP-PPQ's generated ones (`PPQ_Operation_<n>`). */
export function newOpName(g: XGraph): string {
  return `PPQ_Operation_${g.nextOp++}`; // ESP-PPQ's counter: op names are never checked for collisions
}

/** The op writing `name`, if any. */
export function producerOf(g: XGraph, name: string): XOp | undefined {
  return liveNodes(g.nodes).producerOf(name);
}

/** Ops reading `name` (each once). */
export function consumersOf(g: XGraph, name: string): XOp[] {
  return distinctReaders(liveNodes(g.nodes), name);
}

/** Downstream ops of an op, each once (PPQ get_downstream_operations). */
export function downstreamOf(g: XGraph, op: XOp): XOp[] {
  return downstream(liveNodes(g.nodes), op);
}

/** Ops in topological order (stable w.r.t. the current list order). */
export function topo(g: XGraph): XOp[] {
  return topologicalSort(g);
}

/**
 * Inserts `created` before `op`'s input `idx` (PPQ insert_op_before): a new variable links `created` to `op`,
 * `created` reads the original variable. Returns the new variable.
 */
export function insertOpBefore(g: XGraph, created: XOp, op: XOp, idx: number, linkShape: Dim[] | undefined, dtype: DataType): XVar {
  const link = newVar(g, { shape: linkShape, dtype });
  insertBefore(g.nodes, created, op, idx, link.name);
  return link;
}

/**
 * Removes a single-input op and re-routes its producer to write the op's output directly (PPQ
 * fuse_downstream_operation with keep_coherence): the op's input variable disappears, its parameters too.
 */
export function fuseDownstream(g: XGraph, op: XOp): void {
  for (const i of op.inputs) if (isParam(g, i) && consumersOf(g, i).length === 1) g.vars.delete(i);
  const gone = fuseIntoProducer(g.nodes, op);
  if (gone !== undefined) g.vars.delete(gone);
}

/**
 * Removes an op and makes its consumers read its input instead (PPQ remove_operation with keep_coherence).
 */
export function removeOpKeepInput(g: XGraph, op: XOp): void {
  g.vars.delete(removeKeepInput(g.nodes, op, g.outputs));
}

/** [0, 1, …, rank − 1]. */
export function identityPerm(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i);
}

/** Element-wise equality of two perms (both undefined counts as equal). */
export function samePerm(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** [x[p] for p in perm] (PPQ transpose_shape). */
export function permute<T>(x: readonly T[], perm: readonly number[] | undefined): T[] {
  if (!perm || perm.length === 0) return [...x];
  // Python indexing, as ESP-PPQ composes perms: the MatMul pre-nodes write negative axes (…, -1, -2).
  return perm.map((p) => x[p < 0 ? x.length + p : p]!);
}

/** The perm that undoes `perm` (PPQ get_inverse_transpose). */
export function inversePerm(perm: readonly number[]): number[] {
  return perm.map((_, i) => perm.indexOf(i));
}

/** A fresh, self-dominated copy of a config (PPQ TensorQuantizationConfig.copy()). */
export function copyConfig(g: XGraph, c: TensorQuantConfig, patch: Partial<TensorQuantConfig> = {}): TensorQuantConfig {
  const root = c.dominator === c ? c : undefined;
  const copy: TensorQuantConfig = { ...c, id: g.nextCfgId++, ...patch, dominator: undefined as unknown as TensorQuantConfig };
  copy.dominator = root ? copy : c.dominator;
  if (patch.dominator) copy.dominator = patch.dominator;
  return copy;
}
