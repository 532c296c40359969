/**
 * Static shapes of every intermediate value, found by running the float model once on zeros (the exporter
 * writes them into value_info, permuted to ESP-DL layouts). ONNX models often carry no value_info, and running
 * once is exact where symbolic inference is not. The traced shapes win over the shapes the model declares for
 * its graph outputs: ESP-PPQ uses its executor's shapes, and exported models sometimes declare wrong ones (ops
 * fixtures SpaceToDepth/*: declared [1,2,3,8], produced [1,16,3,1]). Fills `model.graph.valueInfo` (and
 * corrects `model.graph.outputs`) in place; a no-op when every node output already has a static shape in
 * value_info, so a search pays for it once.
 */
import type { InferenceRuntime } from './runtime.js';
import { inferValueTypes } from './value-types.js';
import type { Model, ValueInfo } from '../ir/graph.js';
import { allocate, numel } from '../ir/tensor.js';
import { forOnnxRuntime } from './for-onnxruntime.js';

function hasStaticShape(model: Model, name: string): boolean {
  const v = model.graph.valueInfo.get(name);
  return !!v?.shape && v.shape.every((d) => typeof d === 'number' && d >= 0);
}

export async function ensureShapes(model: Model, runtime: InferenceRuntime): Promise<void> {
  const g = model.graph;
  const values = [...new Set(g.nodes.flatMap((n) => n.outputs.filter(Boolean)))];
  const missing = values.filter((v) => !hasStaticShape(model, v));
  if (missing.length === 0) return;
  const types = inferValueTypes(g);
  // Declared output shapes are dropped from the probe: onnxruntime would only warn about them.
  const outputs: ValueInfo[] = [
    ...g.outputs.map((o) => ({ ...o, shape: undefined })),
    ...missing.filter((m) => !g.outputs.some((o) => o.name === m)).map((name) => ({ name, dtype: types.get(name) ?? 'float32', shape: undefined })),
  ];
  const probe = forOnnxRuntime({ ...model, graph: { ...g, outputs } });
  const session = await runtime.load(probe);
  try {
    const feeds = Object.fromEntries(g.inputs.filter((i) => !g.initializers.has(i.name)).map((i) => {
      const dims = (i.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
      return [i.name, { dtype: i.dtype, dims, data: allocate(i.dtype, numel(dims)) }];
    }));
    const out = await session.run(feeds, missing);
    for (const name of missing) {
      const t = out.get(name);
      if (t) g.valueInfo.set(name, { name, dtype: types.get(name) ?? t.dtype, shape: [...t.dims] });
    }
    // Symbolic dims (a dynamic batch) stay symbolic; static or absent declarations take the traced shape.
    g.outputs = g.outputs.map((o) => {
      const t = out.get(o.name);
      const symbolic = o.shape?.some((d) => typeof d !== 'number' || d < 0) ?? false;
      return t && !symbolic ? { ...o, shape: [...t.dims] } : o;
    });
  } finally {
    await session.release();
  }
}
