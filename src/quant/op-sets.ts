/**
 * Operator sets of ESP-PPQ's ESP-DL quantizers (esp_ppq/quantization/quantizer/EspdlQuantizer.py,
 * esp_ppq/core/common.py; esp-ppq.md §3.2). Data only: every pass reads these, none redefines them.
 */

/** Op types ESP-DL quantizes; everything else stays FP32 (`quant_operation_types`). */
export const QUANT_OPERATION_TYPES: ReadonlySet<string> = new Set([
  'Conv', 'ConvTranspose', 'Gemm', 'GRU', 'LSTM', 'Relu', 'PRelu', 'Clip', 'Pad', 'Resize', 'MaxPool', 'AveragePool',
  'GlobalMaxPool', 'GlobalAveragePool', 'Softmax', 'LogSoftmax', 'LpNormalization', 'Mul', 'Add', 'Max', 'Sub', 'Div',
  'Neg', 'Reshape', 'LeakyRelu', 'Concat', 'Sigmoid', 'Interp', 'ReduceL1', 'ReduceL2', 'ReduceMean', 'ReduceMin',
  'ReduceMax', 'ReduceProd', 'ReduceSum', 'ReduceSumSquare', 'ReduceLogSum', 'ReduceLogSumExp', 'Transpose', 'Slice',
  'Flatten', 'HardSwish', 'HardSigmoid', 'MatMul', 'Attention', 'LayerNormalization', 'RMSNormalization', 'Gelu',
  'PPQBiasFusedMatMul', 'Split', 'Gather', 'ScatterND', 'Tanh', 'Elu', 'Greater', 'Less', 'Equal', 'GreaterOrEqual',
  'LessOrEqual', 'ReverseSequence', 'Identity', 'Swish', 'Squeeze', 'Unsqueeze', 'Exp', 'DepthToSpace', 'SpaceToDepth',
  'InsertZeros', 'Mod',
]);

/** Ops whose output shares the input's scale (`PASSIVE_OPERATIONS`). */
export const PASSIVE_OPERATIONS: ReadonlySet<string> = new Set([
  'MaxPool', 'GlobalMaxPool', 'Reshape', 'Flatten', 'Identity', 'Dropout', 'Slice', 'Pad', 'Split', 'Transpose',
  'Interp', 'Squeeze', 'Unsqueeze', 'Gather', 'ReverseSequence', 'ReduceMax', 'ReduceMin',
]);

/** Ops with weights that analysis, fusion and training blocks revolve around (`COMPUTING_OP`). */
export const COMPUTING_OPS: ReadonlySet<string> = new Set([
  'Conv', 'Gemm', 'ConvTranspose', 'MatMul', 'Attention', 'PPQBiasFusedMatMul', 'LSTM',
]);

/** Activations fused into the preceding computing op (`activation_fusion_types`). */
export const ACTIVATION_FUSION_TYPES: ReadonlySet<string> = new Set(['Relu', 'Clip']);

/** QuantAlignmentPass groups (`TYPES_FOR_ALIGNMENT`). */
export const ALIGNMENT_GROUPS = {
  elementwise: new Set(['Add', 'Sub', 'Sum']),
  concat: new Set(['Concat', 'ScatterND']),
  pooling: new Set(['AveragePool', 'GlobalAveragePool']),
  logical: new Set(['Greater', 'Less', 'Equal', 'GreaterOrEqual', 'LessOrEqual']),
  rnn: new Set(['GRU', 'LSTM']),
  resize: new Set(['Resize']),
} as const;
