/**
 * Calibration / evaluation data from `.npy`, `.npz` or a folder of `.npy` files, streamed in batches.
 * `.npy` samples (and the stored members of an `.npz`) are read by byte range through a file handle, so memory
 * stays flat however many samples a file holds; only the deflated members a model input uses are inflated, in
 * memory (a deflated zip member cannot be range-read). Every size is checked against the file before reading.
 */
import { readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { allocate, bytesPerElement, fromRawBytes, numel, type DataType, type Tensor, type TensorData } from '../ir/tensor.js';
import type { Logger } from '../log.js';
import { npyHeaderSize, parseNpyHeader } from '../data/npy.js';
import { listNpz, readNpzArray, storedNpyLayout, type NpzMember } from '../data/npz.js';
import type { RandomAccess } from '../data/zip.js';
import { inputKind, openInputFile } from './safe-paths.js';
import type { DataSource } from '../data/source.js';

export type { DataSource } from '../data/source.js';

/** A data folder with more .npy files than this is refused (one open handle and one segment per file). */
export const MAX_FOLDER_FILES = 100_000;

export interface ModelInputSpec {
  name: string;
  /**
   * The model input's dims. With a leading 1 (a batch of one), a sample is the rest: data [N, ...dims[1:]].
   * Otherwise (recurrent state [2, 1, 64], a scalar) a sample is the whole input: data [N, ...dims].
   * Dims after the first that are < 0 accept any size.
   */
  dims: number[];
  /** The input's element type (default float32). Non-float inputs (an int64 sample rate) are fed as they are. */
  dtype?: DataType;
}

/** A run of samples: a range of a .npy file, or an in-memory array from a .npz. */
interface Segment {
  /** The file the samples are read from. */
  file: string;
  /** How messages name the samples (the file, or `archive.npz[key]`). */
  label: string;
  count: number;
  /** float32/float64 for float inputs; the array's own integer/bool type for other inputs. */
  dtype: DataType;
  /** The array's full shape, [N, ...sample dims]. */
  shape: number[];
  /** Byte offset of sample 0 in `file` (streamed segments). */
  dataOffset?: number;
  memory?: TensorData;
}

interface InputStream {
  name: string;
  sampleDims: number[];
  /** What the model reads: float32, or the input's own non-float type. */
  dtype: DataType;
  segments: Segment[];
}

const isFloat = (d: DataType | undefined): boolean => d === undefined || d === 'float32' || d === 'float64' || d === 'float16';

/**
 * Opens `file` (a `.npy`, a `.npz` or a folder of `.npy`) as samples for `inputs`. Shapes are checked now;
 * NaN/Inf are checked as samples are read. float64 data is converted to float32 with one warning.
 * Throws InputError naming the file for anything that does not fit the model.
 */
export async function openDataSource(file: string, inputs: ModelInputSpec[], opts: { limit?: number; logger?: Logger } = {}): Promise<DataSource> {
  if (inputs.length === 0) throw new InputError('the model has no inputs to feed data to');
  const kind = await inputKind({ file, what: 'data file' });
  let streams: InputStream[];
  if (kind === 'folder') streams = [await folderStream(file, single(inputs, file))];
  else if (file.toLowerCase().endsWith('.npz')) streams = await npzStreams(file, inputs);
  else if (file.toLowerCase().endsWith('.npy')) {
    const input = single(inputs, file);
    streams = [fitStream(input, [await npySegment(file, input)])];
  }
  else throw new InputError(`data file ${file}: expected a .npy, a .npz or a folder of .npy files`);

  const counts = streams.map((s) => s.segments.reduce((n, g) => n + g.count, 0));
  if (new Set(counts).size > 1) {
    throw new InputError(`data file ${file}: inputs have different sample counts (${streams.map((s, i) => `${s.name}: ${counts[i]}`).join(', ')})`);
  }
  const count = Math.min(counts[0]!, opts.limit ?? Infinity);
  if (count === 0) throw new InputError(`data file ${file} holds no samples`);
  const f64 = streams.filter((s) => s.dtype === 'float32').flatMap((s) => s.segments).filter((g) => g.dtype === 'float64');
  if (f64.length > 0) opts.logger?.warn(`data file ${f64[0]!.label} holds float64 values; converting to float32`);
  const files = [...new Set(streams.flatMap((s) => s.segments.map((g) => g.file)))];
  return { count, files, batches: (batchSize) => readBatches(streams, count, batchSize) };
}

function single(inputs: ModelInputSpec[], file: string): ModelInputSpec {
  if (inputs.length !== 1) {
    throw new InputError(`data file ${file}: the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); give a .npz with one array named after each input`);
  }
  return inputs[0]!;
}

async function npySegment(file: string, input: ModelInputSpec): Promise<Segment> {
  const { handle, size: fileSize } = await openInputFile({ file, what: 'data file' });
  try {
    const size = npyHeaderSize(await readRange(handle, 0, Math.min(12, fileSize)), `data file ${file}`);
    if (size > fileSize) throw new InputError(`data file ${file} is truncated inside its .npy header (${size} bytes declared, the file has ${fileSize})`);
    const header = parseNpyHeader(await readRange(handle, 0, size), `data file ${file}`);
    return checkedSegment(file, file, header, header.dataOffset, fileSize, input);
  } finally {
    await handle.close();
  }
}

/** A segment of `shape` samples at `dataStart` of `file`, checked to fit in the file's `fileSize` bytes. */
function checkedSegment(file: string, label: string, header: { dtype: DataType; shape: number[] }, dataStart: number, fileSize: number, input: ModelInputSpec): Segment {
  const dtype = sampleDtype(header.dtype, input, label);
  const bytes = numel(header.shape) * bytesPerElement(dtype);
  if (fileSize < dataStart + bytes) {
    throw new InputError(`data file ${label} is truncated: shape [${header.shape.join(', ')}] needs ${dataStart + bytes} bytes, the file has ${fileSize}`);
  }
  return { file, label, count: header.shape[0] ?? 1, dtype, dataOffset: dataStart, shape: header.shape };
}

/** The array's dtype if it can feed `input`: float32/float64 for float inputs, an integer or bool type for others. */
function sampleDtype(dtype: DataType, input: ModelInputSpec, file: string): DataType {
  if (isFloat(input.dtype)) {
    if (dtype === 'float32' || dtype === 'float64') return dtype;
    throw new InputError(`data file ${file} holds ${dtype} values; calibration data for float input '${input.name}' must be float32 (or float64, which is converted)`);
  }
  if (dtype === 'string' || isFloat(dtype)) {
    throw new InputError(`data file ${file} holds ${dtype} values, but model input '${input.name}' is ${input.dtype}: save the array as ${input.dtype} (it is fed to the model as is, not quantized)`);
  }
  return dtype;
}

/** Checks a segment's array shape against the input and returns the stream (shape is [N, ...sample]). */
function fitStream(input: ModelInputSpec, segments: Segment[]): InputStream {
  let sampleDims: number[] | undefined;
  for (const g of segments) {
    const shape = g.shape;
    const per = samplePart(shape, input.dims);
    if (!per) {
      const expected = input.dims.length === 0 || input.dims[0] !== 1 ? [...input.dims] : input.dims.slice(1);
      throw new InputError(`data file ${g.label} has shape [${shape.join(', ')}], which does not fit model input '${input.name}' of shape [${input.dims.join(', ')}]: expected [N${expected.map((d) => `, ${d}`).join('')}] (N samples)`);
    }
    if (sampleDims && sampleDims.join() !== per.join()) {
      throw new InputError(`data file ${g.label} has samples of shape [${per.join(', ')}] but earlier files have [${sampleDims.join(', ')}]`);
    }
    sampleDims = per;
  }
  return { name: input.name, sampleDims: sampleDims!, dtype: isFloat(input.dtype) ? 'float32' : input.dtype!, segments };
}

/**
 * Per-sample dims if `shape` = [N, ...dims[1:]] or [N, 1, ...dims[1:]] (model shape incl. a batch of 1), or
 * [N, ...dims] for an input whose first dim is not a batch of one (state [2, 1, 64], a scalar).
 */
function samplePart(shape: number[], dims: number[]): number[] | undefined {
  if (dims.length === 0 || dims[0] !== 1) {
    const whole = shape.slice(1);
    return whole.length === dims.length && whole.every((d, i) => dims[i]! < 0 || d === dims[i]) ? whole : undefined;
  }
  const want = dims.slice(1);
  const fits = (got: number[]) => got.length === want.length && got.every((d, i) => want[i]! < 0 || d === want[i]);
  if (shape.length >= 1 && fits(shape.slice(1))) return shape.slice(1);
  if (dims[0] === 1 && shape.length >= 2 && shape[1] === 1 && fits(shape.slice(2))) return shape.slice(2);
  return undefined;
}

async function folderStream(dir: string, input: ModelInputSpec): Promise<InputStream> {
  const names = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith('.npy')).sort();
  if (names.length > MAX_FOLDER_FILES) throw new InputError(`data folder ${dir} holds ${names.length} .npy files; at most ${MAX_FOLDER_FILES} are read`);
  if (names.length === 0) throw new InputError(`data folder ${dir} holds no .npy files`);
  const segments = [];
  for (const n of names) segments.push(await npySegment(path.join(dir, n), input));
  return fitStream(input, segments);
}

/** A file handle as a RandomAccess (zip.ts reads archives through it). */
function handleAccess(handle: FileHandle, size: number): RandomAccess {
  return { size, read: (position, length) => readRange(handle, position, Math.max(0, Math.min(length, size - position))) };
}

/** Only the members the inputs use are read: stored ones by range later, deflated ones inflated now. */
async function npzStreams(file: string, inputs: ModelInputSpec[]): Promise<InputStream[]> {
  const { handle, size } = await openInputFile({ file, what: 'data file' });
  try {
    const src = handleAccess(handle, size);
    const members = await listNpz(src, `data file ${file}`);
    const pick = (input: ModelInputSpec): NpzMember => {
      const named = members.find((m) => m.key === input.name);
      if (named) return named;
      if (inputs.length === 1 && members.length === 1) return members[0]!;
      throw new InputError(`data file ${file} has no array named '${input.name}' (it has: ${members.map((m) => m.key).join(', ') || 'none'}); name each array after a model input`);
    };
    const streams: InputStream[] = [];
    for (const input of inputs) {
      const m = pick(input);
      const label = `${file}[${m.key}]`;
      const stored = await storedNpyLayout(src, m, `data file ${file}`);
      if (stored) {
        streams.push(fitStream(input, [checkedSegment(file, label, stored.header, stored.dataStart, size, input)]));
        continue;
      }
      const t = await readNpzArray(src, m, `data file ${file}`);
      const dtype = sampleDtype(t.dtype, input, label);
      streams.push(fitStream(input, [{ file, label, count: t.dims[0] ?? 1, dtype, memory: t.data, shape: [...t.dims] }]));
    }
    return streams;
  } finally {
    await handle.close();
  }
}

async function readRange(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    // At most 1 GiB per call: node's read asserts a 32-bit length (a larger one aborts the process).
    const { bytesRead } = await handle.read(out, done, Math.min(length - done, 1 << 30), position + done);
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
        batch[s.name] = { dtype: s.dtype, dims: [n, ...s.sampleDims], data };
      }
      yield batch;
    }
  } finally {
    for (const h of handles.values()) await h.close();
  }
}

/** Samples [start, start+n) of a stream: float32 (checked for NaN/Inf) or the input's own non-float type. */
async function readSamples(s: InputStream, start: number, n: number, handles: Map<string, FileHandle>): Promise<TensorData> {
  const per = numel(s.sampleDims);
  const out = allocate(s.dtype, n * per) as Exclude<TensorData, string[]>;
  let first = 0; // global index of the current segment's sample 0
  let filled = 0;
  for (const g of s.segments) {
    const lo = Math.max(start + filled, first);
    const hi = Math.min(start + n, first + g.count);
    if (lo < hi) {
      const values = await segmentValues(g, lo - first, hi - lo, per, handles);
      copyConverted(out, values, filled * per);
      // Checked after conversion: a float64 beyond float32 range becomes Inf here.
      if (out instanceof Float32Array) checkFinite(out.subarray(filled * per, (filled + hi - lo) * per), per, g.label, lo - first);
      filled += hi - lo;
    }
    first += g.count;
    if (filled === n) break;
  }
  return out;
}

/** out[at…] = values, converting between element types (BigInt ↔ number where they differ). */
function copyConverted(out: Exclude<TensorData, string[]>, values: Exclude<TensorData, string[]>, at: number): void {
  const outBig = out instanceof BigInt64Array || out instanceof BigUint64Array;
  const inBig = values instanceof BigInt64Array || values instanceof BigUint64Array;
  if (outBig === inBig) {
    (out as Float32Array).set(values as Float32Array, at);
    return;
  }
  for (let i = 0; i < values.length; i++) {
    (out as unknown as (number | bigint)[])[at + i] = outBig ? BigInt(Math.trunc(Number(values[i]))) : Number(values[i]);
  }
}

async function segmentValues(g: Segment, from: number, n: number, per: number, handles: Map<string, FileHandle>): Promise<Exclude<TensorData, string[]>> {
  if (g.memory) return (g.memory as Float32Array).subarray(from * per, (from + n) * per);
  let h = handles.get(g.file);
  if (!h) {
    h = (await openInputFile({ file: g.file, what: 'data file' })).handle;
    handles.set(g.file, h);
  }
  const size = bytesPerElement(g.dtype);
  const bytes = await readRange(h, g.dataOffset! + from * per * size, n * per * size);
  if (bytes.byteLength !== n * per * size) throw new InputError(`data file ${g.label} changed while being read (short read)`);
  return fromRawBytes(g.dtype, bytes) as Exclude<TensorData, string[]>;
}

function checkFinite(values: Float32Array, per: number, file: string, firstSample: number): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new InputError(`data file ${file}: sample ${firstSample + Math.floor(i / per)} contains ${values[i]} (NaN/Inf are not allowed in calibration data)`);
    }
  }
}
