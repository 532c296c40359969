/** IR Model → ONNX ModelProto bytes. Numeric tensors are written as little-endian raw_data, strings as string_data. */
import type { Attribute, Graph, Model, Node, ValueInfo } from '../ir/graph.js';
import { DATA_TYPE_CODE, toRawBytes, type Tensor } from '../ir/tensor.js';
import {
  ATTRIBUTE, ATTRIBUTE_TYPE, DIM, GRAPH, MODEL, NODE, OPSET_ID, SHAPE, STRING_ENTRY, TENSOR, TYPE, TYPE_TENSOR, VALUE_INFO,
} from './fields.js';
import { ProtoWriter } from './proto-writer.js';

/**
 * Encodes a model. Tensor bytes are referenced while building and copied once into the result. Empty strings
 * and zero scalars are omitted (proto3 defaults), except fields ONNX readers need (graph, data_type, dims).
 */
export function encodeModel(model: Model): Uint8Array {
  const w = new ProtoWriter();
  w.varintField(MODEL.irVersion, model.irVersion);
  optString(w, MODEL.producerName, model.producerName);
  optString(w, MODEL.producerVersion, model.producerVersion);
  optString(w, MODEL.domain, model.domain);
  if (model.modelVersion) w.varintField(MODEL.modelVersion, model.modelVersion);
  optString(w, MODEL.docString, model.docString);
  w.messageField(MODEL.graph, (g) => writeGraph(g, model.graph));
  for (const o of model.opsetImports) {
    w.messageField(MODEL.opsetImport, (m) => {
      optString(m, OPSET_ID.domain, o.domain);
      m.varintField(OPSET_ID.version, o.version);
    });
  }
  for (const p of model.metadataProps) w.messageField(MODEL.metadataProps, (m) => writeEntry(m, p.key, p.value));
  return w.finish();
}

function optString(w: ProtoWriter, field: number, s: string | undefined): void {
  if (s) w.stringField(field, s);
}

function writeEntry(w: ProtoWriter, key: string, value: string): void {
  w.stringField(STRING_ENTRY.key, key);
  w.stringField(STRING_ENTRY.value, value);
}

function writeGraph(w: ProtoWriter, g: Graph): void {
  for (const n of g.nodes) w.messageField(GRAPH.node, (m) => writeNode(m, n));
  optString(w, GRAPH.name, g.name);
  for (const [name, t] of g.initializers) w.messageField(GRAPH.initializer, (m) => writeTensor(m, t, name));
  optString(w, GRAPH.docString, g.docString);
  for (const v of g.inputs) w.messageField(GRAPH.input, (m) => writeValueInfo(m, v));
  for (const v of g.outputs) w.messageField(GRAPH.output, (m) => writeValueInfo(m, v));
  for (const v of g.valueInfo.values()) w.messageField(GRAPH.valueInfo, (m) => writeValueInfo(m, v));
}

function writeNode(w: ProtoWriter, n: Node): void {
  for (const i of n.inputs) w.stringField(NODE.input, i);
  for (const o of n.outputs) w.stringField(NODE.output, o);
  optString(w, NODE.name, n.name);
  w.stringField(NODE.opType, n.opType);
  for (const [name, a] of n.attributes) w.messageField(NODE.attribute, (m) => writeAttribute(m, name, a));
  optString(w, NODE.docString, n.docString);
  optString(w, NODE.domain, n.domain);
}

function writeAttribute(w: ProtoWriter, name: string, a: Attribute): void {
  w.stringField(ATTRIBUTE.name, name);
  switch (a.type) {
    case 'float': w.floatField(ATTRIBUTE.f, a.value); break;
    case 'int': w.varintField(ATTRIBUTE.i, a.value); break;
    case 'string': w.stringField(ATTRIBUTE.s, a.value); break;
    case 'tensor': w.messageField(ATTRIBUTE.t, (m) => writeTensor(m, a.value, '')); break;
    case 'graph': w.messageField(ATTRIBUTE.g, (m) => writeGraph(m, a.value)); break;
    case 'floats': for (const f of a.value) w.floatField(ATTRIBUTE.floats, f); break;
    case 'ints': for (const i of a.value) w.varintField(ATTRIBUTE.ints, i); break;
    case 'strings': for (const s of a.value) w.stringField(ATTRIBUTE.strings, s); break;
  }
  w.varintField(ATTRIBUTE.type, ATTRIBUTE_TYPE[a.type]);
}

/** Writes a TensorProto; `name` may be '' (attribute tensors). */
export function writeTensor(w: ProtoWriter, t: Tensor, name: string): void {
  if (t.dims.length > 0) w.messageField(TENSOR.dims, (p) => { for (const d of t.dims) p.int64(d); });
  w.varintField(TENSOR.dataType, DATA_TYPE_CODE[t.dtype]);
  optString(w, TENSOR.name, name);
  if (Array.isArray(t.data)) {
    for (const s of t.data) w.stringField(TENSOR.stringData, s);
  } else {
    w.bytesField(TENSOR.rawData, toRawBytes(t.data));
  }
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.stringField(VALUE_INFO.name, v.name);
  if (v.untyped) return;
  w.messageField(VALUE_INFO.type, (ty) => {
    ty.messageField(TYPE.tensorType, (tt) => {
      tt.varintField(TYPE_TENSOR.elemType, DATA_TYPE_CODE[v.dtype]);
      if (!v.shape) return;
      const shape = v.shape;
      tt.messageField(TYPE_TENSOR.shape, (s) => {
        for (const d of shape) {
          s.messageField(SHAPE.dim, (dm) => {
            if (typeof d === 'number') dm.varintField(DIM.dimValue, d);
            else if (typeof d === 'string') dm.stringField(DIM.dimParam, d);
          });
        }
      });
    });
  });
}

