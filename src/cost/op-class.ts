/**
 * The cost class of each ESP-DL operator: which kind of kernel runs it (dl/base/dl_base_*.cpp and
 * dl/module/include/dl_module_*.hpp of ESP-DL v3.3.9). Convolution-like ops are costed from their shapes
 * (cost-graph.ts); every other class is costed per output element, vectorised (PIE SIMD loops, LUT gathers,
 * memcpy) or scalar (plain C or float code: generic transposes, softmax, normalisations, recurrent cells).
 */

export type OpClass =
  | 'conv' // regular k×k convolution (k > 1)
  | 'conv1x1' // 1×1 convolution, Gemm, MatMul (all run the 1×1 conv kernel)
  | 'depthwise'
  | 'elementwise'
  | 'lut' // int8 activations run as a 256-entry table lookup whatever the function
  | 'pool'
  | 'resize'
  | 'copy' // requantize, transpose, concat/split/slice, layout moves
  | 'scalar' // float or plain C per element
  | 'free'; // views ESP-DL runs in place (no data moved)

export const OP_CLASSES: readonly OpClass[] = ['conv', 'conv1x1', 'depthwise', 'elementwise', 'lut', 'pool', 'resize', 'copy', 'scalar', 'free'];

/** What a user reads in the breakdown. */
export const OP_CLASS_TITLES: Readonly<Record<OpClass, string>> = {
  conv: 'k×k conv',
  conv1x1: '1×1 conv/Gemm/MatMul',
  depthwise: 'depthwise conv',
  elementwise: 'elementwise',
  lut: 'activation LUT',
  pool: 'pooling/reduce',
  resize: 'resize/pad',
  copy: 'requantize/transpose/copy',
  scalar: 'scalar (float/C)',
  free: 'in-place views',
};

const BY_TYPE: ReadonlyMap<string, OpClass> = new Map(Object.entries({
  Add: 'elementwise', Sub: 'elementwise', Mul: 'elementwise', Div: 'elementwise', Max: 'elementwise', Min: 'elementwise',
  Mod: 'elementwise', Pow: 'elementwise', Neg: 'elementwise', Relu: 'elementwise', Clip: 'elementwise',
  LeakyRelu: 'elementwise', PRelu: 'elementwise', Equal: 'elementwise', Greater: 'elementwise',
  GreaterOrEqual: 'elementwise', Less: 'elementwise', LessOrEqual: 'elementwise', And: 'elementwise', Or: 'elementwise',
  Xor: 'elementwise', Not: 'elementwise',
  LUT: 'lut', Sigmoid: 'lut', Tanh: 'lut', Swish: 'lut', Gelu: 'lut', HardSigmoid: 'lut', HardSwish: 'lut', Elu: 'lut',
  Exp: 'lut', Log: 'lut', Sqrt: 'lut', Erf: 'lut', Softplus: 'lut',
  MaxPool: 'pool', AveragePool: 'pool', GlobalAveragePool: 'pool', GlobalMaxPool: 'pool', ReduceMean: 'pool',
  ReduceMax: 'pool', ReduceMin: 'pool', ReduceSum: 'pool', ReduceL1: 'pool', ReduceL2: 'pool', ReduceProd: 'pool',
  ReduceSumSquare: 'pool', ReduceLogSum: 'pool', ReduceLogSumExp: 'pool',
  Resize: 'resize', InsertZeros: 'resize', Pad: 'resize', DepthToSpace: 'resize', SpaceToDepth: 'resize',
  RequantizeLinear: 'copy', QuantizeLinear: 'copy', DequantizeLinear: 'copy', Concat: 'copy', Split: 'copy',
  Slice: 'copy', Gather: 'copy', StreamingCache: 'copy', ReverseSequence: 'copy', ScatterND: 'copy', Expand: 'copy', Tile: 'copy',
  // ESP-DL's TensorBase::transpose walks every element with index arithmetic in C.
  Transpose: 'scalar', Softmax: 'scalar', LogSoftmax: 'scalar', LayerNormalization: 'scalar', RMSNormalization: 'scalar',
  LpNormalization: 'scalar', GRU: 'scalar', LSTM: 'scalar',
  Reshape: 'free', Flatten: 'free', Squeeze: 'free', Unsqueeze: 'free', Identity: 'free', Dropout: 'free',
})) as ReadonlyMap<string, OpClass>;

/** Convolution-like op types: costed from their shapes rather than per element. */
export const CONV_LIKE: ReadonlySet<string> = new Set(['Conv', 'Gemm', 'MatMul']);

/** The class of a non-convolution op type, or undefined when ESP-DL's kernel for it is not known here. */
export function elementOpClass(opType: string): OpClass | undefined {
  return BY_TYPE.get(opType);
}
