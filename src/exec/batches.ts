/**
 * Running a model over calibration batches. Models are static batch-1 after simplification (ESP-DL runs batch 1);
 * a BatchSession gives the model a batch dim when every op keeps samples apart (batch-dim.ts) and then runs
 * several samples per runtime call, else it runs one call per sample. Either way callers get batch tensors
 * (samples one after another), because observers (percentile) and analysis work per batch, as ESP-PPQ's do.
 */
import type { DataSource } from '../data/source.js';
import type { Graph, Model, ValueInfo } from '../ir/graph.js';
import type { InferenceRuntime, SessionOptions } from './runtime.js';
import type { Tensor } from '../ir/tensor.js';
import { bytesPerElement, numel } from '../ir/tensor.js';
import { withBatchDim } from './batch-dim.js';

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

/** Number of samples in a batch (first dim of its first tensor). */
export function batchLength(batch: Readonly<Record<string, Tensor>>): number {
  const first = Object.values(batch)[0];
  return first ? (first.dims[0] ?? 1) : 0;
}

/** Concatenates per-sample arrays into one batch array. */
export function concatSamples(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, a) => s + a.length, 0));
  let off = 0;
  for (const a of parts) { out.set(a, off); off += a.length; }
  return out;
}

/** One fetched value over consecutive samples: `data` holds them one after another. */
export interface BatchValue {
  data: Float32Array;
  /** One sample's dims as the batch-1 model gives them (leading 1 included). */
  sampleDims: readonly number[];
}

/** A session that runs batches, several samples per runtime call when the model allows it. */
export interface BatchSession {
  /** True when one runtime call takes several samples. */
  readonly batched: boolean;
  /**
   * Runs every sample of `batch` ([n, …] per input) and calls `onChunk` for each run of consecutive samples
   * (`first`, `count`) with their fetched values. Chunks are as large as `maxBytesPerCall` allows, so a caller that
   * consumes each chunk keeps memory bounded whatever the batch size. `constants` are fed unchanged to every call.
   */
  forEachChunk(
    batch: Readonly<Record<string, Tensor>>, fetch: readonly string[],
    onChunk: (first: number, count: number, outputs: ReadonlyMap<string, BatchValue>) => void | Promise<void>,
    constants?: Readonly<Record<string, Tensor>>,
  ): Promise<void>;
  /** The whole batch's fetched values (chunks concatenated). */
  run(batch: Readonly<Record<string, Tensor>>, fetch: readonly string[], constants?: Readonly<Record<string, Tensor>>): Promise<Map<string, BatchValue>>;
  release(): Promise<void>;
}

export interface BatchSessionOptions extends SessionOptions {
  /**
   * Upper bound on the bytes one runtime call may return (default 64 MiB): a call's outputs exist twice while they
   * are copied out of the runtime, so this bounds the peak memory of a pass whatever the batch size.
   */
  maxBytesPerCall?: number;
  /** Run one sample per call even when the model could take a batch (cross-checks). */
  perSample?: boolean;
  /**
   * Bytes of intermediate values one sample needs (activationBytesPerSample of the source graph). A batched call
   * saves the runtime's per-call overhead, which only matters for small models; for large ones it costs more than
   * it saves (the runtime's arena grows to the batch's working set, and the pages are touched afresh by every new
   * session: measured on MobileNetV2, a session's first batch of 8 costs ≈ 6 single-sample runs more), so calls
   * stay under MAX_WORKING_SET_PER_CALL.
   */
  workingSetPerSample?: number;
}

const DEFAULT_MAX_BYTES_PER_CALL = 64 * 2 ** 20;
const MAX_WORKING_SET_PER_CALL = 8 * 2 ** 20;

/** Bytes of all intermediate values of one sample of `graph` (static shapes from value_info; batch dim excluded). */
export function activationBytesPerSample(graph: Graph): number {
  let bytes = 0;
  for (const v of graph.valueInfo.values()) {
    const dims = v.shape;
    if (dims && dims.length > 0 && dims.every((d): d is number => typeof d === 'number' && d >= 0)) bytes += numel(dims.slice(1)) * 4;
  }
  return bytes;
}

function samplesOf(t: Tensor, first: number, count: number): Tensor {
  const per = numel(t.dims.slice(1));
  const data = (t.data as Float32Array).subarray(first * per, (first + count) * per);
  return { dtype: t.dtype, dims: [count, ...t.dims.slice(1)], data };
}

/** Bytes of one sample of a declared output ([1, …] static shape), or undefined when its shape is not known. */
function sampleBytes(o: ValueInfo): number | undefined {
  const dims = o.shape;
  if (!dims || !dims.every((d): d is number => typeof d === 'number' && d >= 0)) return undefined;
  return numel(dims.slice(1)) * Math.max(1, bytesPerElement(o.dtype));
}

const asFloat32 = (t: Tensor): Float32Array => (t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>));

/** `count` copies of one sample's values (a value computed from constants is the same for every sample). */
function repeated(data: Float32Array, count: number): Float32Array {
  if (count === 1) return data;
  const out = new Float32Array(data.length * count);
  for (let i = 0; i < count; i++) out.set(data, i * data.length);
  return out;
}

/** Loads `model` for batch runs (a batch dim is added when every op allows it). */
export async function loadBatchSession(runtime: InferenceRuntime, model: Model, opts: BatchSessionOptions = {}): Promise<BatchSession> {
  const { maxBytesPerCall = DEFAULT_MAX_BYTES_PER_CALL, perSample = false, workingSetPerSample = 0, ...sessionOptions } = opts;
  const maxSamples = Math.max(1, Math.floor(MAX_WORKING_SET_PER_CALL / Math.max(workingSetPerSample, 1)));
  const batchable = perSample || maxSamples === 1 ? undefined : withBatchDim(model);
  const session = await runtime.load(batchable?.model ?? model, sessionOptions);
  // Bytes one sample's fetch returns, per fetch list: from the declared output shapes, else learnt from a first
  // one-sample call.
  const declared = new Map(model.graph.outputs.map((o) => [o.name, sampleBytes(o)]));
  const bytesPerSample = new Map<string, number>();
  const estimate = (fetch: readonly string[]): number | undefined => {
    const key = fetch.join('\n');
    const known = bytesPerSample.get(key);
    if (known !== undefined) return known;
    const sizes = fetch.map((f) => declared.get(f));
    return sizes.every((b): b is number => b !== undefined) ? sizes.reduce((a, b) => a + b, 0) : undefined;
  };

  async function call(batch: Readonly<Record<string, Tensor>>, first: number, count: number, fetch: readonly string[], constants: Readonly<Record<string, Tensor>>) {
    const feeds: Record<string, Tensor> = { ...constants };
    for (const [name, t] of Object.entries(batch)) feeds[name] = samplesOf(t, first, count);
    const out = await session.run(feeds, fetch);
    const values = new Map<string, BatchValue>();
    let bytes = 0;
    for (const name of fetch) {
      const t = out.get(name);
      if (!t) throw new Error(`runtime did not return ${name}`);
      const perSampleValue = !batchable || batchable.carries.has(name);
      const data = perSampleValue ? asFloat32(t) : repeated(asFloat32(t), count);
      const sampleDims = perSampleValue && batchable ? [1, ...t.dims.slice(1)] : t.dims;
      values.set(name, { data, sampleDims });
      bytes += data.byteLength;
    }
    return { values, bytes };
  }

  const self: BatchSession = {
    batched: batchable !== undefined,
    async forEachChunk(batch, fetch, onChunk, constants = {}) {
      const n = batchLength(batch);
      // Data for an input without a batch of one (indices [2], recurrent state) is a whole sample per call.
      const stackable = !!batchable && Object.keys(batch).every((name) => batchable.batchInputs.includes(name));
      for (let first = 0; first < n;) {
        const known = estimate(fetch);
        const count = !stackable || known === undefined ? 1 : Math.max(1, Math.min(n - first, maxSamples, Math.floor(maxBytesPerCall / Math.max(known, 1))));
        const { values, bytes } = await call(batch, first, count, fetch, constants);
        if (known === undefined) bytesPerSample.set(fetch.join('\n'), bytes / count);
        await onChunk(first, count, values);
        first += count;
      }
    },
    async run(batch, fetch, constants = {}) {
      const parts = new Map<string, Float32Array[]>();
      const dims = new Map<string, readonly number[]>();
      await self.forEachChunk(batch, fetch, (_first, _count, values) => {
        for (const [name, v] of values) {
          const list = parts.get(name);
          if (list) list.push(v.data); else parts.set(name, [v.data]);
          dims.set(name, v.sampleDims);
        }
      }, constants);
      const result = new Map<string, BatchValue>();
      for (const [name, list] of parts) result.set(name, { data: list.length === 1 ? list[0]! : concatSamples(list), sampleDims: dims.get(name) ?? [] });
      return result;
    },
    release: () => session.release(),
  };
  return self;
}
