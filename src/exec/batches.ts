/**
 * Running a model over calibration batches one sample at a time. Models are static batch-1 after
 * simplification (ESP-DL runs batch 1), so every sample is one runtime call; outputs are concatenated back into
 * batch tensors because observers (percentile) and analysis work per batch, as ESP-PPQ's do.
 */
import type { DataSource } from '../data/source.js';
import type { InferenceSession } from './runtime.js';
import type { Tensor } from '../ir/tensor.js';
import { numel } from '../ir/tensor.js';

/** The batches a pass over `calibSteps` steps sees: PPQ repeats the loader until `steps` batches ran. */
export async function* calibrationBatches(data: DataSource, batchSize: number, steps: number): AsyncIterable<Record<string, Tensor>> {
  let step = 0;
  while (step < steps) {
    let yielded = false;
    for await (const batch of data.batches(batchSize)) {
      yielded = true;
      yield batch;
      if (++step >= steps) return;
    }
    if (!yielded) return;
  }
}

function sampleOf(t: Tensor, i: number): Tensor {
  const per = numel(t.dims.slice(1));
  const data = (t.data as Float32Array).subarray(i * per, (i + 1) * per);
  return { dtype: t.dtype, dims: [1, ...t.dims.slice(1)], data };
}

/** Number of samples in a batch (first dim of its first tensor). */
export function batchLength(batch: Record<string, Tensor>): number {
  const first = Object.values(batch)[0];
  return first ? (first.dims[0] ?? 1) : 0;
}

/**
 * Runs `session` on every sample of `batch`, calling `onSample(index, outputs)` with each sample's fetched values.
 * `constants` are fed unchanged to every run. Consumers that need whole-batch tensors use runBatch.
 */
export async function forEachSample(
  session: InferenceSession, batch: Record<string, Tensor>, fetch: readonly string[],
  onSample: (index: number, outputs: Map<string, Tensor>) => void, constants: Readonly<Record<string, Tensor>> = {},
): Promise<void> {
  const n = batchLength(batch);
  for (let i = 0; i < n; i++) {
    const feeds: Record<string, Tensor> = { ...constants };
    for (const [name, t] of Object.entries(batch)) feeds[name] = sampleOf(t, i);
    onSample(i, await session.run(feeds, fetch));
  }
}

/** Concatenates per-sample arrays into one batch array. */
export function concatSamples(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, a) => s + a.length, 0));
  let off = 0;
  for (const a of parts) { out.set(a, off); off += a.length; }
  return out;
}

/**
 * Runs `session` on every sample of `batch` and returns, per fetched value, the batch tensor (samples
 * concatenated along a new leading axis of size = batch length). `constants` are fed unchanged to every run.
 */
export async function runBatch(
  session: InferenceSession, batch: Record<string, Tensor>, fetch: readonly string[], constants: Readonly<Record<string, Tensor>> = {},
): Promise<Map<string, { data: Float32Array; sampleDims: readonly number[] }>> {
  const n = batchLength(batch);
  const parts = new Map<string, Float32Array[]>();
  const dims = new Map<string, readonly number[]>();
  for (let i = 0; i < n; i++) {
    const feeds: Record<string, Tensor> = { ...constants };
    for (const [name, t] of Object.entries(batch)) feeds[name] = sampleOf(t, i);
    const out = await session.run(feeds, fetch);
    for (const name of fetch) {
      const t = out.get(name);
      if (!t) throw new Error(`runtime did not return ${name}`);
      const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
      const list = parts.get(name);
      if (list) list.push(data); else parts.set(name, [data]);
      dims.set(name, t.dims);
    }
  }
  const result = new Map<string, { data: Float32Array; sampleDims: readonly number[] }>();
  for (const [name, list] of parts) {
    const total = list.reduce((s, a) => s + a.length, 0);
    const data = new Float32Array(total);
    let off = 0;
    for (const a of list) { data.set(a, off); off += a.length; }
    result.set(name, { data, sampleDims: dims.get(name) ?? [] });
  }
  return result;
}
