/**
 * Chip targets → ESP-PPQ platforms (esp_ppq/api/espdl_interface.py::get_target_platform and
 * EspdlQuantizer.py::_PLATFORM_CONFIGS; docs/esp-ppq.md §2.3, §3.1). Data, not subclasses.
 */
import { InputError } from '../errors.js';
import { quantRange } from './pot.js';
import { TARGETS, type Family, type Platform, type Rounding, type Target } from './types.js';

const FAMILY: Readonly<Record<Target, Family>> = {
  esp32p4: 'p4', esp32s31: 'p4', esp32s3: 's3',
  esp32: 'c', esp32s2: 'c', esp32c2: 'c', esp32c3: 'c', esp32c5: 'c', esp32c6: 'c', c: 'c',
};

const PLATFORMS: Readonly<Record<Family, Record<8 | 16, Platform>>> = {
  p4: { 8: 'ESPDL_INT8', 16: 'ESPDL_INT16' },
  s3: { 8: 'ESPDL_S3_INT8', 16: 'ESPDL_S3_INT16' },
  c: { 8: 'ESPDL_C_INT8', 16: 'ESPDL_C_INT16' },
};

/** (activation/weight bits, bias bits) per platform. */
const PLATFORM_BITS: Readonly<Record<Exclude<Platform, 'FP32'>, { bits: number; biasBits: number }>> = {
  ESPDL_INT8: { bits: 8, biasBits: 32 },
  ESPDL_INT16: { bits: 16, biasBits: 40 },
  ESPDL_H_PRE_INT16: { bits: 16, biasBits: 40 },
  ESPDL_S3_INT8: { bits: 8, biasBits: 20 },
  ESPDL_S3_INT16: { bits: 16, biasBits: 40 },
  ESPDL_S3_H_PRE_INT16: { bits: 16, biasBits: 40 },
  ESPDL_C_INT8: { bits: 8, biasBits: 32 },
  ESPDL_C_INT16: { bits: 16, biasBits: 64 },
  ESPDL_C_H_PRE_INT16: { bits: 16, biasBits: 64 },
};

/** Validates a user-given target name (case-insensitive, as ESP-PPQ lower-cases it). */
export function parseTarget(name: string): Target {
  const t = name.trim().toLowerCase();
  if ((TARGETS as readonly string[]).includes(t)) return t as Target;
  throw new InputError(`unknown target "${name}": valid targets are ${TARGETS.join(', ')}`);
}

export function parseBits(value: string | number): 8 | 16 {
  const n = Number(value);
  if (n === 8 || n === 16) return n;
  throw new InputError(`unsupported bit width "${value}": use 8 or 16`);
}

export function familyOf(target: Target): Family {
  return FAMILY[target];
}

export function platformFor(target: Target, bits: 8 | 16): Platform {
  return PLATFORMS[familyOf(target)][bits];
}

export function platformBits(platform: Platform): { bits: number; biasBits: number } {
  if (platform === 'FP32') throw new Error('FP32 platform has no bit width');
  return PLATFORM_BITS[platform];
}

/**
 * The rounding every config of a graph gets. QUIRK (docs/esp-ppq.md §3.1): ESP-PPQ ignores the per-platform rounding
 * column and uses the quantizer's (the global target's) policy for all ops, int16-dispatched ones included. We do
 * the same, because the chip's kernels round by chip, not by bit width.
 */
export function roundingFor(target: Target): Rounding {
  return familyOf(target) === 'p4' ? 'half_even' : 'half_up';
}

/** P4-class targets quantize Conv/ConvTranspose/Gemm weights and biases per output channel. */
export function usesPerChannelWeights(platform: Platform): boolean {
  return platform === 'ESPDL_INT8' || platform === 'ESPDL_INT16' || platform === 'ESPDL_H_PRE_INT16';
}

export { quantRange };
