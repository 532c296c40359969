/** Runs a model in onnxruntime-node (test helper): feeds float32 (or int64) tensors, returns every graph output. */
import type { Model } from '../../../../src/ir/graph.js';
import { encodeModel } from '../../../../src/onnx/write.js';

export async function runOrt(m: Model | Uint8Array, feeds: Record<string, { dims: number[]; data: Float32Array | BigInt64Array }>): Promise<Record<string, Float32Array>> {
  const ort = (await import('onnxruntime-node')).default;
  const bytes = m instanceof Uint8Array ? m : encodeModel(m);
  const session = await ort.InferenceSession.create(bytes);
  const input: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [k, v] of Object.entries(feeds)) input[k] = v.data instanceof BigInt64Array ? new ort.Tensor('int64', v.data, v.dims) : new ort.Tensor('float32', v.data, v.dims);
  const out = await session.run(input);
  await session.release();
  const result: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(out)) result[k] = v.data as Float32Array;
  return result;
}

/** Largest |a−b| / max(|b|, floor) over all elements. */
export function maxRelError(a: Float32Array, b: Float32Array, floor = 1e-3): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor));
  return worst;
}
