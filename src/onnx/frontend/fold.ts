/**
 * Constant folding to a fixed point, with static shapes: what onnx-simplifier does for ESP-PPQ's users. In one
 * topological walk every node whose inputs are all constants is evaluated (simplify/eval-ops.ts), `Shape` and
 * `Size` of a value whose shape is known become constants, and the shapes of the other nodes' outputs are
 * inferred (shapes.ts) so the next `Shape` downstream can fold too. An `If` whose condition became a constant is
 * replaced by the branch it takes; the walk repeats until nothing changes. Folded values keep their names
 * (they become initializers), so every tensor name a report uses survives.
 */
import { type Graph, type Node } from '../../ir/graph.js';
import { numel, type Tensor } from '../../ir/tensor.js';
import { topologicalSort } from '../../ir/topo.js';
import type { Logger } from '../../log.js';
import { FRONTEND_FOLDABLE_OPS, MAX_FOLDED_ELEMENTS, shapeOf, tryFold } from '../simplify/eval-ops.js';
import { constantValue } from '../simplify/constants.js';
import { graphOutputNames } from '../../ir/edit.js';
import { make, nums } from '../../ir/tensor-math.js';
import { inlineIf } from './inline-if.js';
import { inferNode, type StaticInfo } from './shapes.js';

export interface FoldResult {
  /** Nodes replaced by constants. */
  folded: number;
  /** `If` nodes replaced by the branch their constant condition selects. */
  inlinedIfs: string[];
  /** Shapes and types of every value that could be worked out, after folding. */
  shapes: Map<string, StaticInfo>;
}

const isStd = (n: Node): boolean => n.domain === '' || n.domain === 'ai.onnx';

export function foldToFixedPoint(g: Graph, opset: number, log: Logger): FoldResult {
  const result: FoldResult = { folded: 0, inlinedIfs: [], shapes: new Map() };
  for (let round = 0; round < 100; round++) {
    const { folded, shapes, ifs } = foldOnce(g, opset, log);
    result.folded += folded;
    result.shapes = shapes;
    if (ifs.length === 0) return result;
    for (const n of ifs) {
      inlineIf(g, n, nums(g.initializers.get(n.inputs[0]!)!)[0] !== 0);
      result.inlinedIfs.push(n.name || `(unnamed If → ${n.outputs.join(', ')})`);
    }
  }
  return result;
}

function foldOnce(g: Graph, opset: number, log: Logger): { folded: number; shapes: Map<string, StaticInfo>; ifs: Node[] } {
  const outputs = graphOutputNames(g);
  const shapes = new Map<string, StaticInfo>();
  for (const v of g.inputs) {
    const dims = v.shape?.every((d): d is number => typeof d === 'number' && d >= 0) ? [...(v.shape as number[])] : undefined;
    shapes.set(v.name, { dtype: v.dtype, dims });
  }
  for (const [name, t] of g.initializers) shapes.set(name, { dtype: t.dtype, dims: [...t.dims] });
  const get = (name: string | undefined) => (name ? shapes.get(name) : undefined);
  const constant = (name: string | undefined) => (name ? g.initializers.get(name) : undefined);
  const dead = new Set<Node>();
  const ifs: Node[] = [];
  for (const n of topologicalSort(g)) {
    const keep = n.outputs.some((o) => outputs.has(o)) || !isStd(n);
    // An If is inlined even when it produces graph outputs: its branch's values take the If's output names.
    if (isStd(n) && n.opType === 'If' && g.initializers.has(n.inputs[0] ?? '')) {
      ifs.push(n);
      continue;
    }
    const values = keep ? undefined : evaluate(n, get, constant, opset, log);
    if (values && values.length >= n.outputs.filter(Boolean).length && values.every((t) => numel(t.dims) <= MAX_FOLDED_ELEMENTS)) {
      n.outputs.forEach((o, i) => {
        if (!o) return;
        g.initializers.set(o, values[i]!);
        g.valueInfo.delete(o);
        shapes.set(o, { dtype: values[i]!.dtype, dims: [...values[i]!.dims] });
      });
      dead.add(n);
      continue;
    }
    const out = inferNode(n, get, constant, opset);
    n.outputs.forEach((o, i) => {
      const v = out[i];
      if (o && v) shapes.set(o, v);
    });
  }
  if (dead.size > 0) g.nodes = g.nodes.filter((n) => !dead.has(n));
  return { folded: dead.size, shapes, ifs };
}

function evaluate(
  n: Node, get: (name: string | undefined) => StaticInfo | undefined, constant: (name: string | undefined) => Tensor | undefined,
  opset: number, log: Logger,
): Tensor[] | undefined {
  if (n.opType === 'Shape' || n.opType === 'Size') {
    const dims = get(n.inputs[0])?.dims;
    if (!dims) return undefined;
    return n.opType === 'Size' ? [make('int64', [], [numel(dims)])] : [shapeOf(n, dims)];
  }
  if (n.opType === 'Constant') {
    const t = constantValue(n);
    return t ? [t] : undefined;
  }
  return tryFold(n, n.inputs.map((i) => constant(i)), opset, FRONTEND_FOLDABLE_OPS, log);
}
