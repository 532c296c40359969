/**
 * (b) Constant folding: a node whose inputs are all initializers is evaluated once and replaced by initializers
 * under its output names (what onnxsim does before ESP-PPQ loads a model). Shape folds when its input's shape
 * is fully known. Nodes feeding graph outputs are kept so the outputs stay node outputs.
 */
import { type Graph, type Node } from '../../ir/graph.js';
import { numel, type Tensor } from '../../ir/tensor.js';
import { topologicalSort } from '../../ir/topo.js';
import type { Logger } from '../../log.js';
import { graphOutputNames, knownShape, removeNodes } from '../../ir/edit.js';
import { FOLDABLE_OPS, MAX_FOLDED_ELEMENTS, shapeOf, tryFold } from './eval-ops.js';

export function foldConstants(g: Graph, opset: number, log: Logger): void {
  const outputs = graphOutputNames(g);
  const dead = new Set<Node>();
  for (const n of topologicalSort(g)) {
    if (n.outputs.some((o) => outputs.has(o)) || (n.domain !== '' && n.domain !== 'ai.onnx')) continue;
    const results = n.opType === 'Shape' ? foldShape(g, n) : foldGeneric(g, n, opset, log);
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
  return tryFold(n, n.inputs.map((i) => (i ? g.initializers.get(i) : undefined)), opset, FOLDABLE_OPS, log);
}

function foldShape(g: Graph, n: Node): Tensor[] | undefined {
  const shape = knownShape(g, n.inputs[0] ?? '');
  if (!shape || shape.some((d) => typeof d !== 'number' || d < 0)) return undefined;
  return [shapeOf(n, shape as number[])];
}
