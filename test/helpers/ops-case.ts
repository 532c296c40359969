/** Loads an ops-fixture case model the way the pipeline prepares models (shared by the ops sweeps). */
import path from 'node:path';
import type { InferenceRuntime } from '../../src/exec/runtime.js';
import type { Model } from '../../src/ir/graph.js';
import { loadOnnxFile } from '../../src/node/onnx-file.js';
import { simplifyModel } from '../../src/onnx/simplify/index.js';
import { ensureShapes } from '../../src/exec/infer-shapes.js';
import { decomposeConvTranspose } from '../../src/quant/passes/convtranspose-decomposition.js';

export async function loadCaseModel(dir: string, runtime: InferenceRuntime): Promise<Model> {
  // The quantizer's pre-quant pass order: simplify, traced shapes, then ConvTranspose decomposition (docs/esp-ppq.md §3.5).
  const simplified = simplifyModel(await loadOnnxFile(path.join(dir, 'model.onnx')));
  await ensureShapes(simplified, runtime);
  const model = decomposeConvTranspose(simplified);
  return model;
}
