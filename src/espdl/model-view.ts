/**
 * Plain-object view of a decoded ESP-DL `Model` FlatBuffer (schema: src/espdl/espdl.fbs). Produced by
 * `readEspdlModel` (read.ts); consumed by the inspector, the canonical view and tests of the exporter.
 * int64 fields (dims, exponents, attribute ints) are JS numbers: exact below 2^53, which real models respect.
 */
import type { Dim } from '../ir/graph.js';
import type { TensorData } from '../ir/tensor.js';

/** ESP-DL `AttributeType` names by code (= ONNX AttributeProto.AttributeType). */
export const ATTRIBUTE_TYPE_NAMES = [
  'UNDEFINED', 'FLOAT', 'INT', 'STRING', 'TENSOR', 'GRAPH', 'FLOATS', 'INTS', 'STRINGS', 'TENSORS', 'GRAPHS',
  'TYPE_FBS', 'TYPE_FBSS',
] as const;

/** ESP-DL `TensorDataType` names by code (= ONNX TensorProto.DataType 0..13). */
export const TENSOR_DATA_TYPE_NAMES = [
  'UNDEFINED', 'FLOAT', 'UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'STRING', 'BOOL', 'FLOAT16',
  'DOUBLE', 'UINT32', 'UINT64',
] as const;

/** The enum name of a TensorDataType code, or `TYPE_<code>` for codes outside the schema. */
export function tensorDataTypeName(code: number): string {
  return TENSOR_DATA_TYPE_NAMES[code] ?? `TYPE_${code}`;
}

/** IEEE 754 binary16 bits to a number (FLOAT16 tensors keep raw bits in their Uint16Array values). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export interface EspdlAttributeView {
  name: string;
  /** AttributeType code (1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 6 FLOATS, 7 INTS, 8 STRINGS, …). */
  type: number;
  f?: number;
  i?: number;
  /** STRING: the `s` bytes decoded as UTF-8. */
  s?: string;
  ints?: number[];
  /**
   * FLOATS values. QUIRK (esp-ppq helper.py make_attribute): esp-ppq writes float64 data into the `[float]`
   * field (length = element count, 8 bytes each). `floatsStorage` says which was detected; `floatsAsF32`
   * is what a schema-following reader (ESP-DL) sees: the first `floats.length` float32 words.
   */
  floats?: number[];
  floatsAsF32?: number[];
  floatsStorage?: 'float32' | 'float64';
  strings?: string[];
  t?: EspdlTensorView;
  g?: EspdlGraphView;
}

export interface EspdlNodeView {
  name: string | null;
  opType: string | null;
  domain: string | null;
  docString: string | null;
  inputs: string[];
  outputs: string[];
  attributes: EspdlAttributeView[];
}

export interface EspdlTensorView {
  name: string | null;
  dims: number[];
  /** TensorDataType code. */
  dataType: number;
  exponents: number[];
  docString: string | null;
  /** Concatenated `raw_data` AlignedBytes chunks, zero padding included (a view into the payload). */
  raw: Uint8Array;
  rawChunks: number;
  /** Byte offset of the raw data inside the FlatBuffer payload (16-aligned in files from esp-ppq), or null. */
  rawOffset: number | null;
  /** Element count from `dims` (1 for a scalar). */
  numel: number;
  /** Typed values: from raw (first `numel` elements) or from the typed `*_data` fields; null if undecodable. */
  values: TensorData | null;
  dataLocation: number;
}

export interface EspdlValueInfoView {
  name: string | null;
  /** TensorDataType code of the tensor type, or null when the value has no tensor type. */
  elemType: number | null;
  dims: Dim[];
  /** False when the tensor type has no shape at all (unknown rank), as opposed to a scalar's empty shape. */
  hasShape: boolean;
  exponents: number[];
  docString: string | null;
}

export interface EspdlGraphView {
  name: string | null;
  docString: string | null;
  nodes: EspdlNodeView[];
  initializers: EspdlTensorView[];
  inputs: EspdlValueInfoView[];
  outputs: EspdlValueInfoView[];
  valueInfo: EspdlValueInfoView[];
  testInputs: EspdlTensorView[];
  testOutputs: EspdlTensorView[];
}

export interface EspdlModelView {
  irVersion: number;
  opsetImport: { domain: string | null; version: number }[];
  producerName: string | null;
  producerVersion: string | null;
  domain: string | null;
  modelVersion: number;
  docString: string | null;
  /** metadata_props in file order. */
  metadataProps: { key: string | null; value: string | null }[];
  graph: EspdlGraphView;
  /** Oddities found while decoding (e.g. the float64-in-[float] FLOATS quirk), one line each. */
  warnings: string[];
}
