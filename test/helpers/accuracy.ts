/** Top-1 accuracy of a classifier model on labelled images, one runtime call per image. */
import type { InferenceRuntime } from '../../src/exec/runtime.js';
import type { Model } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { numel } from '../../src/ir/tensor.js';

export async function topOneAccuracy(runtime: InferenceRuntime, model: Model, images: Tensor, labels: readonly number[]): Promise<number> {
  const session = await runtime.load(model);
  const input = model.graph.inputs[0]!.name;
  const per = numel(images.dims.slice(1));
  let correct = 0;
  try {
    for (let i = 0; i < labels.length; i++) {
      const data = (images.data as Float32Array).subarray(i * per, (i + 1) * per);
      const out = await session.run({ [input]: { dtype: 'float32', dims: [1, ...images.dims.slice(1)], data } });
      const logits = [...out.values()][0]!.data as Float32Array;
      let best = 0;
      for (let k = 1; k < logits.length; k++) if (logits[k]! > logits[best]!) best = k;
      if (best === labels[i]) correct++;
    }
  } finally {
    await session.release();
  }
  return correct / labels.length;
}
