/**
 * A small graph with the structure of PaddleOCR's text detector as paddle2onnx exports it (the shape of
 * PP-OCRv4-det, at 3×32×32 and a few channels): BatchNormalization left unfused after Conv and ConvTranspose,
 * hard-swish written as x·Clip(x+3, 0, 6)/6, a squeeze-excitation gate with HardSigmoid, Identity nodes,
 * nearest Resize by 2, Concat, and a DB head (ConvTranspose → BN → Relu → ConvTranspose → Sigmoid).
 * Used where tests once read the 4.7 MB original, which now only `npm run bench` fetches.
 */
import type { Model } from '../../../src/ir/graph.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import { f32, model, node, rand, vi } from './graph-builder.js';

export const DET_INPUT = { name: 'x', dims: [1, 3, 32, 32] };
export const DET_OUTPUT = 'sigmoid_0.tmp_0';

export function detHeadModel(seed = 7): Model {
  const next = rand(seed);
  const r = (): number => next(0);
  const init: Record<string, Tensor> = {};
  const w = (name: string, dims: number[], scale: number): string => { init[name] = f32(dims, () => r() * scale); return name; };
  const c = (name: string, dims: number[], value: number): string => { init[name] = f32(dims, () => value); return name; };
  /** BatchNormalization parameters; variance in (0.5, 1.5) and scale around 1 so the fold is a real rescale. */
  const bn = (p: string, ch: number): string[] => {
    init[`${p}_scale`] = f32([ch], () => 1 + r() * 0.5);
    init[`${p}_variance`] = f32([ch], () => 1 + r() * 0.5);
    return [`${p}_scale`, w(`${p}_offset`, [ch], 0.2), w(`${p}_mean`, [ch], 0.1), `${p}_variance`];
  };
  const conv = (attrs: Record<string, number[] | number>) => ({ dilations: [1, 1], group: 1, ...attrs });
  c('hs_three', [], 3); c('hs_zero', [], 0); c('hs_six', [], 6);
  init['resize_scales'] = f32([4], [1, 1, 2, 2]);

  const nodes = [
    node('Conv', 'conv2d_0', ['x', w('conv0_w', [8, 3, 3, 3], 0.4)], ['conv2d_0.tmp_0'], conv({ kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] })),
    node('BatchNormalization', 'batch_norm_0', ['conv2d_0.tmp_0', ...bn('bn0', 8)], ['batch_norm_0.tmp_2'], { epsilon: { float: Math.fround(1e-5) } }),
    // hard_swish as paddle2onnx writes it
    node('Add', 'hardswish_add', ['batch_norm_0.tmp_2', 'hs_three'], ['hardswish_add.tmp']),
    node('Clip', 'hardswish_clip', ['hardswish_add.tmp', 'hs_zero', 'hs_six'], ['hardswish_clip.tmp']),
    node('Mul', 'hardswish_mul', ['batch_norm_0.tmp_2', 'hardswish_clip.tmp'], ['hardswish_mul.tmp']),
    node('Div', 'hardswish_div', ['hardswish_mul.tmp', 'hs_six'], ['hardswish_0.tmp_0']),
    node('Conv', 'conv2d_1', ['hardswish_0.tmp_0', w('conv1_w', [8, 1, 3, 3], 0.5), w('conv1_b', [8], 0.1)], ['conv2d_1.tmp_1'], conv({ group: 8, kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] })),
    node('Identity', 'identity_0', ['conv2d_1.tmp_1'], ['identity_0.tmp_0']),
    // squeeze-excitation gate
    node('GlobalAveragePool', 'pool2d_0', ['identity_0.tmp_0'], ['pool2d_0.tmp_0']),
    node('Conv', 'conv2d_2', ['pool2d_0.tmp_0', w('conv2_w', [4, 8, 1, 1], 0.5), w('conv2_b', [4], 0.1)], ['conv2d_2.tmp_1'], conv({ kernel_shape: [1, 1], pads: [0, 0, 0, 0], strides: [1, 1] })),
    node('Relu', 'relu_0', ['conv2d_2.tmp_1'], ['relu_0.tmp_0']),
    node('Conv', 'conv2d_3', ['relu_0.tmp_0', w('conv3_w', [8, 4, 1, 1], 0.5), w('conv3_b', [8], 0.1)], ['conv2d_3.tmp_1'], conv({ kernel_shape: [1, 1], pads: [0, 0, 0, 0], strides: [1, 1] })),
    node('HardSigmoid', 'hardsigmoid_0', ['conv2d_3.tmp_1'], ['hardsigmoid_0.tmp_0'], { alpha: { float: Math.fround(0.2) }, beta: { float: 0.5 } }),
    node('Mul', 'elementwise_mul_0', ['identity_0.tmp_0', 'hardsigmoid_0.tmp_0'], ['elementwise_mul_0']),
    // neck: upsample and fuse
    node('Resize', 'p2o.Resize.0', ['elementwise_mul_0', '', 'resize_scales'], ['nearest_interp_v2_0.tmp_0'], { mode: 'nearest' }),
    node('Conv', 'conv2d_4', ['x', w('conv4_w', [8, 3, 1, 1], 0.5)], ['conv2d_4.tmp_0'], conv({ kernel_shape: [1, 1], pads: [0, 0, 0, 0], strides: [1, 1] })),
    node('Add', 'elementwise_add_0', ['conv2d_4.tmp_0', 'nearest_interp_v2_0.tmp_0'], ['elementwise_add_0']),
    node('Concat', 'concat_0', ['elementwise_add_0', 'conv2d_4.tmp_0'], ['concat_0.tmp_0'], { axis: 1 }),
    // DB head
    node('Conv', 'conv2d_5', ['concat_0.tmp_0', w('conv5_w', [4, 16, 3, 3], 0.2)], ['conv2d_5.tmp_0'], conv({ kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [4, 4] })),
    node('BatchNormalization', 'batch_norm_1', ['conv2d_5.tmp_0', ...bn('bn1', 4)], ['batch_norm_1.tmp_2'], { epsilon: { float: Math.fround(1e-5) } }),
    node('Relu', 'relu_1', ['batch_norm_1.tmp_2'], ['relu_1.tmp_0']),
    node('ConvTranspose', 'conv2d_transpose_0', ['relu_1.tmp_0', w('convt0_w', [4, 4, 2, 2], 0.5)], ['conv2d_transpose_0.tmp_0'], { dilations: [1, 1], group: 1, kernel_shape: [2, 2], pads: [0, 0, 0, 0], strides: [2, 2] }),
    node('BatchNormalization', 'batch_norm_2', ['conv2d_transpose_0.tmp_0', ...bn('bn2', 4)], ['batch_norm_2.tmp_2'], { epsilon: { float: Math.fround(1e-5) } }),
    node('Relu', 'relu_2', ['batch_norm_2.tmp_2'], ['relu_2.tmp_0']),
    node('Identity', 'identity_1', ['relu_2.tmp_0'], ['identity_1.tmp_0']),
    node('ConvTranspose', 'conv2d_transpose_1', ['identity_1.tmp_0', w('convt1_w', [4, 1, 2, 2], 0.5), w('convt1_b', [1], 0.1)], ['conv2d_transpose_1.tmp_1'], { dilations: [1, 1], group: 1, kernel_shape: [2, 2], pads: [0, 0, 0, 0], strides: [2, 2] }),
    node('Sigmoid', 'sigmoid_0', ['conv2d_transpose_1.tmp_1'], [DET_OUTPUT]),
  ];
  return model({ nodes, inputs: [vi('x', DET_INPUT.dims)], outputs: [vi(DET_OUTPUT, [1, 1, 32, 32])], initializers: init, opset: 13 });
}
