/** ONNX ModelProto bytes → IR Model. Hand-written decoder over proto-wire.ts; unknown fields are skipped. */
import { EspdlError, InputError, UnsupportedError } from '../errors.js';
import type { Attribute, Dim, Graph, Model, Node, OpsetImport, ValueInfo } from '../ir/graph.js';
import { dataTypeFromCode } from '../ir/tensor.js';
import type { Tensor } from '../ir/tensor.js';
import { GraphCycleError, topologicalSort } from '../ir/topo.js';
import { ATTRIBUTE, ATTRIBUTE_TYPE, DIM, GRAPH, MODEL, NODE, OPSET_ID, SHAPE, TYPE, TYPE_TENSOR, VALUE_INFO } from './fields.js';
import { ProtoError, ProtoReader, WIRE } from './proto-wire.js';
import { readStringEntry, readTensor, type ExternalResolver } from './read-tensor.js';

export type { ExternalResolver } from './read-tensor.js';

export interface DecodeOptions {
  /** Reads external tensor data (a file next to the model). Without it, external tensors are an error. */
  resolveExternal?: ExternalResolver;
  /** What to call the bytes in error messages (a file path); default 'the input'. */
  source?: string;
}

/**
 * Decodes an ONNX model. Tensor data is copied once into aligned typed arrays; everything else is plain
 * objects. Corrupt or truncated bytes throw InputError("<source> is not a valid ONNX model: <reason at byte N>");
 * data types or attribute kinds the IR cannot hold throw UnsupportedError.
 */
export function decodeModel(bytes: Uint8Array, opts: DecodeOptions = {}): Model {
  const source = opts.source ?? 'the input';
  try {
    if (bytes.byteLength === 0) throw new ProtoError('empty file', 0);
    const model = readModel(new ProtoReader(bytes), opts.resolveExternal);
    topologicalSort(model.graph); // an ONNX graph must be acyclic; checked here, where the file comes in
    return model;
  } catch (err) {
    if (err instanceof GraphCycleError) {
      const shown = err.nodes.slice(0, 5).map((n) => `'${n}'`).join(', ') + (err.nodes.length > 5 ? `, … (${err.nodes.length} nodes)` : '');
      throw new InputError(`${source} is not a valid ONNX model: its graph has a cycle through nodes ${shown} (ONNX graphs must be acyclic)`, { cause: err });
    }
    if (err instanceof ProtoError) throw new InputError(`${source} is not a valid ONNX model: ${err.message}`, { cause: err });
    if (err instanceof EspdlError) throw err;
    if (err instanceof RangeError) throw new InputError(`${source} is not a valid ONNX model: ${err.message}`, { cause: err });
    throw err;
  }
}

function readModel(r: ProtoReader, resolve: ExternalResolver | undefined): Model {
  const m: Model = {
    irVersion: 0, opsetImports: [], producerName: '', producerVersion: '', domain: '', modelVersion: 0,
    docString: '', graph: emptyGraph(), metadataProps: [],
  };
  let sawGraph = false;
  while (!r.done) {
    const [field, wire] = r.key();
    switch (field) {
      case MODEL.irVersion: r.expect(wire, WIRE.varint); m.irVersion = r.int64(); break;
      case MODEL.producerName: r.expect(wire, WIRE.len); m.producerName = r.string(); break;
      case MODEL.producerVersion: r.expect(wire, WIRE.len); m.producerVersion = r.string(); break;
      case MODEL.domain: r.expect(wire, WIRE.len); m.domain = r.string(); break;
      case MODEL.modelVersion: r.expect(wire, WIRE.varint); m.modelVersion = r.int64(); break;
      case MODEL.docString: r.expect(wire, WIRE.len); m.docString = r.string(); break;
      case MODEL.graph: r.expect(wire, WIRE.len); m.graph = readGraph(r.message(), resolve); sawGraph = true; break;
      case MODEL.opsetImport: r.expect(wire, WIRE.len); m.opsetImports.push(readOpset(r.message())); break;
      case MODEL.metadataProps: {
        r.expect(wire, WIRE.len);
        const [key, value] = readStringEntry(r.message());
        m.metadataProps.push({ key, value });
        break;
      }
      default: r.skip(wire);
    }
  }
  if (!sawGraph) throw new ProtoError('no graph in the model', r.pos);
  return m;
}

function emptyGraph(): Graph {
  return { name: '', nodes: [], inputs: [], outputs: [], initializers: new Map(), valueInfo: new Map() };
}

function readOpset(r: ProtoReader): OpsetImport {
  const o: OpsetImport = { domain: '', version: 0 };
  while (!r.done) {
    const [field, wire] = r.key();
    if (field === OPSET_ID.domain && wire === WIRE.len) o.domain = r.string();
    else if (field === OPSET_ID.version && wire === WIRE.varint) o.version = r.int64();
    else r.skip(wire);
  }
  return o;
}

/**
 * `nested`: an If/Loop/Scan body, whose inputs and outputs may carry no type (exporters leave them to
 * inference); those are read as float32 with an unknown shape rather than refused.
 */
function readGraph(r: ProtoReader, resolve: ExternalResolver | undefined, nested = false): Graph {
  const g = emptyGraph();
  while (!r.done) {
    const [field, wire] = r.key();
    // Every GraphProto field we read is length-delimited.
    if (wire !== WIRE.len) {
      r.skip(wire);
      continue;
    }
    switch (field) {
      case GRAPH.node: g.nodes.push(readNode(r.message(), resolve)); break;
      case GRAPH.name: g.name = r.string(); break;
      case GRAPH.docString: g.docString = r.string(); break;
      case GRAPH.initializer: {
        const { name, tensor } = readTensor(r.message(), resolve);
        g.initializers.set(name, tensor);
        break;
      }
      case GRAPH.input: g.inputs.push(requireTensorType(readValueInfo(r.message()), 'graph input', nested)); break;
      case GRAPH.output: g.outputs.push(requireTensorType(readValueInfo(r.message()), 'graph output', nested)); break;
      case GRAPH.valueInfo: {
        // Intermediate type hints are optional; non-tensor ones (sequences, maps) are dropped.
        const v = readValueInfo(r.message());
        if (v.dtype) g.valueInfo.set(v.name, { name: v.name, dtype: v.dtype, shape: v.shape });
        break;
      }
      case GRAPH.sparseInitializer: throw new UnsupportedError('the model has sparse initializers, which this tool does not support');
      default: r.skip(wire);
    }
  }
  return g;
}

type MaybeValueInfo = Omit<ValueInfo, 'dtype'> & { dtype: ValueInfo['dtype'] | undefined; elemType: number };

function requireTensorType(v: MaybeValueInfo, what: string, nested = false): ValueInfo {
  if (!v.dtype && nested && v.elemType === 0) return { name: v.name, dtype: 'float32', shape: undefined, untyped: true };
  if (!v.dtype) throw new UnsupportedError(`${what} '${v.name}' is not a tensor of a supported type (ONNX elem_type ${v.elemType})`);
  return { name: v.name, dtype: v.dtype, shape: v.shape };
}

function readValueInfo(r: ProtoReader): MaybeValueInfo {
  const v: MaybeValueInfo = { name: '', dtype: undefined, shape: undefined, elemType: 0 };
  while (!r.done) {
    const [field, wire] = r.key();
    if (field === VALUE_INFO.name && wire === WIRE.len) v.name = r.string();
    else if (field === VALUE_INFO.type && wire === WIRE.len) readType(r.message(), v);
    else r.skip(wire);
  }
  return v;
}

function readType(r: ProtoReader, v: MaybeValueInfo): void {
  while (!r.done) {
    const [field, wire] = r.key();
    if (field !== TYPE.tensorType || wire !== WIRE.len) {
      r.skip(wire);
      continue;
    }
    const t = r.message();
    while (!t.done) {
      const [f, w] = t.key();
      if (f === TYPE_TENSOR.elemType && w === WIRE.varint) {
        v.elemType = t.int32();
        v.dtype = dataTypeFromCode(v.elemType);
      } else if (f === TYPE_TENSOR.shape && w === WIRE.len) v.shape = readShape(t.message());
      else t.skip(w);
    }
  }
}

function readShape(r: ProtoReader): Dim[] {
  const dims: Dim[] = [];
  while (!r.done) {
    const [field, wire] = r.key();
    if (field !== SHAPE.dim || wire !== WIRE.len) {
      r.skip(wire);
      continue;
    }
    const d = r.message();
    let dim: Dim = null;
    while (!d.done) {
      const [f, w] = d.key();
      if (f === DIM.dimValue && w === WIRE.varint) dim = d.int64();
      else if (f === DIM.dimParam && w === WIRE.len) dim = d.string();
      else d.skip(w);
    }
    dims.push(dim);
  }
  return dims;
}

function readNode(r: ProtoReader, resolve: ExternalResolver | undefined): Node {
  const n: Node = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() };
  while (!r.done) {
    const [field, wire] = r.key();
    if (wire !== WIRE.len) {
      r.skip(wire);
      continue;
    }
    switch (field) {
      case NODE.input: n.inputs.push(r.string()); break;
      case NODE.output: n.outputs.push(r.string()); break;
      case NODE.name: n.name = r.string(); break;
      case NODE.opType: n.opType = r.string(); break;
      case NODE.domain: n.domain = r.string(); break;
      case NODE.docString: n.docString = r.string(); break;
      case NODE.attribute: {
        const [name, attr] = readAttribute(r.message(), resolve, n);
        n.attributes.set(name, attr);
        break;
      }
      default: r.skip(wire);
    }
  }
  return n;
}

interface RawAttribute {
  name: string;
  type: number;
  f?: number; i?: number; s?: string; t?: Tensor; g?: Graph;
  floats: number[]; ints: number[]; strings: string[];
  other?: number;
}

function readAttribute(r: ProtoReader, resolve: ExternalResolver | undefined, node: Node): [string, Attribute] {
  const start = r.pos;
  const a: RawAttribute = { name: '', type: 0, floats: [], ints: [], strings: [] };
  while (!r.done) {
    const [field, wire] = r.key();
    switch (field) {
      case ATTRIBUTE.name: r.expect(wire, WIRE.len); a.name = r.string(); break;
      case ATTRIBUTE.type: r.expect(wire, WIRE.varint); a.type = r.int32(); break;
      case ATTRIBUTE.f: r.expect(wire, WIRE.fixed32); a.f = r.float(); break;
      case ATTRIBUTE.i: r.expect(wire, WIRE.varint); a.i = r.int64(); break;
      case ATTRIBUTE.s: r.expect(wire, WIRE.len); a.s = r.string(); break;
      case ATTRIBUTE.t: r.expect(wire, WIRE.len); a.t = readTensor(r.message(), resolve).tensor; break;
      case ATTRIBUTE.g: r.expect(wire, WIRE.len); a.g = readGraph(r.message(), resolve, true); break;
      case ATTRIBUTE.floats: r.repeated(wire, WIRE.fixed32, (s) => a.floats.push(s.float())); break;
      case ATTRIBUTE.ints: r.repeated(wire, WIRE.varint, (s) => a.ints.push(s.int64())); break;
      case ATTRIBUTE.strings: r.expect(wire, WIRE.len); a.strings.push(r.string()); break;
      case ATTRIBUTE.tensors: case ATTRIBUTE.graphs: case ATTRIBUTE.sparseTensor: case ATTRIBUTE.sparseTensors:
      case ATTRIBUTE.tp: case ATTRIBUTE.typeProtos: case ATTRIBUTE.refAttrName:
        a.other = field;
        r.skip(wire);
        break;
      default: r.skip(wire);
    }
  }
  return [a.name, toAttribute(a, node, start)];
}

function toAttribute(a: RawAttribute, node: Node, at: number): Attribute {
  const type = a.type || inferType(a);
  switch (type) {
    case ATTRIBUTE_TYPE.float: return { type: 'float', value: a.f ?? 0 };
    case ATTRIBUTE_TYPE.int: return { type: 'int', value: a.i ?? 0 };
    case ATTRIBUTE_TYPE.string: return { type: 'string', value: a.s ?? '' };
    case ATTRIBUTE_TYPE.floats: return { type: 'floats', value: a.floats };
    case ATTRIBUTE_TYPE.ints: return { type: 'ints', value: a.ints };
    case ATTRIBUTE_TYPE.strings: return { type: 'strings', value: a.strings };
    case ATTRIBUTE_TYPE.tensor:
      if (!a.t) throw new ProtoError(`attribute '${a.name}' of node '${node.name}' has no tensor`, at);
      return { type: 'tensor', value: a.t };
    case ATTRIBUTE_TYPE.graph:
      if (!a.g) throw new ProtoError(`attribute '${a.name}' of node '${node.name}' has no graph`, at);
      return { type: 'graph', value: a.g };
    default:
      throw new UnsupportedError(`node '${node.name}' (${node.opType}): attribute '${a.name}' has a kind (type ${type}) this tool does not support`);
  }
}

/** IR version 1 files have no `type`; infer it from the field that is set. */
function inferType(a: RawAttribute): number {
  if (a.other !== undefined) return -a.other;
  if (a.f !== undefined) return ATTRIBUTE_TYPE.float;
  if (a.i !== undefined) return ATTRIBUTE_TYPE.int;
  if (a.s !== undefined) return ATTRIBUTE_TYPE.string;
  if (a.t) return ATTRIBUTE_TYPE.tensor;
  if (a.g) return ATTRIBUTE_TYPE.graph;
  if (a.floats.length) return ATTRIBUTE_TYPE.floats;
  if (a.ints.length) return ATTRIBUTE_TYPE.ints;
  if (a.strings.length) return ATTRIBUTE_TYPE.strings;
  return ATTRIBUTE_TYPE.ints;
}
