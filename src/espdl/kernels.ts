/**
 * The op types ESP-DL can load: its registered module names (esp-dl/dl/module/include/dl_module_creator.hpp,
 * esp-dl.md §2.1). A node of any other type makes `dl::Model` fail on the device ("Do not support …"), so the
 * exporter refuses it up front, naming the node.
 */
import { UnsupportedError } from '../errors.js';

export const ESPDL_MODULES: ReadonlySet<string> = new Set([
  'Conv', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Resize', 'GlobalAveragePool', 'AveragePool', 'Concat', 'Sigmoid',
  'Tanh', 'Relu', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Gelu', 'LUT', 'Gemm', 'QuantizeLinear', 'DequantizeLinear',
  'RequantizeLinear', 'PRelu', 'Clip', 'Flatten', 'Reshape', 'Transpose', 'Exp', 'Log', 'Sqrt', 'Squeeze', 'Unsqueeze',
  'Softmax', 'LogSoftmax', 'MaxPool', 'Slice', 'Pad', 'MatMul', 'Neg', 'SpaceToDepth', 'Split', 'Gather', 'Elu',
  'Greater', 'GreaterOrEqual', 'Equal', 'Less', 'LessOrEqual', 'ReverseSequence', 'ScatterND', 'Identity', 'Swish',
  'ReduceL1', 'ReduceL2', 'ReduceMin', 'ReduceMax', 'ReduceSum', 'ReduceProd', 'ReduceMean', 'ReduceSumSquare',
  'ReduceLogSum', 'ReduceLogSumExp', 'GRU', 'LSTM', 'DepthToSpace', 'StreamingCache', 'InsertZeros',
  'LayerNormalization', 'LpNormalization', 'RMSNormalization',
]);

/** Throws UnsupportedError naming every node ESP-DL has no kernel for. */
export function assertEspdlKernels(nodes: readonly { name: string; opType: string }[]): void {
  const missing = nodes.filter((n) => !ESPDL_MODULES.has(n.opType));
  if (missing.length === 0) return;
  const list = missing.map((n) => `${n.name} (${n.opType})`).join(', ');
  throw new UnsupportedError(`ESP-DL has no kernel for node(s) ${list}: the .espdl would not load on the chip. ` +
    'Replace these ops in the model (e.g. re-export it from the framework with supported ops) or move them out of the network.');
}
