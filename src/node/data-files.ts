/**
 * Calibration / evaluation data from `.npy`, `.npz` or a folder of `.npy` files, streamed in batches.
 * `.npy` samples are read by byte range through a file handle, so memory stays flat however many samples
 * a file holds; `.npz` archives are decompressed in memory (zip members cannot be range-read once deflated).
 */
import { open, readdir, readFile, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { numel, type Tensor } from '../ir/tensor.js';
import type { Logger } from '../log.js';
import { npyHeaderSize, parseNpyHeader } from '../data/npy.js';
import { parseNpz } from '../data/npz.js';
import type { DataSource } from '../data/source.js';

export type { DataSource } from '../data/source.js';

export interface ModelInputSpec {
  name: string;
  /** The model input's dims including the batch dim (dims after it that are < 0 accept any size). */
  dims: number[];
}

/** A run of samples: a range of a .npy file, or an in-memory array from a .npz. */
interface Segment {
  file: string;
  count: number;
  dtype: 'float32' | 'float64';
  /** The array's full shape, [N, ...sample dims]. */
  shape: number[];
  /** Byte offset of sample 0 in `file` (streamed segments). */
  dataOffset?: number;
  memory?: Float32Array | Float64Array;
}

interface InputStream {
  name: string;
  sampleDims: number[];
  segments: Segment[];
}

/**
 * Opens `file` (a `.npy`, a `.npz` or a folder of `.npy`) as samples for `inputs`. Shapes are checked now;
 * NaN/Inf are checked as samples are read. float64 data is converted to float32 with one warning.
 * Throws InputError naming the file for anything that does not fit the model.
 */
export async function openDataSource(file: string, inputs: ModelInputSpec[], opts: { limit?: number; logger?: Logger } = {}): Promise<DataSource> {
  if (inputs.length === 0) throw new InputError('the model has no inputs to feed data to');
  const st = await stat(file).catch(() => {
    throw new InputError(`data file not found: ${file}`);
  });
  let streams: InputStream[];
  if (st.isDirectory()) streams = [await folderStream(file, single(inputs, file))];
  else if (file.toLowerCase().endsWith('.npz')) streams = await npzStreams(file, inputs);
  else if (file.toLowerCase().endsWith('.npy')) streams = [fitStream(single(inputs, file), [await npySegment(file)])];
  else throw new InputError(`data file ${file}: expected a .npy, a .npz or a folder of .npy files`);

  const counts = streams.map((s) => s.segments.reduce((n, g) => n + g.count, 0));
  if (new Set(counts).size > 1) {
    throw new InputError(`data file ${file}: inputs have different sample counts (${streams.map((s, i) => `${s.name}: ${counts[i]}`).join(', ')})`);
  }
  const count = Math.min(counts[0]!, opts.limit ?? Infinity);
  if (count === 0) throw new InputError(`data file ${file} holds no samples`);
  const f64 = streams.flatMap((s) => s.segments).filter((g) => g.dtype === 'float64');
  if (f64.length > 0) opts.logger?.warn(`data file ${f64[0]!.file} holds float64 values; converting to float32`);
  const files = [...new Set(streams.flatMap((s) => s.segments.map((g) => g.file)))];
  return { count, files, batches: (batchSize) => readBatches(streams, count, batchSize) };
}

function single(inputs: ModelInputSpec[], file: string): ModelInputSpec {
  if (inputs.length !== 1) {
    throw new InputError(`data file ${file}: the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); give a .npz with one array named after each input`);
  }
  return inputs[0]!;
}

async function npySegment(file: string): Promise<Segment> {
  const handle = await open(file, 'r');
  try {
    const prefix = await readRange(handle, 0, 12);
    const size = npyHeaderSize(prefix, file);
    const header = parseNpyHeader(await readRange(handle, 0, size), file);
    const dtype = floatDtype(header.dtype, file);
    const bytes = numel(header.shape) * (dtype === 'float32' ? 4 : 8);
    const { size: fileSize } = await handle.stat();
    if (fileSize < header.dataOffset + bytes) {
      throw new InputError(`data file ${file} is truncated: shape [${header.shape.join(', ')}] needs ${header.dataOffset + bytes} bytes, the file has ${fileSize}`);
    }
    return { file, count: header.shape[0] ?? 1, dtype, dataOffset: header.dataOffset, shape: header.shape };
  } finally {
    await handle.close();
  }
}

function floatDtype(dtype: string, file: string): 'float32' | 'float64' {
  if (dtype === 'float32' || dtype === 'float64') return dtype;
  throw new InputError(`data file ${file} holds ${dtype} values; calibration data must be float32 (or float64, which is converted)`);
}

/** Checks a segment's array shape against the input and returns the stream (shape is [N, ...sample]). */
function fitStream(input: ModelInputSpec, segments: Segment[]): InputStream {
  let sampleDims: number[] | undefined;
  for (const g of segments) {
    const shape = g.shape;
    const per = samplePart(shape, input.dims);
    if (!per) {
      throw new InputError(`data file ${g.file} has shape [${shape.join(', ')}], which does not fit model input '${input.name}' of shape [${input.dims.join(', ')}]: expected [N, ${input.dims.slice(1).join(', ')}]`);
    }
    if (sampleDims && sampleDims.join() !== per.join()) {
      throw new InputError(`data file ${g.file} has samples of shape [${per.join(', ')}] but earlier files have [${sampleDims.join(', ')}]`);
    }
    sampleDims = per;
  }
  return { name: input.name, sampleDims: sampleDims!, segments };
}

/** Per-sample dims if `shape` = [N, ...dims[1:]] or [N, 1, ...dims[1:]] (model shape incl. a batch of 1). */
function samplePart(shape: number[], dims: number[]): number[] | undefined {
  const want = dims.slice(1);
  const fits = (got: number[]) => got.length === want.length && got.every((d, i) => want[i]! < 0 || d === want[i]);
  if (shape.length >= 1 && fits(shape.slice(1))) return shape.slice(1);
  if (dims[0] === 1 && shape.length >= 2 && shape[1] === 1 && fits(shape.slice(2))) return shape.slice(2);
  return undefined;
}

async function folderStream(dir: string, input: ModelInputSpec): Promise<InputStream> {
  const names = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith('.npy')).sort();
  if (names.length === 0) throw new InputError(`data folder ${dir} holds no .npy files`);
  const segments = [];
  for (const n of names) segments.push(await npySegment(path.join(dir, n)));
  return fitStream(input, segments);
}

async function npzStreams(file: string, inputs: ModelInputSpec[]): Promise<InputStream[]> {
  const arrays = parseNpz(await readFile(file), file);
  const pick = (input: ModelInputSpec): [string, Tensor] => {
    const named = arrays.get(input.name);
    if (named) return [input.name, named];
    if (inputs.length === 1 && arrays.size === 1) return [...arrays][0]!;
    throw new InputError(`data file ${file} has no array named '${input.name}' (it has: ${[...arrays.keys()].join(', ') || 'none'}); name each array after a model input`);
  };
  return inputs.map((input) => {
    const [key, t] = pick(input);
    const where = `${file}[${key}]`;
    const dtype = floatDtype(t.dtype, where);
    const segment: Segment = { file: where, count: t.dims[0] ?? 1, dtype, memory: t.data as Float32Array | Float64Array, shape: [...t.dims] };
    return fitStream(input, [segment]);
  });
}

async function readRange(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return out.subarray(0, done);
}

async function* readBatches(streams: InputStream[], count: number, batchSize: number): AsyncGenerator<Record<string, Tensor>> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(`batch size must be a positive integer, got ${batchSize}`);
  const handles = new Map<string, FileHandle>();
  try {
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const batch: Record<string, Tensor> = {};
      for (const s of streams) {
        const data = await readSamples(s, start, n, handles);
        batch[s.name] = { dtype: 'float32', dims: [n, ...s.sampleDims], data };
      }
      yield batch;
    }
  } finally {
    for (const h of handles.values()) await h.close();
  }
}

/** Samples [start, start+n) of a stream as float32, checked for NaN/Inf. */
async function readSamples(s: InputStream, start: number, n: number, handles: Map<string, FileHandle>): Promise<Float32Array> {
  const per = numel(s.sampleDims);
  const out = new Float32Array(n * per);
  let first = 0; // global index of the current segment's sample 0
  let filled = 0;
  for (const g of s.segments) {
    const lo = Math.max(start + filled, first);
    const hi = Math.min(start + n, first + g.count);
    if (lo < hi) {
      const values = await segmentValues(g, lo - first, hi - lo, per, handles);
      out.set(values, filled * per);
      // Checked after conversion: a float64 beyond float32 range becomes Inf here.
      checkFinite(out.subarray(filled * per, (filled + hi - lo) * per), per, g.file, lo - first);
      filled += hi - lo;
    }
    first += g.count;
    if (filled === n) break;
  }
  return out;
}

async function segmentValues(g: Segment, from: number, n: number, per: number, handles: Map<string, FileHandle>): Promise<Float32Array | Float64Array> {
  if (g.memory) return g.memory.subarray(from * per, (from + n) * per);
  let h = handles.get(g.file);
  if (!h) {
    h = await open(g.file, 'r');
    handles.set(g.file, h);
  }
  const size = g.dtype === 'float32' ? 4 : 8;
  const bytes = await readRange(h, g.dataOffset! + from * per * size, n * per * size);
  if (bytes.byteLength !== n * per * size) throw new InputError(`data file ${g.file} changed while being read (short read)`);
  return g.dtype === 'float32' ? new Float32Array(bytes.buffer, 0, n * per) : new Float64Array(bytes.buffer, 0, n * per);
}

function checkFinite(values: Float32Array, per: number, file: string, firstSample: number): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new InputError(`data file ${file}: sample ${firstSample + Math.floor(i / per)} contains ${values[i]} (NaN/Inf are not allowed in calibration data)`);
    }
  }
}
