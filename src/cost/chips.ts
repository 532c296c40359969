/**
 * What the cost model knows about each chip: facts from Espressif's datasheets and ESP-DL's own test
 * configuration (operator_performance.md, the sdkconfig defaults of test_apps/), never fitted.
 */
import { InputError } from '../errors.js';

export const COST_TARGETS = ['esp32p4', 'esp32s3', 'esp32'] as const;
export type CostTarget = (typeof COST_TARGETS)[number];

export interface ChipFacts {
  /** CPU clock ESP-DL's published figures were measured at. */
  readonly mhz: number;
  /** Bytes of one SIMD register (PIE: 128 bit), 0 without SIMD (plain C kernels). */
  readonly simdBytes: number;
  /**
   * Level-1 data cache in front of PSRAM and flash. A convolution re-reads its whole filter for every output
   * pixel (ESP-DL's kernels compute one pixel's output channels per call), so filters larger than this cache
   * come back from external memory once per pixel, less the part the cache still holds.
   */
  readonly l1CacheBytes: number;
  readonly hasPsram: boolean;
  /**
   * Peak external-memory bandwidths, MB/s: their ratio is how much slower a byte read from flash is than one
   * from PSRAM (weights stay in flash with param_copy = false). S3: octal PSRAM 80 MHz DDR = 160, QIO flash
   * 80 MHz = 40. P4: octal PSRAM 200 MHz DDR = 400, QIO flash 80 MHz = 40.
   */
  readonly psramPeakMBps: number;
  readonly flashPeakMBps: number;
}

export const CHIPS: Readonly<Record<CostTarget, ChipFacts>> = {
  esp32p4: { mhz: 360, simdBytes: 16, l1CacheBytes: 64 * 1024, hasPsram: true, psramPeakMBps: 400, flashPeakMBps: 40 },
  esp32s3: { mhz: 240, simdBytes: 16, l1CacheBytes: 64 * 1024, hasPsram: true, psramPeakMBps: 160, flashPeakMBps: 40 },
  // ESP32: no PIE; its 32 KB cache sits in front of flash and (optional) quad PSRAM at 40 MHz.
  esp32: { mhz: 240, simdBytes: 0, l1CacheBytes: 32 * 1024, hasPsram: false, psramPeakMBps: 40, flashPeakMBps: 40 },
};

export function parseCostTarget(text: string): CostTarget {
  if ((COST_TARGETS as readonly string[]).includes(text)) return text as CostTarget;
  throw new InputError(`--target ${text}: the latency model knows ${COST_TARGETS.join(', ')}`);
}

/** Vector lanes of a SIMD kernel for `bits`-wide activations (16 for int8, 8 for int16 on PIE). */
export function simdLanes(chip: ChipFacts, bits: number): number {
  return chip.simdBytes > 0 ? Math.max(1, (chip.simdBytes * 8) / Math.min(bits, 16)) : 1;
}
