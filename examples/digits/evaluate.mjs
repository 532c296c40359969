// Example AutoQuant evaluator: top-1 accuracy (in %) of a candidate on the bundled test set.
// Use it with: espdl-autoquant search … --evaluate examples/digits/evaluate.mjs --config examples/digits/autoquant.yml
// `ctx.run(inputs)` runs the candidate's simulated (fake-quantized) model on a batch of float inputs.
import { readFileSync } from 'node:fs';

const here = new URL('.', import.meta.url);

/** Reads a little-endian .npy file (float32 or int64), enough for this example's data. */
function readNpy(name) {
  const bytes = readFileSync(new URL(name, here));
  const headerLen = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLen).toString('latin1');
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter((s) => s.trim()).map(Number);
  const body = bytes.subarray(10 + headerLen);
  const copy = new Uint8Array(body).buffer;
  const data = header.includes("'<i8'") ? Array.from(new BigInt64Array(copy), Number) : new Float32Array(copy);
  return { shape, data };
}

const images = readNpy('test_images.npy');
const labels = readNpy('test_labels.npy').data;

export default async function evaluate(ctx) {
  const out = await ctx.run({ input: { dtype: 'float32', dims: images.shape, data: images.data } });
  const logits = Object.values(out)[0].data;
  const classes = logits.length / labels.length;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (logits[i * classes + k] > logits[i * classes + best]) best = k;
    if (best === labels[i]) correct++;
  }
  const top1 = (100 * correct) / labels.length;
  return { score: top1, extras: { top1 } };
}
