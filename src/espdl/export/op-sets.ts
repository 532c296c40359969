/** Operator sets of ESP-PPQ's exporter (esp_ppq/parser/espdl/espdl_typedef.py), as data. */

export const ACTIVATION_OP_SET: ReadonlySet<string> = new Set([
  'Relu', 'PRelu', 'Sigmoid', 'Tanh', 'HardSwish', 'HardSigmoid', 'Elu', 'Erf', 'Gelu', 'Clip', 'Cast',
  'LeakyRelu', 'Softplus', 'Identity', 'Swish',
]);
export const MATH_OP_SET: ReadonlySet<string> = new Set([
  'Abs', 'Exp', 'Log', 'Sqrt', 'Cos', 'Sin', 'Tan', 'Not', 'Floor', 'Round', 'Ceil', 'Neg',
]);
export const QUANT_OP_SET: ReadonlySet<string> = new Set([
  'RequantizeLinear', 'QuantizeLinear', 'DequantizeLinear', 'QuantizeFloating', 'DequantizeFloating',
]);
export const PASSIVE_LAYOUT_OP_SET: ReadonlySet<string> = new Set([...ACTIVATION_OP_SET, ...QUANT_OP_SET, ...MATH_OP_SET]);
export const CONV_LAYOUT_OP_SET: ReadonlySet<string> = new Set([
  'Conv', 'GlobalAveragePool', 'AveragePool', 'MaxPool', 'ConvTranspose', 'GlobalMaxPool', 'DepthToSpace',
  'SpaceToDepth', 'InsertZeros',
]);
export const ADD_LIKE_OP_SET: ReadonlySet<string> = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'And', 'Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'Pow',
]);
export const OTHER_OP_SET: ReadonlySet<string> = new Set([
  'MatMul', 'Gemm', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Transpose', 'Slice', 'Pad', 'Concat', 'Constant',
  'Gather', 'GatherElements', 'GatherND', 'Shape', 'ConstantOfShape', 'ReverseSequence', 'Expand', 'LayerNorm',
  'LayerNormalization', 'Max', 'Min', 'ScatterElements', 'ScatterND', 'TopK', 'Where', 'GRU', 'LSTM', 'Sum',
]);
export const SOFTMAX_LIKE_OP_SET: ReadonlySet<string> = new Set(['Softmax', 'LogSoftmax', 'Split']);
export const REDUCE_OP_SET: ReadonlySet<string> = new Set([
  'ReduceL1', 'ReduceL2', 'ReduceMin', 'ReduceMax', 'ReduceProd', 'ReduceSum', 'ReduceMean', 'ReduceSumSquare',
  'ReduceLogSum', 'ReduceLogSumExp',
]);
export const AXIS_TRANSFORM_OP_SET: ReadonlySet<string> = new Set([...SOFTMAX_LIKE_OP_SET, ...REDUCE_OP_SET]);
/** Ops that take no part in quantize/dequantize/requantize insertion. */
export const QUANT_EXCLUDE_OP_SET: ReadonlySet<string> = new Set(['Shape']);
/** ESPDL_CONV_LIKE_FUSED_OPS / _ACTIVATIONS (esp_ppq/core/common.py). */
export const CONV_LIKE_FUSED_OPS: ReadonlySet<string> = new Set(['Conv', 'Gemm', 'MatMul']);
export const CONV_LIKE_FUSED_ACTIVATIONS: ReadonlySet<string> = new Set(['Relu']);
