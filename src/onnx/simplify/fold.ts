/**
 * (b) Constant folding: a node whose inputs are all initializers is evaluated once and replaced by initializers
 * under its output names (what onnxsim does before ESP-PPQ loads a model). Shape folds when its input's shape
 * is fully known. Nodes feeding graph outputs are kept so the outputs stay node outputs.
 */
import { attrInt, type Graph, type Node } from '../../ir/graph.js';
import { numel, type Tensor } from '../../ir/tensor.js';
import { topologicalSort } from '../../ir/topo.js';
import type { Logger } from '../../log.js';
import { graphOutputNames, knownShape, removeNodes } from '../../ir/edit.js';
import { evaluateNode, FOLDABLE_OPS } from './eval-ops.js';
import { make } from '../../ir/tensor-math.js';

/** Folded tensors larger than this (elements) are left as nodes, as onnxsim does, to keep files small. */
const MAX_FOLDED_ELEMENTS = 1 << 24;

export function foldConstants(g: Graph, opset: number, log: Logger): void {
  const outputs = graphOutputNames(g);
  const dead = new Set<Node>();
  for (const n of topologicalSort(g)) {
    if (n.outputs.some((o) => outputs.has(o)) || (n.domain !== '' && n.domain !== 'ai.onnx')) continue;
    const results = n.opType === 'Shape' ? foldShape(g, n, opset) : foldGeneric(g, n, opset, log);
    if (!results || results.length < n.outputs.filter((o) => o).length) continue;
    if (results.some((t) => numel(t.dims) > MAX_FOLDED_ELEMENTS)) continue;
    n.outputs.forEach((o, i) => {
      if (o) {
        g.initializers.set(o, results[i]!);
        g.valueInfo.delete(o);
      }
    });
    dead.add(n);
  }
  removeNodes(g, dead);
  if (dead.size > 0) log.debug(`constant folding removed ${dead.size} nodes`);
}

function foldGeneric(g: Graph, n: Node, opset: number, log: Logger): Tensor[] | undefined {
  if (!FOLDABLE_OPS.has(n.opType)) return undefined;
  const inputs = n.inputs.map((i) => (i ? g.initializers.get(i) : undefined));
  if (n.inputs.some((name, k) => name && !inputs[k])) return undefined;
  // float16 bits and strings are not arithmetic-safe here; leave them to the runtime.
  if (inputs.some((t) => t && (t.dtype === 'float16' || t.dtype === 'string'))) return undefined;
  try {
    return evaluateNode(n, inputs, opset);
  } catch (err) {
    log.debug(`not folding ${n.opType} ${n.name}: ${(err as Error).message}`);
    return undefined;
  }
}

function foldShape(g: Graph, n: Node, opset: number): Tensor[] | undefined {
  const shape = knownShape(g, n.inputs[0] ?? '');
  if (!shape || shape.some((d) => typeof d !== 'number' || d < 0)) return undefined;
  const dims = shape as number[];
  let start = 0;
  let end = dims.length;
  if (opset >= 15) {
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dims.length : v, 0), dims.length);
    start = clamp(attrInt(n, 'start', 0));
    end = clamp(attrInt(n, 'end', dims.length));
  }
  const part = dims.slice(start, Math.max(start, end));
  return [make('int64', [part.length], part)];
}
