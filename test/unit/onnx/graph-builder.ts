/** Hand-building small ONNX models for tests (IR objects; encode with encodeModel to run them in onnxruntime). */
import type { Attribute, Dim, Model, Node, ValueInfo } from '../../../src/ir/graph.js';
import type { Tensor } from '../../../src/ir/tensor.js';

export type AttrValue = number | string | number[] | Tensor | { float: number } | { floats: number[] };

function toAttr(v: AttrValue): Attribute {
  if (typeof v === 'number') return { type: 'int', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) return { type: 'ints', value: v };
  if ('float' in v) return { type: 'float', value: v.float };
  if ('floats' in v) return { type: 'floats', value: v.floats };
  return { type: 'tensor', value: v };
}

export function node(opType: string, name: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}): Node {
  return { name, opType, domain: '', inputs, outputs, attributes: new Map(Object.entries(attrs).map(([k, v]) => [k, toAttr(v)])) };
}

export function vi(name: string, shape: Dim[] | undefined, dtype: ValueInfo['dtype'] = 'float32'): ValueInfo {
  return { name, dtype, shape };
}

export function f32(dims: number[], values?: number[] | ((i: number) => number)): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = typeof values === 'function' ? values(i) : values ? values[i]! : 0;
  return { dtype: 'float32', dims, data };
}

export function i64(dims: number[], values: number[]): Tensor {
  return { dtype: 'int64', dims, data: BigInt64Array.from(values.map(BigInt)) };
}

/** Deterministic pseudo-random values in [-1, 1) (LCG) so tests are reproducible. */
export function rand(seed: number): (i: number) => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

export function model(parts: { nodes: Node[]; inputs: ValueInfo[]; outputs: ValueInfo[]; initializers?: Record<string, Tensor>; opset?: number; valueInfo?: ValueInfo[] }): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: parts.opset ?? 13 }],
    producerName: 'test', producerVersion: '', domain: '', modelVersion: 0, docString: '',
    metadataProps: [],
    graph: {
      name: 'g',
      nodes: parts.nodes,
      inputs: parts.inputs,
      outputs: parts.outputs,
      initializers: new Map(Object.entries(parts.initializers ?? {})),
      valueInfo: new Map((parts.valueInfo ?? []).map((v) => [v.name, v])),
    },
  };
}
