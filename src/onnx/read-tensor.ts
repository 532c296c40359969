/** Decoding of onnx TensorProto into the IR's dense Tensor (typed arrays). */
import { UnsupportedError } from '../errors.js';
import { allocate, bytesPerElement, dataTypeFromCode, fromRawBytes, numel, type DataType, type Tensor, type TensorData } from '../ir/tensor.js';
import { DATA_LOCATION_EXTERNAL, STRING_ENTRY, TENSOR } from './fields.js';
import { ProtoError, ProtoReader, WIRE } from './proto-wire.js';

/** Reads an external-data range: `location` relative to the model, `length` undefined = to end of file. */
export type ExternalResolver = (location: string, offset: number, length: number | undefined) => Uint8Array;

interface RawTensor {
  name: string;
  dims: number[];
  dataType: number;
  raw?: Uint8Array;
  floatChunks: Uint8Array[];
  doubleChunks: Uint8Array[];
  floats: number[];
  doubles: number[];
  int32: number[];
  int64: bigint[];
  uint64: bigint[];
  strings: string[];
  external: Map<string, string>;
  location: number;
}

/** Decodes one TensorProto message. Returns the ONNX name too (initializers are keyed by it). */
export function readTensor(r: ProtoReader, resolve: ExternalResolver | undefined): { name: string; tensor: Tensor } {
  const start = r.pos;
  const t = readFields(r);
  const dtype = dataTypeFromCode(t.dataType);
  if (!dtype) {
    throw new UnsupportedError(`tensor '${t.name}' has ONNX data type ${t.dataType}, which this tool does not support`);
  }
  const data = tensorData(t, dtype, resolve, start);
  const want = numel(t.dims);
  if (data.length !== want) {
    throw new ProtoError(`tensor '${t.name}' holds ${data.length} values but dims [${t.dims.join(',')}] need ${want}`, start);
  }
  return { name: t.name, tensor: { dtype, dims: t.dims, data } };
}

function readFields(r: ProtoReader): RawTensor {
  const t: RawTensor = {
    name: '', dims: [], dataType: 0, floatChunks: [], doubleChunks: [], floats: [], doubles: [],
    int32: [], int64: [], uint64: [], strings: [], external: new Map(), location: 0,
  };
  while (!r.done) {
    const [field, wire] = r.key();
    switch (field) {
      case TENSOR.dims: r.repeated(wire, WIRE.varint, (s) => t.dims.push(s.int64())); break;
      case TENSOR.dataType: r.expect(wire, WIRE.varint); t.dataType = r.int32(); break;
      case TENSOR.name: r.expect(wire, WIRE.len); t.name = r.string(); break;
      case TENSOR.rawData: r.expect(wire, WIRE.len); t.raw = r.bytes(); break;
      case TENSOR.floatData:
        // Packed floats are little-endian IEEE already: keep the bytes and convert once.
        if (wire === WIRE.len) t.floatChunks.push(r.bytes());
        else r.repeated(wire, WIRE.fixed32, (s) => t.floats.push(s.float()));
        break;
      case TENSOR.doubleData:
        if (wire === WIRE.len) t.doubleChunks.push(r.bytes());
        else r.repeated(wire, WIRE.fixed64, (s) => t.doubles.push(s.double()));
        break;
      case TENSOR.int32Data: r.repeated(wire, WIRE.varint, (s) => t.int32.push(s.int32())); break;
      case TENSOR.int64Data: r.repeated(wire, WIRE.varint, (s) => t.int64.push(s.int64Big())); break;
      case TENSOR.uint64Data: r.repeated(wire, WIRE.varint, (s) => t.uint64.push(s.uint64Big())); break;
      case TENSOR.stringData: r.expect(wire, WIRE.len); t.strings.push(r.string()); break;
      case TENSOR.externalData: {
        r.expect(wire, WIRE.len);
        const [k, v] = readStringEntry(r.message());
        t.external.set(k, v);
        break;
      }
      case TENSOR.dataLocation: r.expect(wire, WIRE.varint); t.location = r.int32(); break;
      default: r.skip(wire);
    }
  }
  return t;
}

/** StringStringEntryProto → [key, value]. */
export function readStringEntry(r: ProtoReader): [string, string] {
  let key = '';
  let value = '';
  while (!r.done) {
    const [field, wire] = r.key();
    if (field === STRING_ENTRY.key && wire === WIRE.len) key = r.string();
    else if (field === STRING_ENTRY.value && wire === WIRE.len) value = r.string();
    else r.skip(wire);
  }
  return [key, value];
}

function tensorData(t: RawTensor, dtype: DataType, resolve: ExternalResolver | undefined, at: number): TensorData {
  if (t.location === DATA_LOCATION_EXTERNAL) return externalData(t, dtype, resolve, at);
  if (t.raw) {
    if (dtype === 'string') throw new ProtoError(`string tensor '${t.name}' has raw_data`, at);
    if (t.raw.byteLength % bytesPerElement(dtype) !== 0) {
      throw new ProtoError(`tensor '${t.name}' raw_data length ${t.raw.byteLength} is not a multiple of ${bytesPerElement(dtype)}`, at);
    }
    return fromRawBytes(dtype, t.raw);
  }
  switch (dtype) {
    case 'float32': return joinFixed('float32', t.floatChunks, t.floats);
    case 'float64': return joinFixed('float64', t.doubleChunks, t.doubles);
    case 'int64': return BigInt64Array.from(t.int64);
    case 'uint64': return BigUint64Array.from(t.uint64);
    case 'uint32': return Uint32Array.from(t.uint64, (v) => Number(v));
    case 'string': return t.strings;
    default: {
      // ONNX keeps int8/int16/uint8/uint16/bool/float16 (as bits) and int32 in int32_data.
      const out = allocate(dtype, t.int32.length) as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
      for (let i = 0; i < t.int32.length; i++) out[i] = t.int32[i]!;
      return out;
    }
  }
}

function joinFixed(dtype: 'float32' | 'float64', chunks: Uint8Array[], loose: number[]): TensorData {
  if (chunks.length === 0) return dtype === 'float32' ? Float32Array.from(loose) : Float64Array.from(loose);
  if (chunks.length === 1 && loose.length === 0) return fromRawBytes(dtype, chunks[0]!);
  const total = chunks.reduce((s, c) => s + c.byteLength, 0);
  const bytes = new Uint8Array(total + loose.length * bytesPerElement(dtype));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  const out = fromRawBytes(dtype, bytes) as Float32Array | Float64Array;
  // Packed and unpacked elements of one field may legally be mixed; writers do not do that in practice,
  // so unpacked values are simply appended after the packed ones.
  out.set(loose, total / bytesPerElement(dtype));
  return out;
}

function externalData(t: RawTensor, dtype: DataType, resolve: ExternalResolver | undefined, at: number): TensorData {
  const location = t.external.get('location');
  if (location === undefined) throw new ProtoError(`tensor '${t.name}' is external but names no location`, at);
  if (!resolve) {
    throw new UnsupportedError(`tensor '${t.name}' keeps its data in the external file '${location}'; load the model from its file (loadOnnxFile) so external data can be found`);
  }
  if (dtype === 'string') throw new ProtoError(`string tensor '${t.name}' cannot be external`, at);
  const offset = Number(t.external.get('offset') ?? '0');
  const lengthText = t.external.get('length');
  const length = lengthText === undefined ? undefined : Number(lengthText);
  if (!Number.isInteger(offset) || offset < 0 || (length !== undefined && (!Number.isInteger(length) || length < 0))) {
    throw new ProtoError(`tensor '${t.name}' has a bad external offset/length`, at);
  }
  const want = numel(t.dims) * bytesPerElement(dtype);
  const bytes = resolve(location, offset, length ?? want);
  if (bytes.byteLength < want) {
    throw new ProtoError(`tensor '${t.name}' needs ${want} bytes from '${location}' at ${offset} but got ${bytes.byteLength}`, at);
  }
  return fromRawBytes(dtype, bytes.subarray(0, want));
}
