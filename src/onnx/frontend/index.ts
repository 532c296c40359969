/**
 * The ONNX front end: what a model exported by torch.onnx, torch dynamo, tf2onnx, paddle2onnx or keras2onnx
 * goes through before ESP-PPQ's graph formatting (simplify/), so a user can hand over the file their exporter
 * wrote instead of running onnx-simplifier and a version converter first. In order:
 *   1. inputs frozen to a constant (input-values.ts: `--input-value`), static input shapes (input-shapes.ts:
 *      `--input-shape`, batch → 1, symbolic dims bound by name);
 *   2. opset conversion to the internal form (opset.ts: 7–23 → 13–21);
 *   3. constant folding with static shapes to a fixed point, `If` on a constant condition inlined (fold.ts);
 *   4. the opset adapters that need shapes (Softmax before 13);
 *   5. rewrites to ops ESP-DL has (rewrites.ts);
 *   6. dead-code removal.
 * Semantics-preserving: the float model gives the same outputs before and after (tests per rewrite). Tensor
 * names survive: folded values become initializers of the same name, rewritten nodes keep name and output.
 * On a model ESP-PPQ can load as it is (static, opset 13–21, nothing to fold) this changes nothing, so parity
 * with ESP-PPQ is untouched (a test runs every fixture through it).
 */
import { cloneModel, onnxOpset, type Model } from '../../ir/graph.js';
import { nullLogger, type Logger } from '../../log.js';
import { pruneUnused } from '../simplify/prune.js';
import { foldToFixedPoint } from './fold.js';
import { fixInputShapes, type InputShapes } from './input-shapes.js';
import { freezeInputs, type InputValues } from './input-values.js';
import { convertOpset, convertShapedOps } from './opset.js';
import { rewriteForEspdl } from './rewrites.js';

export type { InputShapes } from './input-shapes.js';
export type { InputValues } from './input-values.js';
export { inferShapes, type StaticInfo } from './shapes.js';

export interface FrontEndOptions {
  inputShapes?: InputShapes;
  /** Inputs replaced by a constant (e.g. a sample rate an `If` branches on). */
  inputValues?: InputValues;
  logger?: Logger;
}

/** Returns a converted copy of `model` (the input is not modified; unchanged tensors are shared). */
export function runFrontEnd(model: Model, opts: FrontEndOptions = {}): Model {
  const log = opts.logger ?? nullLogger;
  const m = cloneModel(model);
  const g = m.graph;
  let shapes = opts.inputShapes;
  if (opts.inputValues) {
    freezeInputs(g, opts.inputValues, shapes, log);
    // A frozen input's --input-shape was used above; the other inputs keep theirs.
    if (shapes && !Array.isArray(shapes)) {
      shapes = Object.fromEntries(Object.entries(shapes).filter(([name]) => !(name in opts.inputValues!)));
    }
  }
  fixInputShapes(g, shapes, log);
  const change = convertOpset(m);
  const opset = onnxOpset(m);
  let folded = foldToFixedPoint(g, opset, log);
  const before = g.nodes.length;
  convertShapedOps(m, change.from, (name) => folded.shapes.get(name), change);
  if (g.nodes.length !== before) folded = mergeFold(folded, foldToFixedPoint(g, opset, log));
  if (change.from !== change.to) {
    const what = [...change.rewrites].map(([k, v]) => `${k} ×${v}`).join(', ');
    log.info(`front end: opset ${change.from} → ${change.to}${what ? ` (${what})` : ''}`);
  }
  if (folded.folded > 0) log.info(`front end: folded ${folded.folded} node(s) of constant or shape arithmetic into constants`);
  if (folded.inlinedIfs.length > 0) log.info(`front end: If with a constant condition replaced by its branch: ${folded.inlinedIfs.join(', ')}`);
  rewriteForEspdl(g, folded.shapes, log);
  pruneUnused(g, log);
  // Graph outputs the model declares with dynamic dims get their inferred static shape.
  g.outputs = g.outputs.map((o) => {
    const known = folded.shapes.get(o.name)?.dims;
    const dynamic = !o.shape || o.shape.some((d) => typeof d !== 'number' || d < 0);
    return dynamic && known ? { ...o, shape: [...known] } : dynamic ? { ...o, shape: undefined } : o;
  });
  return m;
}

function mergeFold(a: ReturnType<typeof foldToFixedPoint>, b: ReturnType<typeof foldToFixedPoint>): ReturnType<typeof foldToFixedPoint> {
  return { folded: a.folded + b.folded, inlinedIfs: [...a.inlinedIfs, ...b.inlinedIfs], shapes: b.shapes };
}
