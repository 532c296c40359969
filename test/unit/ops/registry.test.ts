/**
 * The op registry read back as ESP-PPQ's own tables: the expected lists are ESP-PPQ's (docs/esp-ppq.md §3.2, quoting
 * esp_ppq/quantization/quantizer/EspdlQuantizer.py and esp_ppq/core/common.py at de6381b), so a descriptor that
 * drifts from the dispatch tables fails here and not only in the parity suites.
 */
import { describe, expect, it } from 'vitest';
import type { Node } from '../../../src/ir/graph.js';
import { isQuantizableInput, OP_REGISTRY, opInfo, weightChannelAxis } from '../../../src/ops/registry.js';

const words = (s: string): string[] => s.split(/[\s,]+/).filter(Boolean).sort();
const typesWhere = (pick: (d: ReturnType<typeof opInfo>) => boolean): string[] => [...OP_REGISTRY.values()].filter(pick).map((d) => d.type).sort();

describe('op registry against ESP-PPQ tables (docs/esp-ppq.md §3.2)', () => {
  it('quant_operation_types', () => {
    expect(typesWhere((d) => d.quantizable)).toEqual(words(`Conv, ConvTranspose, Gemm, GRU, LSTM, Relu, PRelu, Clip, Pad,
      Resize, MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool, Softmax, LogSoftmax, LpNormalization, Mul, Add, Max,
      Sub, Div, Neg, Reshape, LeakyRelu, Concat, Sigmoid, Interp, ReduceL1, ReduceL2, ReduceMean, ReduceMin, ReduceMax,
      ReduceProd, ReduceSum, ReduceSumSquare, ReduceLogSum, ReduceLogSumExp, Transpose, Slice, Flatten, HardSwish,
      HardSigmoid, MatMul, Attention, LayerNormalization, RMSNormalization, Gelu, PPQBiasFusedMatMul, Split, Gather,
      ScatterND, Tanh, Elu, Greater, Less, Equal, GreaterOrEqual, LessOrEqual, ReverseSequence, Identity, Swish, Squeeze,
      Unsqueeze, Exp, DepthToSpace, SpaceToDepth, InsertZeros, Mod`));
  });

  it('PASSIVE_OPERATIONS and COMPUTING_OP', () => {
    expect(typesWhere((d) => d.passive)).toEqual(words(`MaxPool, GlobalMaxPool, Reshape, Flatten, Identity, Dropout, Slice,
      Pad, Split, Transpose, Interp, Squeeze, Unsqueeze, Gather, ReverseSequence, ReduceMax, ReduceMin`));
    expect(typesWhere((d) => d.computing)).toEqual(words('Conv, Gemm, ConvTranspose, MatMul, Attention, PPQBiasFusedMatMul, LSTM'));
  });

  it('activation fusion types and alignment groups (docs/esp-ppq.md §3.6 TYPES_FOR_ALIGNMENT)', () => {
    expect(typesWhere((d) => d.fusableActivation)).toEqual(['Clip', 'Relu']);
    const names: Record<string, string[]> = {};
    for (const d of OP_REGISTRY.values()) if (d.alignment) (names[d.alignment] ??= []).push(d.type);
    expect(Object.fromEntries(Object.entries(names).map(([k, v]) => [k, v.sort()]))).toEqual({
      elementwise: ['Add', 'Sub', 'Sum'], concat: ['Concat', 'ScatterND'], pooling: ['AveragePool', 'GlobalAveragePool'],
      logical: words('Equal Greater GreaterOrEqual Less LessOrEqual'), rnn: ['GRU', 'LSTM'], resize: ['Resize'],
    });
  });
});

describe('exporter classes (docs/esp-ppq.md §5.5): the first layout pattern that names a type decides', () => {
  it.each([
    ['Conv', 'conv'], ['MaxPool', 'conv'], ['Relu', 'passive'], ['QuantizeLinear', 'passive'], ['Exp', 'passive'],
    ['Add', 'add-like'], ['Softmax', 'axis-transform'], ['ReduceMean', 'axis-transform'], ['Split', 'axis-transform'],
    // Concat is in OTHER_OP_SET too, but its own pattern comes first.
    ['Concat', 'concat'], ['Resize', 'resize'], ['Gemm', 'other'], ['Reshape', 'other'], ['NonZero', undefined],
  ])('%s → %s', (type, layout) => {
    expect(opInfo(type).layout).toBe(layout);
  });

  it('LUT families and the quant family', () => {
    expect(opInfo('Sigmoid').exportFamily).toBe('activation');
    expect(opInfo('Sqrt').exportFamily).toBe('math');
    expect(opInfo('RequantizeLinear').exportFamily).toBe('quant');
    expect(opInfo('Conv').exportFamily).toBeUndefined();
  });
});

describe('per-op rules', () => {
  it('SOI input sockets are never quantized (esp_ppq/IR/opdef.py)', () => {
    expect(isQuantizableInput('Reshape', 0)).toBe(true);
    expect(isQuantizableInput('Reshape', 1)).toBe(false);
    expect([0, 1, 2, 3].map((i) => isQuantizableInput('Slice', i))).toEqual([true, false, false, false]);
    expect([0, 1, 2, 3].map((i) => isQuantizableInput('Pad', i))).toEqual([true, false, true, false]);
    expect(isQuantizableInput('Conv', 2)).toBe(true);
  });

  it('equalization crosses Add/Sub only at level 2 and never Clip (OPTIMIZATION_LAYERTYPE_CONFIG)', () => {
    expect(opInfo('Relu').equalizationCrossableFrom).toBe(1);
    expect(opInfo('Add').equalizationCrossableFrom).toBe(2);
    expect(opInfo('Clip').equalizationCrossableFrom).toBeUndefined();
    expect(typesWhere((d) => d.equalizable)).toEqual(['Conv', 'ConvTranspose', 'Gemm']);
  });

  it('weight channel axis: Conv 0, ConvTranspose 1, Gemm 0 with transB else 1 (docs/esp-ppq.md §3.2)', () => {
    const n = (opType: string, transB?: number): Node => ({
      name: 'n', opType, domain: '', inputs: [], outputs: [],
      attributes: new Map(transB === undefined ? [] : [['transB', { type: 'int', value: transB }]]),
    });
    expect([n('Conv'), n('ConvTranspose'), n('Gemm'), n('Gemm', 1), n('Gemm', 0)].map(weightChannelAxis)).toEqual([0, 1, 1, 0, 1]);
  });

  it('an unknown type is nothing special: FP32, no kernel, no layout', () => {
    const d = opInfo('MyCustomOp');
    expect([d.quantizable, d.passive, d.espdlModule, d.layout]).toEqual([false, false, false, undefined]);
    expect(opInfo('LUT').espdlModule).toBe(true);
  });
});

describe('ESP-DL kernels (the latency model\'s cost classes, ESP-DL v3.3.9 dl/module)', () => {
  it('in-place modules as each deserialize() creates them', () => {
    expect(typesWhere((d) => d.espdlInplace === 'unchanged')).toEqual(words('Flatten Identity Reshape Squeeze Unsqueeze'));
    expect(opInfo('Add').espdlInplace).toBe('changed');
    expect(opInfo('Mul').espdlInplace).toBeUndefined();
    expect(opInfo('ReduceMean').espdlInplace).toBe('changed');
  });

  it('kernel kinds: convolutions, SIMD elementwise, LUT activations, scalar transposes and softmax', () => {
    expect(typesWhere((d) => d.espdlKernel === 'convolution')).toEqual(['Conv', 'Gemm', 'MatMul']);
    expect([opInfo('Swish').espdlKernel, opInfo('Transpose').espdlKernel, opInfo('Reshape').espdlKernel, opInfo('NonZero').espdlKernel])
      .toEqual(['lut', 'scalar', 'view', undefined]);
  });
});
