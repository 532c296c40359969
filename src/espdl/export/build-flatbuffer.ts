/**
 * Serialises an exported graph into ESP-DL's FlatBuffers Model (docs/esp-ppq.md §5.2; the way
 * esp_ppq/parser/espdl/helper.py fills it): tensor data always as 16-byte AlignedBytes raw_data (zero padded),
 * dims/exponents as int64, attributes sorted by name, no producer name, an empty opset_import.
 */
import * as flatbuffers from 'flatbuffers';
import type { Attribute, Dim } from '../../ir/graph.js';
import type { DataType, TensorData } from '../../ir/tensor.js';
import { DATA_TYPE_CODE, toRawBytes } from '../../ir/tensor.js';
import {
  Attribute as FbAttribute, AttributeF, AttributeI, AttributeType, Dimension, DimensionValue,
  DimensionValueType, Graph, Model, Node, StringStringEntry, Tensor, TensorShape, TensorTypeAndShape, TypeInfo,
  TypeInfoValue, ValueInfo,
} from '../generated/espdl.js';
import { UnsupportedError } from '../../errors.js';

export interface FbTensor {
  name: string;
  dtype: DataType;
  dims: readonly number[];
  data: TensorData;
  exponents: readonly number[];
  docString?: string;
}
export interface FbValueInfo { name: string; dtype: DataType; dims: readonly Dim[] | undefined; exponents: readonly number[] }
export interface FbNode { name: string; opType: string; inputs: string[]; outputs: string[]; attributes: Map<string, Attribute> }
export interface FbModel {
  irVersion: number;
  modelVersion: number;
  graphName: string;
  nodes: FbNode[];
  initializers: FbTensor[];
  inputs: FbValueInfo[];
  outputs: FbValueInfo[];
  valueInfo: FbValueInfo[];
  testInputs: FbTensor[];
  testOutputs: FbTensor[];
  metadataProps: [string, string][];
}

const big = (xs: readonly number[]): bigint[] => xs.map((x) => BigInt(x));

function rawBytes(data: TensorData): Uint8Array {
  const bytes = toRawBytes(data);
  const padded = new Uint8Array(Math.ceil(bytes.byteLength / 16) * 16);
  padded.set(bytes);
  return padded;
}

function tensor(b: flatbuffers.Builder, t: FbTensor): flatbuffers.Offset {
  const dims = Tensor.createDimsVector(b, big(t.dims));
  const name = b.createString(t.name);
  const doc = t.docString !== undefined ? b.createString(t.docString) : 0;
  const exps = Tensor.createExponentsVector(b, big(t.exponents));
  const raw = rawBytes(t.data);
  Tensor.startRawDataVector(b, raw.byteLength / 16);
  for (let i = raw.byteLength - 1; i >= 0; i--) b.writeInt8(raw[i]!);
  const rawVec = b.endVector();
  Tensor.startTensor(b);
  Tensor.addDims(b, dims);
  Tensor.addDataType(b, DATA_TYPE_CODE[t.dtype]);
  Tensor.addName(b, name);
  if (doc) Tensor.addDocString(b, doc);
  Tensor.addRawData(b, rawVec);
  Tensor.addExponents(b, exps);
  return Tensor.endTensor(b);
}

function dimension(b: flatbuffers.Builder, d: Dim): flatbuffers.Offset {
  let value: flatbuffers.Offset;
  if (typeof d === 'number') value = DimensionValue.createDimensionValue(b, DimensionValueType.VALUE, BigInt(d), 0);
  else if (typeof d === 'string') value = DimensionValue.createDimensionValue(b, DimensionValueType.PARAM, 0n, b.createString(d));
  else {
    DimensionValue.startDimensionValue(b);
    value = DimensionValue.endDimensionValue(b);
  }
  return Dimension.createDimension(b, value, 0);
}

function valueInfo(b: flatbuffers.Builder, v: FbValueInfo): flatbuffers.Offset {
  const name = b.createString(v.name);
  let shape = 0;
  if (v.dims) shape = TensorShape.createTensorShape(b, TensorShape.createDimVector(b, v.dims.map((d) => dimension(b, d))));
  TensorTypeAndShape.startTensorTypeAndShape(b);
  TensorTypeAndShape.addElemType(b, DATA_TYPE_CODE[v.dtype]);
  if (shape) TensorTypeAndShape.addShape(b, shape);
  const tts = TensorTypeAndShape.endTensorTypeAndShape(b);
  const type = TypeInfo.createTypeInfo(b, TypeInfoValue.tensor_type, tts, 0);
  const exps = ValueInfo.createExponentsVector(b, big(v.exponents));
  ValueInfo.startValueInfo(b);
  ValueInfo.addName(b, name);
  ValueInfo.addValueInfoType(b, type);
  ValueInfo.addExponents(b, exps);
  return ValueInfo.endValueInfo(b);
}

function attribute(b: flatbuffers.Builder, name: string, a: Attribute): flatbuffers.Offset {
  const n = b.createString(name);
  let vec = 0;
  let type: AttributeType;
  switch (a.type) {
    case 'int': type = AttributeType.INT; break;
    case 'float': type = AttributeType.FLOAT; break;
    case 'string': type = AttributeType.STRING; vec = FbAttribute.createSVector(b, new TextEncoder().encode(a.value)); break;
    case 'ints': type = AttributeType.INTS; vec = FbAttribute.createIntsVector(b, big(a.value)); break;
    // QUIRK (docs/esp-ppq.md §5.2): ESP-PPQ writes float64 payloads into this [float] field; we write the schema's float32.
    case 'floats': type = AttributeType.FLOATS; vec = FbAttribute.createFloatsVector(b, Float32Array.from(a.value)); break;
    case 'strings': type = AttributeType.STRINGS; vec = FbAttribute.createStringsVector(b, a.value.map((s) => b.createString(s))); break;
    case 'tensor': type = AttributeType.TENSOR; vec = tensor(b, { name: '', dtype: a.value.dtype, dims: a.value.dims, data: a.value.data, exponents: [] }); break;
    default: throw new UnsupportedError(`attribute ${name}: ${a.type} attributes cannot be exported`);
  }
  FbAttribute.startAttribute(b);
  FbAttribute.addName(b, n);
  FbAttribute.addAttrType(b, type);
  if (a.type === 'int') FbAttribute.addI(b, AttributeI.createAttributeI(b, BigInt(a.value)));
  if (a.type === 'float') FbAttribute.addF(b, AttributeF.createAttributeF(b, a.value));
  if (a.type === 'string') FbAttribute.addS(b, vec);
  if (a.type === 'ints') FbAttribute.addInts(b, vec);
  if (a.type === 'floats') FbAttribute.addFloats(b, vec);
  if (a.type === 'strings') FbAttribute.addStrings(b, vec);
  if (a.type === 'tensor') FbAttribute.addT(b, vec);
  return FbAttribute.endAttribute(b);
}

function node(b: flatbuffers.Builder, n: FbNode): flatbuffers.Offset {
  const inputs = Node.createInputVector(b, n.inputs.map((s) => b.createString(s)));
  const outputs = Node.createOutputVector(b, n.outputs.map((s) => b.createString(s)));
  const name = b.createString(n.name);
  const opType = b.createString(n.opType);
  const keys = [...n.attributes.keys()].sort();
  const attrs = Node.createAttributeVector(b, keys.map((k) => attribute(b, k, n.attributes.get(k)!)));
  return Node.createNode(b, inputs, outputs, name, opType, 0, attrs, 0);
}

/** The FlatBuffer bytes of a Model (no file identifier, as ESP-PPQ's Builder(0).Finish). */
export function buildFlatbuffer(m: FbModel): Uint8Array {
  const b = new flatbuffers.Builder(1 << 16);
  const nodes = Graph.createNodeVector(b, m.nodes.map((n) => node(b, n)));
  const inits = Graph.createInitializerVector(b, m.initializers.map((t) => tensor(b, t)));
  const inputs = Graph.createInputVector(b, m.inputs.map((v) => valueInfo(b, v)));
  const outputs = Graph.createOutputVector(b, m.outputs.map((v) => valueInfo(b, v)));
  const vis = Graph.createValueInfoVector(b, m.valueInfo.map((v) => valueInfo(b, v)));
  const tin = Graph.createTestInputsValueVector(b, m.testInputs.map((t) => tensor(b, t)));
  const tout = Graph.createTestOutputsValueVector(b, m.testOutputs.map((t) => tensor(b, t)));
  const gname = b.createString(m.graphName);
  const graph = Graph.createGraph(b, nodes, gname, inits, 0, inputs, outputs, vis, 0, tin, tout);
  const meta = Model.createMetadataPropsVector(b, m.metadataProps.map(([k, v]) =>
    StringStringEntry.createStringStringEntry(b, b.createString(k), b.createString(v))));
  const opset = Model.createOpsetImportVector(b, []);
  Model.startModel(b);
  Model.addIrVersion(b, m.irVersion);
  Model.addOpsetImport(b, opset);
  Model.addModelVersion(b, BigInt(m.modelVersion));
  Model.addGraph(b, graph);
  Model.addMetadataProps(b, meta);
  Model.finishModelBuffer(b, Model.endModel(b));
  return b.asUint8Array().slice();
}

