/**
 * The graph IR: an ONNX-shaped model held as plain objects. ONNX names are kept exactly (node names and
 * value names are what ESP-PPQ reports and what users see), so every report can use them.
 *
 * The IR is deliberately thin: passes edit `nodes`/`initializers` directly and call `topologicalSort`
 * (ir/topo.ts) when they need an order. Helpers for lookups live in ir/index-graph.ts.
 */
import type { DataType, Tensor } from './tensor.js';

export type Attribute =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: Tensor }
  | { readonly type: 'graph'; readonly value: Graph }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'strings'; readonly value: readonly string[] };

/** One operator. `inputs` uses '' for an absent optional input, as ONNX does. */
export interface Node {
  name: string;
  opType: string;
  /** '' (or 'ai.onnx') for the standard domain. */
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, Attribute>;
  docString?: string;
}

/** A dimension: a number, a symbolic name (dynamic), or null (unknown). */
export type Dim = number | string | null;

export interface ValueInfo {
  name: string;
  dtype: DataType;
  /** undefined when the rank is unknown. */
  shape: Dim[] | undefined;
  /** The file gave no type (If/Loop bodies may leave it to inference): written back without one. */
  untyped?: boolean;
}

export interface Graph {
  name: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, Tensor>;
  /** Known types/shapes of intermediate values (may be incomplete until shapes are inferred). */
  valueInfo: Map<string, ValueInfo>;
  docString?: string;
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  graph: Graph;
  metadataProps: { key: string; value: string }[];
}

/** The ai.onnx opset version of a model (default domain). */
export function onnxOpset(model: Model): number {
  const entry = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return entry ? entry.version : 0;
}

/** Reads an attribute with a default; throws if it has another type. */
export function attrInt(node: Node, name: string, fallback: number): number {
  const a = node.attributes.get(name);
  if (!a) return fallback;
  if (a.type !== 'int') throw new Error(`node ${node.name}: attribute ${name} is ${a.type}, expected int`);
  return a.value;
}

export function attrFloat(node: Node, name: string, fallback: number): number {
  const a = node.attributes.get(name);
  if (!a) return fallback;
  if (a.type === 'float' || a.type === 'int') return a.value;
  throw new Error(`node ${node.name}: attribute ${name} is ${a.type}, expected float`);
}

export function attrInts(node: Node, name: string, fallback: readonly number[]): readonly number[] {
  const a = node.attributes.get(name);
  if (!a) return fallback;
  if (a.type !== 'ints') throw new Error(`node ${node.name}: attribute ${name} is ${a.type}, expected ints`);
  return a.value;
}

export function attrString(node: Node, name: string, fallback: string): string {
  const a = node.attributes.get(name);
  if (!a) return fallback;
  if (a.type !== 'string') throw new Error(`node ${node.name}: attribute ${name} is ${a.type}, expected string`);
  return a.value;
}

/** A deep-enough copy for passes that mutate: nodes, attribute maps and lists are new; tensors are shared. */
export function cloneGraph(g: Graph): Graph {
  return {
    name: g.name,
    nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: new Map(n.attributes) })),
    inputs: g.inputs.map((v) => ({ ...v, shape: v.shape ? [...v.shape] : undefined })),
    outputs: g.outputs.map((v) => ({ ...v, shape: v.shape ? [...v.shape] : undefined })),
    initializers: new Map(g.initializers),
    valueInfo: new Map([...g.valueInfo].map(([k, v]) => [k, { ...v, shape: v.shape ? [...v.shape] : undefined }])),
    ...(g.docString !== undefined ? { docString: g.docString } : {}),
  };
}

export function cloneModel(m: Model): Model {
  return { ...m, opsetImports: m.opsetImports.map((o) => ({ ...o })), metadataProps: [...m.metadataProps], graph: cloneGraph(m.graph) };
}
