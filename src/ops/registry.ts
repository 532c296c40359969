/**
 * The op registry: what each op type is to ESP-PPQ's quantizer and exporter and to ESP-DL, one descriptor per
 * type. Every pass asks `opInfo(type)` instead of keeping its own list of op types.
 *
 * The descriptors are built from ESP-PPQ's and ESP-DL's own dispatch tables, kept below as data in the shape
 * they have upstream (so each can be held against its source line by line): the tables ARE the parity contract,
 * the descriptor is how the rest of the code reads them. Source: ESP-PPQ de6381b (docs/esp-ppq.md §3.2, §3.6, §5.4),
 * ESP-DL v3.3.9 (docs/esp-dl.md §2.1).
 */
import type { Node } from '../ir/graph.js';

/** QuantAlignmentPass groups (esp_ppq/quantization/optim/refine.py TYPES_FOR_ALIGNMENT). */
export type AlignmentGroup = 'elementwise' | 'concat' | 'pooling' | 'logical' | 'rnn' | 'resize';

/**
 * The exporter's activation-layout pattern (esp_ppq/parser/espdl/layout_patterns.py reset_graph_layout), in the
 * order ESP-PPQ tries them: the first table an op is in decides.
 */
export type LayoutClass = 'conv' | 'passive' | 'add-like' | 'axis-transform' | 'concat' | 'resize' | 'other';

/** The exporter's op families (esp_ppq/parser/espdl/espdl_typedef.py): LUTs and Transpose fusion read them. */
export type ExportFamily = 'activation' | 'math' | 'quant';

/**
 * The kind of ESP-DL kernel that runs a module (dl/base/dl_base_*.cpp, dl/module/include/dl_module_*.hpp of
 * v3.3.9), the cost rule the latency model applies (src/cost/): convolutions are costed from their shapes,
 * the other kinds per output element, vectorised (PIE loops, LUT gathers, memcpy) or scalar (plain C, float);
 * views move no data.
 */
export type EspdlKernelKind = 'convolution' | 'elementwise' | 'lut' | 'pool' | 'resize' | 'copy' | 'scalar' | 'view';

export interface OpDescriptor {
  readonly type: string;
  /** ESP-DL quantizes it; any other op stays FP32 (EspdlQuantizer `quant_operation_types`). */
  readonly quantizable: boolean;
  /** Its output shares its input's scale (esp_ppq/core/common.py PASSIVE_OPERATIONS). */
  readonly passive: boolean;
  /** An op with weights that fusion, analysis and training blocks revolve around (common.py COMPUTING_OP). */
  readonly computing: boolean;
  /**
   * Weight at input 1 (per-channel on P4) and a passive bias at input 2 (EspdlQuantizer.init_quantize_config,
   * PassiveParameterQuantizePass; the same three types GraphMerger.fuse_bias_add / fuse_bn fold into).
   */
  readonly weightAndBias: boolean;
  /** Input slots whose values are never quantized: shapes, indices, axes (esp_ppq/IR/opdef.py sockets, SOI). */
  readonly nonQuantInputs: readonly number[] | 'allButFirst';
  /** Float output config (EspdlQuantizer: Softmax/LogSoftmax outputs stay FP32). */
  readonly floatOutput: boolean;
  /** The Relu/Clip activation types QuantizeFusionPass fuses (`activation_type={"Relu","Clip"}`). */
  readonly fusableActivation: boolean;
  /** A following Relu is fused into it (common.py ESPDL_CONV_LIKE_FUSED_OPS; refine.py fuse_relu_clip promotes it). */
  readonly convLikeFused: boolean;
  /** It is fused into a preceding conv-like op (common.py ESPDL_CONV_LIKE_FUSED_ACTIVATIONS). */
  readonly convLikeFusedActivation: boolean;
  readonly alignment: AlignmentGroup | undefined;
  /** undefined: ESP-PPQ has no layout pattern for it (the exporter warns). */
  readonly layout: LayoutClass | undefined;
  readonly exportFamily: ExportFamily | undefined;
  /** Softmax-like (axis attribute) or Reduce (axes input) within the axis-transform layout class. */
  readonly axisKind: 'softmax-like' | 'reduce' | undefined;
  /** Takes no part in Quantize/Requantize/Dequantize insertion (the exporter's QUANT_EXCLUDE_OP_SET). */
  readonly quantExcluded: boolean;
  /** The exporter checks output − input0 − input1 exponent ≥ 0 (ESP-DL requantizes with a right shift; docs/esp-ppq.md §3.7). */
  readonly requantShiftChecked: boolean;
  /** LayerwiseEqualizationPass can rescale it (equalization.py EQUALIZATION_OPERATION_TYPE). */
  readonly equalizable: boolean;
  /** The lowest equalization optimize level at which a pair may be connected through it (OPTIMIZATION_LAYERTYPE_CONFIG); undefined: never. */
  readonly equalizationCrossableFrom: 1 | 2 | undefined;
  /** HorizontalLayerSplitPass accepts it (morph.py). */
  readonly splittable: boolean;
  /**
   * ESP-DL registers a module for it (esp-dl/dl/module/include/dl_module_creator.hpp). That file has no
   * per-chip branch in v3.3.9: a kernel exists on every target or on none.
   */
  readonly espdlModule: boolean;
  /** Element type of its first output when it does not follow the inputs (ONNX operator specs). */
  readonly outputType: 'int64' | 'bool' | undefined;
  /** The ESP-DL kernel kind that runs it; undefined when ESP-DL's kernel for it is not known here. */
  readonly espdlKernel: EspdlKernelKind | undefined;
  /**
   * ESP-DL creates the module in place (`MODULE_INPLACE_CHANGED_BUFFER`: it may overwrite its input's buffer;
   * `MODULE_INPLACE_UNCHANGED_BUFFER`: a view of it), which its memory planner uses.
   */
  readonly espdlInplace: 'changed' | 'unchanged' | undefined;
}

// ---------------------------------------------------------------------------------------------------------
// ESP-PPQ's quantizer tables (esp_ppq/quantization/quantizer/EspdlQuantizer.py, esp_ppq/core/common.py).

/** EspdlQuantizer `quant_operation_types`. */
const QUANT_OPERATION_TYPES = [
  'Conv', 'ConvTranspose', 'Gemm', 'GRU', 'LSTM', 'Relu', 'PRelu', 'Clip', 'Pad', 'Resize', 'MaxPool', 'AveragePool',
  'GlobalMaxPool', 'GlobalAveragePool', 'Softmax', 'LogSoftmax', 'LpNormalization', 'Mul', 'Add', 'Max', 'Sub', 'Div',
  'Neg', 'Reshape', 'LeakyRelu', 'Concat', 'Sigmoid', 'Interp', 'ReduceL1', 'ReduceL2', 'ReduceMean', 'ReduceMin',
  'ReduceMax', 'ReduceProd', 'ReduceSum', 'ReduceSumSquare', 'ReduceLogSum', 'ReduceLogSumExp', 'Transpose', 'Slice',
  'Flatten', 'HardSwish', 'HardSigmoid', 'MatMul', 'Attention', 'LayerNormalization', 'RMSNormalization', 'Gelu',
  'PPQBiasFusedMatMul', 'Split', 'Gather', 'ScatterND', 'Tanh', 'Elu', 'Greater', 'Less', 'Equal', 'GreaterOrEqual',
  'LessOrEqual', 'ReverseSequence', 'Identity', 'Swish', 'Squeeze', 'Unsqueeze', 'Exp', 'DepthToSpace', 'SpaceToDepth',
  'InsertZeros', 'Mod',
] as const;

/** common.py PASSIVE_OPERATIONS. */
const PASSIVE_OPERATIONS = [
  'MaxPool', 'GlobalMaxPool', 'Reshape', 'Flatten', 'Identity', 'Dropout', 'Slice', 'Pad', 'Split', 'Transpose',
  'Interp', 'Squeeze', 'Unsqueeze', 'Gather', 'ReverseSequence', 'ReduceMax', 'ReduceMin',
] as const;

/** common.py COMPUTING_OP. */
const COMPUTING_OP = ['Conv', 'Gemm', 'ConvTranspose', 'MatMul', 'Attention', 'PPQBiasFusedMatMul', 'LSTM'] as const;

/** Types with a weight at input 1 and a bias at input 2 (EspdlQuantizer.init_quantize_config). */
const WEIGHT_AND_BIAS = ['Conv', 'ConvTranspose', 'Gemm'] as const;

/** EspdlQuantizer: outputs left in float. */
const FLOAT_OUTPUT = ['Softmax', 'LogSoftmax'] as const;

/** QuantizeFusionPass `activation_type` for ESP-DL. */
const ACTIVATION_FUSION_TYPES = ['Relu', 'Clip'] as const;

/** common.py ESPDL_CONV_LIKE_FUSED_OPS / ESPDL_CONV_LIKE_FUSED_ACTIVATIONS. */
const CONV_LIKE_FUSED_OPS = ['Conv', 'Gemm', 'MatMul'] as const;
const CONV_LIKE_FUSED_ACTIVATIONS = ['Relu'] as const;

/** refine.py TYPES_FOR_ALIGNMENT. */
const TYPES_FOR_ALIGNMENT: Readonly<Record<AlignmentGroup, readonly string[]>> = {
  elementwise: ['Add', 'Sub', 'Sum'],
  concat: ['Concat', 'ScatterND'],
  pooling: ['AveragePool', 'GlobalAveragePool'],
  logical: ['Greater', 'Less', 'Equal', 'GreaterOrEqual', 'LessOrEqual'],
  rnn: ['GRU', 'LSTM'],
  resize: ['Resize'],
};

/** esp_ppq/IR/opdef.py: input sockets of category SOI (never quantized). Everything not listed is quantizable. */
const NON_QUANT_INPUTS: Readonly<Record<string, readonly number[] | 'allButFirst'>> = {
  Reshape: [1],
  Slice: 'allButFirst',
  Gather: 'allButFirst',
  GatherElements: [1],
  GatherND: [1],
  Pad: [1, 3],
  Resize: [1, 2, 3],
  Interp: [1, 2, 3],
  Split: [1],
  Squeeze: [1],
  Unsqueeze: [1],
  Tile: [1, 2],
  Expand: [1],
  TopK: [1],
  ReduceL1: [1], ReduceL2: [1], ReduceMean: [1], ReduceMin: [1], ReduceMax: [1], ReduceProd: [1],
  ReduceSum: [1], ReduceSumSquare: [1], ReduceLogSum: [1], ReduceLogSumExp: [1],
  ScatterND: [1],
  ReverseSequence: [1],
  ConstantOfShape: [0],
};

/** equalization.py EQUALIZATION_OPERATION_TYPE (MatMul is not one). */
const EQUALIZATION_OPERATION_TYPE = ['Conv', 'Gemm', 'ConvTranspose'] as const;

/** equalization.py OPTIMIZATION_LAYERTYPE_CONFIG: ops a pair may be connected through, per level. Clip never is. */
const OPTIMIZATION_LAYERTYPE_CONFIG = {
  1: ['Relu', 'MaxPool', 'GlobalMaxPool', 'PRelu', 'AveragePool', 'GlobalAveragePool', 'LeakyRelu', 'Identity'],
  2: ['Relu', 'MaxPool', 'GlobalMaxPool', 'Add', 'Sub', 'PRelu', 'AveragePool', 'GlobalAveragePool', 'LeakyRelu', 'Identity'],
} as const;

/** morph.py HorizontalLayerSplitPass: the types it accepts. */
const SPLITTABLE = ['Gemm', 'MatMul', 'Conv', 'ConvTranspose'] as const;

// ---------------------------------------------------------------------------------------------------------
// ESP-PPQ's exporter tables (esp_ppq/parser/espdl/espdl_typedef.py).

const ACTIVATION_OP_SET = [
  'Relu', 'PRelu', 'Sigmoid', 'Tanh', 'HardSwish', 'HardSigmoid', 'Elu', 'Erf', 'Gelu', 'Clip', 'Cast',
  'LeakyRelu', 'Softplus', 'Identity', 'Swish',
] as const;
const MATH_OP_SET = ['Abs', 'Exp', 'Log', 'Sqrt', 'Cos', 'Sin', 'Tan', 'Not', 'Floor', 'Round', 'Ceil', 'Neg'] as const;
const QUANT_OP_SET = ['RequantizeLinear', 'QuantizeLinear', 'DequantizeLinear', 'QuantizeFloating', 'DequantizeFloating'] as const;
const CONV_LAYOUT_OP_SET = [
  'Conv', 'GlobalAveragePool', 'AveragePool', 'MaxPool', 'ConvTranspose', 'GlobalMaxPool', 'DepthToSpace',
  'SpaceToDepth', 'InsertZeros',
] as const;
const ADD_LIKE_OP_SET = [
  'Add', 'Sub', 'Mul', 'Div', 'And', 'Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'Pow',
] as const;
const OTHER_OP_SET = [
  'MatMul', 'Gemm', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Transpose', 'Slice', 'Pad', 'Concat', 'Constant',
  'Gather', 'GatherElements', 'GatherND', 'Shape', 'ConstantOfShape', 'ReverseSequence', 'Expand', 'LayerNorm',
  'LayerNormalization', 'RMSNormalization', 'Max', 'Min', 'ScatterElements', 'ScatterND', 'TopK', 'Where', 'GRU',
  'LSTM', 'Sum',
] as const;
const SOFTMAX_LIKE_OP_SET = ['Softmax', 'LogSoftmax', 'Split'] as const;
const REDUCE_OP_SET = [
  'ReduceL1', 'ReduceL2', 'ReduceMin', 'ReduceMax', 'ReduceProd', 'ReduceSum', 'ReduceMean', 'ReduceSumSquare',
  'ReduceLogSum', 'ReduceLogSumExp',
] as const;
const QUANT_EXCLUDE_OP_SET = ['Shape'] as const;
/** espdl_exporter.py: the ops whose requantization shift it checks. */
const REQUANT_SHIFT_CHECKED = ['Conv', 'Gemm', 'MatMul', 'Mul'] as const;

/**
 * reset_graph_layout's patterns in the order it matches them (PASSIVE_LAYOUT_OP_SET = activation ∪ quant ∪ math;
 * AXIS_TRANSFORM_OP_SET = softmax-like ∪ reduce; Concat and Resize have patterns of their own).
 */
const LAYOUT_PATTERNS: readonly [LayoutClass, readonly string[]][] = [
  ['conv', CONV_LAYOUT_OP_SET],
  ['passive', [...ACTIVATION_OP_SET, ...QUANT_OP_SET, ...MATH_OP_SET]],
  ['add-like', ADD_LIKE_OP_SET],
  ['axis-transform', [...SOFTMAX_LIKE_OP_SET, ...REDUCE_OP_SET]],
  ['concat', ['Concat']],
  ['resize', ['Resize']],
  ['other', OTHER_OP_SET],
];

// ---------------------------------------------------------------------------------------------------------
// ESP-DL (esp-dl/dl/module/include/dl_module_creator.hpp, v3.3.9): the module names `dl::Model` can load.

const ESPDL_MODULES = [
  'Conv', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Resize', 'GlobalAveragePool', 'AveragePool', 'Concat', 'Sigmoid',
  'Tanh', 'Relu', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Gelu', 'LUT', 'Gemm', 'QuantizeLinear', 'DequantizeLinear',
  'RequantizeLinear', 'PRelu', 'Clip', 'Flatten', 'Reshape', 'Transpose', 'Exp', 'Log', 'Sqrt', 'Squeeze', 'Unsqueeze',
  'Softmax', 'LogSoftmax', 'MaxPool', 'Slice', 'Pad', 'MatMul', 'Neg', 'SpaceToDepth', 'Split', 'Gather', 'Elu',
  'Greater', 'GreaterOrEqual', 'Equal', 'Less', 'LessOrEqual', 'ReverseSequence', 'ScatterND', 'Identity', 'Swish',
  'ReduceL1', 'ReduceL2', 'ReduceMin', 'ReduceMax', 'ReduceSum', 'ReduceProd', 'ReduceMean', 'ReduceSumSquare',
  'ReduceLogSum', 'ReduceLogSumExp', 'GRU', 'LSTM', 'DepthToSpace', 'StreamingCache', 'InsertZeros',
  'LayerNormalization', 'LpNormalization', 'RMSNormalization',
] as const;

/**
 * What runs each module (dl/base, dl/module of v3.3.9). Relu/Clip/PRelu/LeakyRelu and comparisons are SIMD
 * loops; int8 activations are 256-entry tables whatever the function (LUT); TensorBase::transpose walks every
 * element with index arithmetic in C; Softmax and the normalisations compute in float.
 */
const ESPDL_KERNELS: Readonly<Record<EspdlKernelKind, readonly string[]>> = {
  convolution: ['Conv', 'Gemm', 'MatMul'],
  elementwise: [
    'Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Mod', 'Pow', 'Neg', 'Relu', 'Clip', 'LeakyRelu', 'PRelu', 'Equal', 'Greater',
    'GreaterOrEqual', 'Less', 'LessOrEqual', 'And', 'Or', 'Xor', 'Not',
  ],
  lut: ['LUT', 'Sigmoid', 'Tanh', 'Swish', 'Gelu', 'HardSigmoid', 'HardSwish', 'Elu', 'Exp', 'Log', 'Sqrt', 'Erf', 'Softplus'],
  pool: [
    'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSum',
    'ReduceL1', 'ReduceL2', 'ReduceProd', 'ReduceSumSquare', 'ReduceLogSum', 'ReduceLogSumExp',
  ],
  resize: ['Resize', 'InsertZeros', 'Pad', 'DepthToSpace', 'SpaceToDepth'],
  copy: [
    'RequantizeLinear', 'QuantizeLinear', 'DequantizeLinear', 'Concat', 'Split', 'Slice', 'Gather', 'StreamingCache',
    'ReverseSequence', 'ScatterND', 'Expand', 'Tile',
  ],
  scalar: ['Transpose', 'Softmax', 'LogSoftmax', 'LayerNormalization', 'RMSNormalization', 'LpNormalization', 'GRU', 'LSTM'],
  view: ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout'],
};

/** Modules each deserialize() creates with MODULE_INPLACE_CHANGED_BUFFER / MODULE_INPLACE_UNCHANGED_BUFFER. */
const ESPDL_INPLACE_CHANGED = [
  'Add', 'And', 'Clip', 'Elu', 'Equal', 'Exp', 'Greater', 'GreaterOrEqual', 'HardSigmoid', 'HardSwish', 'LayerNormalization',
  'LeakyRelu', 'Less', 'LessOrEqual', 'Log', 'LpNormalization', 'LUT', 'Max', 'Min', 'Mod', 'Neg', 'Not', 'Or', 'PRelu',
  'Relu', 'RequantizeLinear', 'ReverseSequence', 'RMSNormalization', 'ScatterND', 'Sigmoid', 'Sqrt', 'Swish', 'Tanh',
  'Xor', 'Gelu', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin',
  'ReduceProd', 'ReduceSum', 'ReduceSumSquare',
] as const;
const ESPDL_INPLACE_UNCHANGED = ['Flatten', 'Identity', 'Reshape', 'Squeeze', 'Unsqueeze'] as const;

// ---------------------------------------------------------------------------------------------------------
// ONNX operator specs: ops whose output type does not follow their inputs.

const INT64_OUTPUT = ['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero', 'NonMaxSuppression'] as const;
const BOOL_OUTPUT = ['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf'] as const;

// ---------------------------------------------------------------------------------------------------------

const has = (list: readonly string[], type: string): boolean => list.includes(type);

function describe(type: string): OpDescriptor {
  const alignment = (Object.keys(TYPES_FOR_ALIGNMENT) as AlignmentGroup[]).find((k) => has(TYPES_FOR_ALIGNMENT[k], type));
  const layout = LAYOUT_PATTERNS.find(([, list]) => has(list, type))?.[0];
  const exportFamily: ExportFamily | undefined = has(ACTIVATION_OP_SET, type) ? 'activation'
    : has(MATH_OP_SET, type) ? 'math' : has(QUANT_OP_SET, type) ? 'quant' : undefined;
  return {
    type,
    quantizable: has(QUANT_OPERATION_TYPES, type),
    passive: has(PASSIVE_OPERATIONS, type),
    computing: has(COMPUTING_OP, type),
    weightAndBias: has(WEIGHT_AND_BIAS, type),
    nonQuantInputs: NON_QUANT_INPUTS[type] ?? [],
    floatOutput: has(FLOAT_OUTPUT, type),
    fusableActivation: has(ACTIVATION_FUSION_TYPES, type),
    convLikeFused: has(CONV_LIKE_FUSED_OPS, type),
    convLikeFusedActivation: has(CONV_LIKE_FUSED_ACTIVATIONS, type),
    alignment,
    layout,
    exportFamily,
    axisKind: has(SOFTMAX_LIKE_OP_SET, type) ? 'softmax-like' : has(REDUCE_OP_SET, type) ? 'reduce' : undefined,
    quantExcluded: has(QUANT_EXCLUDE_OP_SET, type),
    requantShiftChecked: has(REQUANT_SHIFT_CHECKED, type),
    equalizable: has(EQUALIZATION_OPERATION_TYPE, type),
    equalizationCrossableFrom: has(OPTIMIZATION_LAYERTYPE_CONFIG[1], type) ? 1 : has(OPTIMIZATION_LAYERTYPE_CONFIG[2], type) ? 2 : undefined,
    splittable: has(SPLITTABLE, type),
    espdlModule: has(ESPDL_MODULES, type),
    outputType: has(INT64_OUTPUT, type) ? 'int64' : has(BOOL_OUTPUT, type) ? 'bool' : undefined,
    espdlKernel: (Object.keys(ESPDL_KERNELS) as EspdlKernelKind[]).find((k) => has(ESPDL_KERNELS[k], type)),
    espdlInplace: has(ESPDL_INPLACE_CHANGED, type) ? 'changed' : has(ESPDL_INPLACE_UNCHANGED, type) ? 'unchanged' : undefined,
  };
}

/** Every op type some table names (the registry's keys). */
const KNOWN_TYPES: readonly string[] = [...new Set([
  ...QUANT_OPERATION_TYPES, ...PASSIVE_OPERATIONS, ...COMPUTING_OP, ...WEIGHT_AND_BIAS, ...FLOAT_OUTPUT,
  ...ACTIVATION_FUSION_TYPES, ...CONV_LIKE_FUSED_OPS, ...CONV_LIKE_FUSED_ACTIVATIONS, ...Object.values(TYPES_FOR_ALIGNMENT).flat(),
  ...Object.keys(NON_QUANT_INPUTS), ...EQUALIZATION_OPERATION_TYPE, ...OPTIMIZATION_LAYERTYPE_CONFIG[2], ...SPLITTABLE,
  ...LAYOUT_PATTERNS.flatMap(([, list]) => list), ...QUANT_EXCLUDE_OP_SET, ...REQUANT_SHIFT_CHECKED, ...ESPDL_MODULES, ...INT64_OUTPUT, ...BOOL_OUTPUT,
  ...Object.values(ESPDL_KERNELS).flat(), ...ESPDL_INPLACE_CHANGED, ...ESPDL_INPLACE_UNCHANGED,
])].sort();

/** The registry: one frozen descriptor per op type any table names. */
export const OP_REGISTRY: ReadonlyMap<string, OpDescriptor> = new Map(KNOWN_TYPES.map((t) => [t, Object.freeze(describe(t))]));

/** The descriptor of an op type; a type no table names gets the descriptor of "nothing special" (FP32, no kernel). */
export function opInfo(type: string): OpDescriptor {
  return OP_REGISTRY.get(type) ?? describe(type);
}

/** True when input slot `index` of an op of `type` carries a quantizable value or parameter. */
export function isQuantizableInput(type: string, index: number): boolean {
  const rule = opInfo(type).nonQuantInputs;
  if (rule === 'allButFirst') return index === 0;
  return !rule.includes(index);
}

/** Channel axis of the weight (input 1) of a weight-and-bias op: Conv 0, ConvTranspose 1, Gemm 0 if transB else 1 (docs/esp-ppq.md §3.2). */
export function weightChannelAxis(node: Node): number {
  if (node.opType === 'ConvTranspose') return 1;
  if (node.opType === 'Gemm') {
    const t = node.attributes.get('transB');
    return t && t.type === 'int' && t.value !== 0 ? 0 : 1;
  }
  return 0;
}
