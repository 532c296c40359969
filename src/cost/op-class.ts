/**
 * The cost classes of the latency model: the op registry's ESP-DL kernel kind (src/ops/registry.ts), with
 * convolutions split by shape (k×k, 1×1/Gemm/MatMul, depthwise; cost-graph.ts decides).
 */
import { opInfo, type EspdlKernelKind } from '../ops/registry.js';

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

/** Convolution-like op types (ESP-DL runs Gemm and MatMul on its 1×1 conv kernel): costed from their shapes. */
export function isConvLike(opType: string): boolean {
  return opInfo(opType).espdlKernel === 'convolution';
}

const BY_KIND: Readonly<Record<Exclude<EspdlKernelKind, 'convolution'>, OpClass>> = {
  elementwise: 'elementwise', lut: 'lut', pool: 'pool', resize: 'resize', copy: 'copy', scalar: 'scalar', view: 'free',
};

/** The class of a non-convolution op type (the op registry's ESP-DL kernel kind), or undefined when not known. */
export function elementOpClass(opType: string): OpClass | undefined {
  const kind = opInfo(opType).espdlKernel;
  return kind && kind !== 'convolution' ? BY_KIND[kind] : undefined;
}
