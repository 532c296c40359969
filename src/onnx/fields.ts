/**
 * Field numbers of the onnx.proto messages we read and write (onnx/onnx, onnx/onnx.proto, IR version 10).
 * Reader and writer both use these tables so they cannot disagree.
 */

export const MODEL = {
  irVersion: 1, producerName: 2, producerVersion: 3, domain: 4, modelVersion: 5, docString: 6,
  graph: 7, opsetImport: 8, metadataProps: 14,
} as const;

export const OPSET_ID = { domain: 1, version: 2 } as const;

export const STRING_ENTRY = { key: 1, value: 2 } as const;

export const GRAPH = {
  node: 1, name: 2, initializer: 5, docString: 10, input: 11, output: 12, valueInfo: 13, sparseInitializer: 15,
} as const;

export const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, docString: 6, domain: 7 } as const;

export const ATTRIBUTE = {
  name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, floats: 7, ints: 8, strings: 9, tensors: 10, graphs: 11,
  docString: 13, tp: 14, typeProtos: 15, type: 20, refAttrName: 21, sparseTensor: 22, sparseTensors: 23,
} as const;

/** AttributeProto.AttributeType codes. */
export const ATTRIBUTE_TYPE = {
  float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7, strings: 8,
  tensors: 9, graphs: 10, sparseTensor: 11, sparseTensors: 12, typeProto: 13, typeProtos: 14,
} as const;

export const TENSOR = {
  dims: 1, dataType: 2, segment: 3, floatData: 4, int32Data: 5, stringData: 6, int64Data: 7, name: 8,
  rawData: 9, doubleData: 10, uint64Data: 11, docString: 12, externalData: 13, dataLocation: 14,
} as const;

/** TensorProto.DataLocation.EXTERNAL */
export const DATA_LOCATION_EXTERNAL = 1;

export const VALUE_INFO = { name: 1, type: 2, docString: 3 } as const;

export const TYPE = { tensorType: 1, sequenceType: 4, mapType: 5, denotation: 6, sparseTensorType: 8, optionalType: 9 } as const;

export const TYPE_TENSOR = { elemType: 1, shape: 2 } as const;

export const SHAPE = { dim: 1 } as const;

export const DIM = { dimValue: 1, dimParam: 2, denotation: 3 } as const;
