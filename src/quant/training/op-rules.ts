/**
 * Forward+backward rules of the ONNX ops that may occur inside a training block. An op type missing here makes
 * its block ineligible (the caller logs the reason). Registry is data: op type → rule.
 */
import { attrFloat, attrInt, attrInts, type Node } from '../../ir/graph.js';
import { toNumbers, type Tensor } from '../../ir/tensor.js';
import { UnsupportedError } from '../../errors.js';
import { conv2d } from './ops/conv.js';
import { binary, clip, hardSigmoid, hardSwish, relu, sigmoid, swish } from './ops/elementwise.js';
import { gemm, matmul } from './ops/gemm.js';
import { averagePool, globalAveragePool, maxPool, type PoolAttrs } from './ops/pool.js';
import { concat, flattenShape, reshape, reshapeTarget, transpose } from './ops/shape.js';
import type { Tape, Var } from './tape.js';

/** Inputs of one op: a Var per float input (undefined when absent) and the raw constant tensor where known. */
export interface OpArgs {
  readonly vars: readonly (Var | undefined)[];
  readonly consts: readonly (Tensor | undefined)[];
}

export type OpRule = (tape: Tape, node: Node, args: OpArgs) => Var[];

function need(node: Node, args: OpArgs, i: number): Var {
  const v = args.vars[i];
  if (!v) throw new UnsupportedError(`${node.opType} ${node.name}: input ${i} is missing`);
  return v;
}

function noAutoPad(node: Node): void {
  const a = node.attributes.get('auto_pad');
  if (a && a.type === 'string' && a.value !== 'NOTSET') {
    throw new UnsupportedError(`${node.opType} ${node.name}: auto_pad=${a.value} has no training rule (simplify the model first)`);
  }
}

function pair(v: readonly number[], name: string, node: Node): [number, number] {
  if (v.length !== 2) throw new UnsupportedError(`${node.opType} ${node.name}: only 2-D ${name} are supported`);
  return [v[0]!, v[1]!];
}

function pads4(node: Node): [number, number, number, number] {
  const p = attrInts(node, 'pads', [0, 0, 0, 0]);
  return [p[0]!, p[1]!, p[2]!, p[3]!];
}

function poolAttrs(node: Node): PoolAttrs {
  noAutoPad(node);
  return {
    kernel: pair(attrInts(node, 'kernel_shape', []), 'kernels', node),
    strides: pair(attrInts(node, 'strides', [1, 1]), 'strides', node),
    pads: pads4(node),
    dilations: pair(attrInts(node, 'dilations', [1, 1]), 'dilations', node),
    ceilMode: attrInt(node, 'ceil_mode', 0) === 1,
    countIncludePad: attrInt(node, 'count_include_pad', 0) === 1,
  };
}

/** A scalar from a constant input (Clip bounds), or the fallback when absent. */
function constScalar(args: OpArgs, i: number, fallback: number): number {
  const t = args.consts[i];
  if (t) return toNumbers(t)[0]!;
  const v = args.vars[i];
  return v ? v.data[0]! : fallback;
}

export const OP_RULES: Readonly<Record<string, OpRule>> = Object.freeze({
  Conv: (tape, node, args) => {
    noAutoPad(node);
    return [conv2d(tape, need(node, args, 0), need(node, args, 1), args.vars[2], {
      strides: pair(attrInts(node, 'strides', [1, 1]), 'strides', node),
      pads: pads4(node),
      dilations: pair(attrInts(node, 'dilations', [1, 1]), 'dilations', node),
      group: attrInt(node, 'group', 1),
    })];
  },
  Gemm: (tape, node, args) => [gemm(tape, need(node, args, 0), need(node, args, 1), args.vars[2], {
    transA: attrInt(node, 'transA', 0) === 1, transB: attrInt(node, 'transB', 0) === 1,
    alpha: attrFloat(node, 'alpha', 1), beta: attrFloat(node, 'beta', 1),
  })],
  MatMul: (tape, node, args) => [matmul(tape, need(node, args, 0), need(node, args, 1))],
  Add: (tape, node, args) => [binary(tape, 'Add', need(node, args, 0), need(node, args, 1))],
  Sub: (tape, node, args) => [binary(tape, 'Sub', need(node, args, 0), need(node, args, 1))],
  Mul: (tape, node, args) => [binary(tape, 'Mul', need(node, args, 0), need(node, args, 1))],
  Relu: (tape, node, args) => [relu(tape, need(node, args, 0))],
  Clip: (tape, node, args) => [clip(tape, need(node, args, 0),
    node.inputs.length > 1 ? constScalar(args, 1, -Infinity) : attrFloat(node, 'min', -Infinity),
    node.inputs.length > 2 ? constScalar(args, 2, Infinity) : attrFloat(node, 'max', Infinity))],
  Sigmoid: (tape, node, args) => [sigmoid(tape, need(node, args, 0))],
  HardSigmoid: (tape, node, args) => [hardSigmoid(tape, need(node, args, 0), attrFloat(node, 'alpha', 0.2), attrFloat(node, 'beta', 0.5))],
  HardSwish: (tape, node, args) => [hardSwish(tape, need(node, args, 0))],
  Swish: (tape, node, args) => [swish(tape, need(node, args, 0), attrFloat(node, 'alpha', 1))],
  MaxPool: (tape, node, args) => {
    if (node.outputs.length > 1 && node.outputs[1]) throw new UnsupportedError(`MaxPool ${node.name}: Indices output has no training rule`);
    return [maxPool(tape, need(node, args, 0), poolAttrs(node))];
  },
  AveragePool: (tape, node, args) => [averagePool(tape, need(node, args, 0), poolAttrs(node))],
  GlobalAveragePool: (tape, node, args) => [globalAveragePool(tape, need(node, args, 0))],
  Concat: (tape, node, args) => [concat(tape, args.vars.map((_, i) => need(node, args, i)), attrInt(node, 'axis', 0))],
  Reshape: (tape, node, args) => {
    const x = need(node, args, 0), spec = args.consts[1];
    if (!spec) throw new UnsupportedError(`Reshape ${node.name}: shape is not a constant`);
    return [reshape(tape, x, reshapeTarget(x.shape, toNumbers(spec), attrInt(node, 'allowzero', 0) === 1))];
  },
  Flatten: (tape, node, args) => {
    const x = need(node, args, 0);
    return [reshape(tape, x, flattenShape(x.shape, attrInt(node, 'axis', 1)))];
  },
  Transpose: (tape, node, args) => {
    const x = need(node, args, 0);
    return [transpose(tape, x, attrInts(node, 'perm', x.shape.map((_, i) => x.shape.length - 1 - i)))];
  },
  Identity: (_tape, node, args) => [need(node, args, 0)],
});
