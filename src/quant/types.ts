/**
 * The quantized graph: the contract between the quantization engine (quant/), the simulator (exec/ + node/),
 * the exporter (espdl/), the search (autoquant/) and the training passes.
 *
 * It mirrors ESP-PPQ's model (esp_ppq/core/quant.py): every quantized op has one TensorQuantConfig per input
 * and per output; configs that must share a scale point to a common `dominator` (PPQ's dominated_by /
 * master_by). Only self-dominated configs carry an exponent; everyone else reads it through `resolve()`.
 * Scales are powers of two, so a config's scale is 2^exponent (exponent per channel for P4 weights/biases).
 */
import type { Model, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';

export const TARGETS = [
  'esp32p4', 'esp32s31', 'esp32s3', 'esp32', 'esp32s2', 'esp32c2', 'esp32c3', 'esp32c5', 'esp32c6', 'c',
] as const;
export type Target = (typeof TARGETS)[number];

/** Instruction-set family: PIE v2 (P4, S31), PIE v1 (S3), none (plain C kernels). */
export type Family = 'p4' | 's3' | 'c';

/** ESP-PPQ's TargetPlatform names for ESP-DL (plus FP32 for ops left in float). */
export type Platform =
  | 'ESPDL_INT8' | 'ESPDL_INT16' | 'ESPDL_H_PRE_INT16'
  | 'ESPDL_S3_INT8' | 'ESPDL_S3_INT16' | 'ESPDL_S3_H_PRE_INT16'
  | 'ESPDL_C_INT8' | 'ESPDL_C_INT16' | 'ESPDL_C_H_PRE_INT16'
  | 'FP32';

/** half_even = torch.round (banker's); half_up = floor(x + 0.5). */
export type Rounding = 'half_even' | 'half_up';

/** ESP-PPQ QuantizationStates that occur in ESP-DL graphs. */
export type QuantState = 'INITIAL' | 'ACTIVATED' | 'PASSIVE' | 'PASSIVE_INIT' | 'OVERLAPPED' | 'FP32';

export type ObserverName = 'minmax' | 'percentile' | 'kl' | 'mse';
export const CALIB_ALGORITHMS: readonly ObserverName[] = ['kl', 'minmax', 'percentile', 'mse'];

/** Quantization settings of one tensor at one op slot (PPQ TensorQuantizationConfig). */
export interface TensorQuantConfig {
  /** Unique within a QuantizedGraph; stable across runs (replaces PPQ's time-seeded hash). */
  readonly id: number;
  /** The value (ONNX tensor name) this config quantizes. */
  readonly value: string;
  bits: number;
  qmin: number;
  qmax: number;
  perChannel: boolean;
  /** Channel axis for per-channel configs. */
  channelAxis: number;
  rounding: Rounding;
  state: QuantState;
  observer: ObserverName;
  /** Histogram bins for the kl observer (32·2^(bits−1) for activations). */
  klBins: number;
  /** The config this one shares its scale with (itself when self-dominated). */
  dominator: TensorQuantConfig;
  /** log2 of the scale; a number per channel for per-channel configs. Set on self-dominated configs. */
  exponent: number | number[] | undefined;
  /** True for constant inputs (weights, biases, Clip bounds …). */
  readonly isParameter: boolean;
}

/** One op's quantization: its platform and a config per input/output slot (undefined = not quantized). */
export interface OpQuant {
  readonly node: Node;
  platform: Platform;
  inputs: (TensorQuantConfig | undefined)[];
  outputs: (TensorQuantConfig | undefined)[];
}

export interface QuantizedGraph {
  /** The simplified float model the configs refer to (parameters may have been changed by passes). */
  readonly model: Model;
  readonly target: Target;
  readonly bits: 8 | 16;
  /** By ONNX node name; ops left in FP32 have no entry. */
  readonly ops: Map<string, OpQuant>;
  /** Names of nodes left in float (not quantizable by ESP-DL). */
  readonly fp32Nodes: string[];
  /**
   * The float parameters as they were when the graph was quantized (ESP-PPQ's `stored_value`, taken after the
   * pre-quant passes and before training): the float reference of training and analysis, which ESP-PPQ gets by
   * `dequantize()` swapping them back in. Training passes replace `model.graph.initializers`, never these.
   */
  readonly storedParams?: ReadonlyMap<string, Tensor>;
}

/** Follows the dominator chain to the config that owns the scale. */
export function resolve(cfg: TensorQuantConfig): TensorQuantConfig {
  let c = cfg;
  while (c.dominator !== c) c = c.dominator;
  return c;
}

/** The exponent a config quantizes with (through its dominator), or undefined if not yet calibrated. */
export function exponentOf(cfg: TensorQuantConfig): number | number[] | undefined {
  return resolve(cfg).exponent;
}

/** Does this config quantize its value (PPQ: is_activated / passive states)? */
export function isQuantizing(cfg: TensorQuantConfig | undefined): cfg is TensorQuantConfig {
  return cfg !== undefined && (cfg.state === 'ACTIVATED' || cfg.state === 'PASSIVE');
}
