/**
 * Options of one quantization (the TypeScript form of ESP-PPQ's QuantizationSetting as AutoQuant drives it,
 * esp_ppq/api/setting.py + esp_ppq/autoquant/quantize.py::build_quant_setting). Field names are camelCase;
 * defaults are ESP-PPQ's `espdl_setting()` (docs/esp-ppq.md §3.9).
 */
import type { ObserverName, Target } from './types.js';

export type AlignMode = 'Align to Large' | 'Align to Output' | 'Align to Input' | 'None';

export interface FusionAlignmentOptions {
  /** false disables QuantAlignmentPass entirely (PPQ align_quantization). */
  enabled: boolean;
  elementwiseTo: AlignMode;
  concatTo: AlignMode;
  avgpoolingTo: AlignMode;
  resizeTo: AlignMode;
  forceOverlap: boolean;
}

export interface EqualizationOptions { iterations: number; valueThreshold: number; optLevel: 1 | 2 }
export interface WeightSplitOptions { interestedLayers: string[]; valueThreshold: number }
export interface BiasCorrectionOptions { interestedLayers: string[]; blockSize: number; steps: number }
export interface TqtOptions {
  interestedLayers: string[]; lr: number; steps: number; blockSize: number;
  isScaleTrainable: boolean; gamma: number; intLambda: number;
}
export interface BlockwiseReconstructionOptions {
  interestedLayers: string[]; isScaleTrainable: boolean; lr: number; steps: number; gamma: number; blockSize: number;
}

export interface QuantOptions {
  target: Target;
  bits: 8 | 16;
  /** Observer for activations (PPQ quantize_activation_setting.calib_algorithm). Default 'kl'. */
  calibAlgorithm: ObserverName;
  /** Calibration batches to use (PPQ calib_steps, 2..5000). */
  calibSteps: number;
  /** Node names forced to int16 (mixed precision; PPQ dispatching_table → get_target_platform(target, 16)). */
  int16Layers: string[];
  alignment: FusionAlignmentOptions;
  equalization?: EqualizationOptions;
  weightSplit?: WeightSplitOptions;
  biasCorrection?: BiasCorrectionOptions;
  tqt?: TqtOptions;
  blockwiseReconstruction?: BlockwiseReconstructionOptions;
}

/** ESP-PPQ espdl_setting() alignment defaults. */
export const DEFAULT_ALIGNMENT: Readonly<FusionAlignmentOptions> = {
  enabled: true,
  elementwiseTo: 'Align to Output',
  concatTo: 'Align to Output',
  avgpoolingTo: 'None',
  resizeTo: 'Align to Output',
  forceOverlap: false,
};

export function defaultQuantOptions(target: Target, bits: 8 | 16 = 8): QuantOptions {
  return {
    target, bits, calibAlgorithm: 'kl', calibSteps: 32, int16Layers: [], alignment: { ...DEFAULT_ALIGNMENT },
  };
}
