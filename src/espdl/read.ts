/**
 * Decodes an ESP-DL `Model` FlatBuffer (the payload after the EDL2 header) fully into plain objects.
 * Field slots follow src/espdl/espdl.fbs (slot k = k-th field; a union takes two slots). Every read is
 * bounds-checked (flatbuffer-reader.ts), so a corrupt buffer gives an InputError, never a RangeError.
 */
import { InputError } from '../errors.js';
import { bytesPerElement, dataTypeFromCode, fromRawBytes, numel, type TensorData } from '../ir/tensor.js';
import type { Dim } from '../ir/graph.js';
import { CheckedBuffer, Table } from './flatbuffer-reader.js';
import type {
  EspdlAttributeView, EspdlGraphView, EspdlModelView, EspdlNodeView, EspdlTensorView, EspdlValueInfoView,
} from './model-view.js';

export * from './model-view.js';

/** Subgraphs (Attribute.g) nest at most this deep; deeper means a cyclic or hostile buffer. */
const MAX_GRAPH_DEPTH = 8;
const utf8 = new TextDecoder('utf-8');

interface Pending { attr: EspdlAttributeView; start: number; length: number; where: string }

interface Ctx { buf: CheckedBuffer; floats: Pending[] }

/**
 * Decodes `payload` (a FlatBuffers `espdl.Model`, no size prefix). `what` names the source in errors.
 * @throws InputError when the buffer is corrupt (offsets out of range, bad vtables).
 */
export function readEspdlModel(payload: Uint8Array, what = 'model'): EspdlModelView {
  const ctx: Ctx = { buf: new CheckedBuffer(payload, what), floats: [] };
  try {
    const m = ctx.buf.root();
    const graph = m.table(7);
    if (!graph) throw new InputError(`${what}: the Model has no graph`);
    const view: EspdlModelView = {
      irVersion: m.int32(0),
      opsetImport: m.tables(1).map((o) => ({ domain: o.string(0), version: Number(o.int64(1)) })),
      producerName: m.string(2),
      producerVersion: m.string(3),
      domain: m.string(4),
      modelVersion: Number(m.int64(5)),
      docString: m.string(6),
      graph: readGraph(ctx, graph, 0),
      metadataProps: m.tables(8).map((e) => ({ key: e.string(0), value: e.string(1) })),
      warnings: [],
    };
    resolveFloats(ctx, view.warnings);
    return view;
  } catch (err) {
    if (err instanceof InputError) throw err;
    // Anything else escaping the checked reader is still a corrupt input, not our bug to show as a stack.
    throw new InputError(`${what}: corrupt FlatBuffer (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
}

function readGraph(ctx: Ctx, g: Table, depth: number): EspdlGraphView {
  if (depth > MAX_GRAPH_DEPTH) ctx.buf.fail('subgraphs nested too deeply', g.pos);
  return {
    nodes: g.tables(0).map((n) => readNode(ctx, n, depth)),
    name: g.string(1),
    initializers: g.tables(2).map((t) => readTensor(ctx, t)),
    docString: g.string(3),
    inputs: g.tables(4).map(readValueInfo),
    outputs: g.tables(5).map(readValueInfo),
    valueInfo: g.tables(6).map(readValueInfo),
    testInputs: g.tables(8).map((t) => readTensor(ctx, t)),
    testOutputs: g.tables(9).map((t) => readTensor(ctx, t)),
  };
}

function readNode(ctx: Ctx, n: Table, depth: number): EspdlNodeView {
  const name = n.string(2);
  return {
    inputs: n.strings(0),
    outputs: n.strings(1),
    name,
    opType: n.string(3),
    domain: n.string(4),
    attributes: n.tables(5).map((a) => readAttribute(ctx, a, depth, name ?? '?')),
    docString: n.string(6),
  };
}

function readAttribute(ctx: Ctx, a: Table, depth: number, nodeName: string): EspdlAttributeView {
  const attr: EspdlAttributeView = { name: a.string(0) ?? '', type: a.int32(3) };
  const f = a.struct(4);
  if (f) attr.f = ctx.buf.f32(f);
  const i = a.struct(5);
  if (i) attr.i = Number(ctx.buf.i64(i));
  const s = a.bytes(6);
  if (s) attr.s = utf8.decode(s);
  const t = a.table(7);
  if (t) attr.t = readTensor(ctx, t);
  const g = a.table(8);
  if (g) attr.g = readGraph(ctx, g, depth + 1);
  const floats = a.vector(10, 4);
  if (floats) ctx.floats.push({ attr, ...floats, where: `node ${nodeName} attribute ${attr.name}` });
  if (a.has(11)) attr.ints = a.numbers64(11);
  if (a.has(12)) attr.strings = a.strings(12);
  return attr;
}

function readValueInfo(v: Table): EspdlValueInfoView {
  const type = v.table(1);
  let elemType: number | null = null;
  let dims: Dim[] = [];
  let hasShape = false;
  // TypeInfo: slot 0 = union type (1 = tensor_type), slot 1 = union value, slot 2 = denotation.
  if (type && type.uint8(0) === 1) {
    const tt = type.table(1);
    if (tt) {
      elemType = tt.int32(0);
      const shape = tt.table(1);
      hasShape = shape !== null;
      dims = (shape?.tables(0) ?? []).map(readDim);
    }
  }
  return { name: v.string(0), elemType, dims, hasShape, exponents: v.numbers64(3), docString: v.string(2) };
}

function readDim(d: Table): Dim {
  const value = d.table(0);
  if (!value) return null;
  const kind = value.int8(0);
  if (kind === 2) return value.string(2);
  if (kind === 1 || value.has(1)) return Number(value.int64(1));
  return null;
}

function readTensor(ctx: Ctx, t: Table): EspdlTensorView {
  const dims = t.numbers64(0);
  const dataType = t.int32(1);
  const rawVec = t.vector(8, 16);
  const raw = rawVec ? ctx.buf.bytes.subarray(rawVec.start, rawVec.start + 16 * rawVec.length) : new Uint8Array(0);
  const count = numel(dims);
  return {
    name: t.string(6),
    dims,
    dataType,
    exponents: t.numbers64(13),
    docString: t.string(7),
    raw,
    rawChunks: rawVec?.length ?? 0,
    rawOffset: rawVec ? rawVec.start : null,
    numel: count,
    values: rawVec ? rawValues(dataType, raw, count) : typedFieldValues(t, dataType),
    dataLocation: t.int32(10),
  };
}

function rawValues(code: number, raw: Uint8Array, count: number): TensorData | null {
  const dtype = dataTypeFromCode(code);
  if (!dtype || dtype === 'string') return null;
  return fromRawBytes(dtype, raw.subarray(0, Math.min(raw.byteLength, count * bytesPerElement(dtype))));
}

/** Non-raw storage (ONNX rules: small ints and bool in int32_data, float16 bits in int32_data). */
function typedFieldValues(t: Table, code: number): TensorData | null {
  const dtype = dataTypeFromCode(code);
  switch (dtype) {
    case 'float32': return Float32Array.from(t.float32s(2));
    case 'float64': return Float64Array.from(t.float64s(11));
    case 'int64': return BigInt64Array.from(t.int64s(5));
    case 'uint64': case 'uint32': {
      const v = t.vector(12, 8);
      if (!v) return dtype === 'uint64' ? new BigUint64Array(0) : new Uint32Array(0);
      const big = Array.from({ length: v.length }, (_, i) => t.buf.view.getBigUint64(v.start + 8 * i, true));
      return dtype === 'uint64' ? BigUint64Array.from(big) : Uint32Array.from(big.map(Number));
    }
    case 'string': return t.strings(4);
    case undefined: return null;
    default: {
      const ints = t.int32s(3);
      const out = new (arrayClass(dtype))(ints.length);
      out.set(ints);
      return out;
    }
  }
}

function arrayClass(dtype: 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'bool' | 'float16') {
  switch (dtype) {
    case 'int8': return Int8Array;
    case 'int16': return Int16Array;
    case 'uint16': case 'float16': return Uint16Array;
    case 'int32': return Int32Array;
    default: return Uint8Array;
  }
}

/**
 * Settles each FLOATS vector's element size once every object start is known: float64 when the bytes up to
 * the next object (or the buffer end) hold 8·n bytes and read as plausible doubles.
 */
function resolveFloats(ctx: Ctx, warnings: string[]): void {
  if (ctx.floats.length === 0) return;
  const starts = [...new Set(ctx.buf.starts)].sort((x, y) => x - y);
  for (const p of ctx.floats) {
    const asF32 = Array.from({ length: p.length }, (_, i) => ctx.buf.f32(p.start + 4 * i));
    const next = starts.find((s) => s >= p.start) ?? ctx.buf.length;
    const fits = p.length > 0 && next - p.start >= 8 * p.length && p.start + 8 * p.length <= ctx.buf.length;
    const asF64 = fits ? Array.from({ length: p.length }, (_, i) => ctx.buf.f64(p.start + 8 * i)) : [];
    const wide = fits && asF64.every(plausible);
    p.attr.floatsAsF32 = asF32;
    p.attr.floats = wide ? asF64 : asF32;
    p.attr.floatsStorage = wide ? 'float64' : 'float32';
    if (wide) warnings.push(`${p.where}: FLOATS holds float64 data in a [float] field (esp-ppq quirk)`);
  }
}

function plausible(x: number): boolean {
  return x === 0 || (Number.isFinite(x) && Math.abs(x) >= 1e-30 && Math.abs(x) <= 1e30);
}
