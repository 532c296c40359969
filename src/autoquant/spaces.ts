/**
 * Built-in search spaces. `espdl-default` is ESP-PPQ's AutoQuantSearchSetting() space verbatim
 * (esp_ppq/autoquant/setting.py; 16 strategies, 1,067,040 exhaustive experiments). `quick` is ours: it
 * finishes in minutes on a small model (24 experiments) and avoids the gradient-trained passes.
 */
import { PyFloat, type PyValue } from './py-value.js';
import type { ParamSpace, StrategySpace } from './space.js';

/** Every module ESP-PPQ's build_quant_setting reads, in its default order. */
export const MODULES = [
  'num_of_bits', 'calib_algorithm', 'weight_equalization', 'horizontal_layer_split', 'bias_correction',
  'mixed_precision', 'tqt', 'fusion_alignment', 'blockwise_reconstruction',
] as const;
export type ModuleName = (typeof MODULES)[number];

/** Modules whose passes train blocks with gradients (src/quant/training): the slow ones. */
export const TRAINING_MODULES: readonly ModuleName[] = ['tqt', 'blockwise_reconstruction'];

/** Modules that pick layers from the baseline layerwise error (interface.py::_LAYERWISE_DEPENDENT_MODULES). */
export const LAYERWISE_MODULES: readonly ModuleName[] = [
  'bias_correction', 'horizontal_layer_split', 'blockwise_reconstruction', 'mixed_precision', 'tqt',
];

export interface SearchSpace { strategy_space: StrategySpace; param_space: ParamSpace }

const f = (x: number): PyFloat => new PyFloat(x);

/** ESP-PPQ 1.3.5 AutoQuantSearchSetting defaults (int/float kinds as in the Python literals). */
export function espdlDefaultSpace(): SearchSpace {
  return {
    strategy_space: {
      num_of_bits: [true], calib_algorithm: [true], weight_equalization: [true, false],
      horizontal_layer_split: [false], bias_correction: [true, false], mixed_precision: [false],
      tqt: [true, false], fusion_alignment: [true], blockwise_reconstruction: [true, false],
    },
    param_space: {
      num_of_bits: { value: [8] },
      calib_algorithm: { method: ['kl', 'percentile', 'mse'] },
      weight_equalization: { iterations: [10, 50, 100], value_threshold: [0.1, 0.5, 2], opt_level: [2] },
      horizontal_layer_split: { topk: [1], value_threshold: [0.1, 0.2] },
      bias_correction: { block_size: [4, 2, 1], steps: [32], topk: [-1, 1, 2, 3] },
      mixed_precision: { topk: [1] },
      tqt: {
        lr: [1e-5, 5e-5], steps: [500, 1000, 2000], block_size: [4, 2, 1], is_scale_trainable: [true],
        gamma: [f(0)], int_lambda: [f(0)], collecting_device: ['cpu'], topk: [-1],
      },
      fusion_alignment: {
        elementwise_to: ['Align to Large', 'Align to Output'], concat_to: ['Align to Large', 'Align to Output'],
        avgpooling_to: ['Align to Input', 'Align to Output'], resize_to: ['Align to Input', 'Align to Output'],
        force_overlap: [false],
      },
      blockwise_reconstruction: {
        is_scale_trainable: [false], topk: [-1, 1, 2, 3], block_size: [4, 2], steps: [1000], lr: [1e-4],
        gamma: [f(1)], collecting_device: ['cpu'],
      },
    },
  };
}

/**
 * Our default ("quick"): 4 calibration methods × weight equalization {off, thr 0.5, thr 2} × mixed precision
 * {off, top-1 layer + successors} = 24 exhaustive experiments; alignment fixed at espdl_setting()'s values.
 * Disabled modules keep ESP-PPQ's param grids so a user can switch one on with a one-line override.
 */
export function quickSpace(): SearchSpace {
  const d = espdlDefaultSpace();
  return {
    strategy_space: {
      num_of_bits: [true], calib_algorithm: [true], weight_equalization: [false, true],
      horizontal_layer_split: [false], bias_correction: [false], mixed_precision: [false, true],
      tqt: [false], fusion_alignment: [true], blockwise_reconstruction: [false],
    },
    param_space: {
      ...d.param_space,
      calib_algorithm: { method: ['kl', 'percentile', 'mse', 'minmax'] },
      weight_equalization: { iterations: [10], value_threshold: [0.5, 2], opt_level: [2] },
      fusion_alignment: {
        elementwise_to: ['Align to Output'], concat_to: ['Align to Output'], avgpooling_to: ['None'],
        resize_to: ['Align to Output'], force_overlap: [false],
      },
    },
  };
}

export const SPACES = { quick: quickSpace, 'espdl-default': espdlDefaultSpace } as const;
export type SpaceName = keyof typeof SPACES;

type KnobKind = 'int' | 'real' | 'bool' | 'string' | readonly PyValue[];
const ALIGN = ['Align to Large', 'Align to Output', 'Align to Input', 'None'] as const;

/** Knobs build_quant_setting reads per module, their kinds, and whether a missing one is an error. */
export const KNOBS: Record<ModuleName, Record<string, { kind: KnobKind; required: boolean }>> = {
  num_of_bits: { value: { kind: [8, 16], required: true } },
  calib_algorithm: { method: { kind: ['kl', 'percentile', 'mse', 'minmax'], required: true } },
  weight_equalization: {
    iterations: { kind: 'int', required: true }, value_threshold: { kind: 'real', required: true },
    opt_level: { kind: [1, 2], required: true },
  },
  horizontal_layer_split: { topk: { kind: 'int', required: false }, value_threshold: { kind: 'real', required: true } },
  bias_correction: {
    block_size: { kind: 'int', required: true }, steps: { kind: 'int', required: true },
    topk: { kind: 'int', required: false },
  },
  mixed_precision: { topk: { kind: 'int', required: false } },
  tqt: {
    lr: { kind: 'real', required: true }, steps: { kind: 'int', required: true }, block_size: { kind: 'int', required: true },
    is_scale_trainable: { kind: 'bool', required: true }, gamma: { kind: 'real', required: true },
    int_lambda: { kind: 'real', required: true }, collecting_device: { kind: 'string', required: false },
    topk: { kind: 'int', required: true },
  },
  fusion_alignment: {
    elementwise_to: { kind: ALIGN, required: true }, concat_to: { kind: ALIGN, required: true },
    avgpooling_to: { kind: ALIGN, required: true }, resize_to: { kind: ALIGN, required: true },
    force_overlap: { kind: 'bool', required: true },
  },
  blockwise_reconstruction: {
    is_scale_trainable: { kind: 'bool', required: true }, topk: { kind: 'int', required: false },
    block_size: { kind: 'int', required: true }, steps: { kind: 'int', required: true }, lr: { kind: 'real', required: true },
    gamma: { kind: 'real', required: true }, collecting_device: { kind: 'string', required: false },
  },
};
