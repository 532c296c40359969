/** Top-1 accuracy of a classifier model on labelled images (the demo and scripts/training-benefit.mjs use it). */
import type { Model } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { loadBatchSession } from './batches.js';
import type { InferenceRuntime } from './runtime.js';

/** Fraction of `labels` whose arg-max logit of the model's first output matches (first index on ties). */
export async function topOneAccuracy(runtime: InferenceRuntime, model: Model, images: Tensor, labels: readonly number[]): Promise<number> {
  const session = await loadBatchSession(runtime, model);
  try {
    const out = await session.run({ [model.graph.inputs[0]!.name]: images }, [model.graph.outputs[0]!.name]);
    const logits = [...out.values()][0]!.data;
    const k = logits.length / labels.length;
    let correct = 0;
    labels.forEach((label, i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (logits[i * k + c]! > logits[i * k + best]!) best = c;
      if (best === label) correct++;
    });
    return correct / labels.length;
  } finally {
    await session.release();
  }
}
