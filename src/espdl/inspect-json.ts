/**
 * Machine-readable description of a `.espdl` file for `inspect --json`: container header(s), and per model
 * its metadata, nodes, initializers (with layout, byte length and SHA-256 of the data), value infos and
 * embedded test values. Works for single models and packages (one entry per model).
 */
import { parseContainer, type ContainerModel } from './container.js';
import { sha256 as pureSha256, toHex } from './crypto.js';
import { readContainerModel, type KeyOptions } from './open-model.js';
import {
  ATTRIBUTE_TYPE_NAMES, tensorDataTypeName, type EspdlAttributeView, type EspdlModelView, type EspdlTensorView,
  type EspdlValueInfoView,
} from './read.js';

export interface InspectOptions extends KeyOptions {
  /** Names the file in errors. */
  what?: string;
  /** SHA-256 implementation (default: the pure one in crypto.ts; node:crypto's is ~10× faster on big models). */
  sha256?: (data: Uint8Array) => Uint8Array;
}

/** Description of every model in the file. Encrypted models without a key show their header only. */
export function inspectJson(fileBytes: Uint8Array, opts: InspectOptions = {}): Record<string, unknown> {
  const what = opts.what ?? 'file';
  const c = parseContainer(fileBytes, what);
  const models = c.models.map((entry, index) => inspectEntry(entry, index, what, opts));
  return { file_bytes: fileBytes.byteLength, format: c.format, ...(c.package ? { package: c.package } : {}), models };
}

function inspectEntry(entry: ContainerModel, index: number, what: string, opts: InspectOptions): Record<string, unknown> {
  const label = entry.name ? `${what} [${entry.name}]` : what;
  const out: Record<string, unknown> = {
    index,
    ...(entry.name !== undefined ? { name: entry.name } : {}),
    header: { ...entry.header, encrypted: entry.header.mode === 1 },
    payload_offset: entry.offset,
  };
  if (entry.header.mode === 1 && !opts.key) {
    out.model = null;
    out.note = 'encrypted model: pass the AES key (--key HEX) to decode it';
    return out;
  }
  const view = readContainerModel(entry, label, opts);
  out.model = describeModel(view, entry.offset, opts.sha256 ?? pureSha256);
  return out;
}

/** JSON description of a decoded model; `payloadOffset` locates raw data in the file (alignment check). */
export function describeModel(m: EspdlModelView, payloadOffset: number, sha256: (d: Uint8Array) => Uint8Array): Record<string, unknown> {
  const g = m.graph;
  const tensor = (t: EspdlTensorView) => describeTensor(t, payloadOffset, sha256);
  return {
    ir_version: m.irVersion,
    model_version: m.modelVersion,
    producer_name: m.producerName,
    producer_version: m.producerVersion,
    opset_import: m.opsetImport,
    metadata_props: Object.fromEntries(m.metadataProps.map((p) => [p.key ?? '', p.value])),
    graph_name: g.name,
    counts: {
      nodes: g.nodes.length, initializers: g.initializers.length, value_info: g.valueInfo.length,
      test_inputs: g.testInputs.length, test_outputs: g.testOutputs.length,
      parameter_bytes: g.initializers.reduce((s, t) => s + t.raw.byteLength, 0),
    },
    inputs: g.inputs.map(describeValueInfo),
    outputs: g.outputs.map(describeValueInfo),
    nodes: g.nodes.map((n) => ({
      name: n.name, op_type: n.opType, inputs: n.inputs, outputs: n.outputs,
      attributes: Object.fromEntries(n.attributes.map((a) => [a.name, describeAttribute(a)])),
    })),
    initializers: g.initializers.map(tensor),
    value_info: g.valueInfo.map(describeValueInfo),
    test_inputs: g.testInputs.map(tensor),
    test_outputs: g.testOutputs.map(tensor),
    warnings: m.warnings,
  };
}

function describeValueInfo(v: EspdlValueInfoView): Record<string, unknown> {
  return { name: v.name, elem_type: v.elemType === null ? null : tensorDataTypeName(v.elemType), dims: v.dims, exponents: v.exponents };
}

function describeAttribute(a: EspdlAttributeView): Record<string, unknown> {
  const type = ATTRIBUTE_TYPE_NAMES[a.type] ?? `TYPE_${a.type}`;
  if (a.type === 1) return { type, value: a.f ?? null };
  if (a.type === 2) return { type, value: a.i ?? null };
  if (a.type === 3) return { type, value: a.s ?? null };
  if (a.type === 6) return { type, value: a.floats ?? [], storage: a.floatsStorage };
  if (a.type === 7) return { type, value: a.ints ?? [] };
  if (a.type === 8) return { type, value: a.strings ?? [] };
  if (a.type === 4 && a.t) return { type, value: { name: a.t.name, dims: a.t.dims, data_type: tensorDataTypeName(a.t.dataType) } };
  return { type };
}

function describeTensor(t: EspdlTensorView, payloadOffset: number, sha256: (d: Uint8Array) => Uint8Array): Record<string, unknown> {
  const layout = t.docString?.startsWith('layout ==> ') ? t.docString.slice('layout ==> '.length) : null;
  return {
    name: t.name,
    dims: t.dims,
    data_type: tensorDataTypeName(t.dataType),
    exponents: t.exponents,
    layout,
    doc_string: t.docString,
    numel: t.numel,
    raw_bytes: t.raw.byteLength,
    raw_file_offset: t.rawOffset === null ? null : payloadOffset + t.rawOffset,
    raw_aligned16: t.rawOffset === null ? null : (payloadOffset + t.rawOffset) % 16 === 0,
    raw_sha256: toHex(sha256(t.raw)),
  };
}
