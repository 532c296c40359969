/**
 * A model-based estimate of single-core inference latency and memory per target, for ranking candidates
 * without a board and for showing beside measured figures. Not a measurement.
 *
 * latency = Σ_ops [ MACs · c(kind) + activation elements · c_mem ] · f(bits)
 *   kinds: pointwise (1×1 conv, Gemm, MatMul), spatial (k×k conv), depthwise (c_dw = c_pw · r_dw);
 *   f(8) = 1, f(16) = 2.27, f(32) = 4.
 * Calibration (see `fitCalibration` and test/unit/board/latency-model.test.ts, which re-runs it):
 * - c_pw and c_sp of esp32p4 and esp32s3 are solved from two published single-core figures per chip,
 *   MobileNetV2 224² and YOLO11n 640² (ESP-DL model zoo, docs/esp-dl.md §3.2), using the real zoo `.espdl` files.
 * - r_dw comes from ESP-DL's kernel micro-benchmarks (ESP-DL's operator_performance.md, docs/esp-dl.md §3.3): depthwise
 *   3×3 on 32×100×50 vs 1×1 conv 16→32 at 20×20, per chip (S3 1.868, P4 1.148).
 * - f(16) = 2.27 is the only published int16/int8 pair (PP-OCRv6 rec on P4); f(32) = 4 and c_mem are
 *   ASSUMED (no published figure; memory-bound operators are ~2–3% of the calibration models' time).
 * - esp32 (no SIMD, C kernels) is NOT calibrated: S3 costs × the ANSI-C/SIMD kernel ratios (26× conv, 17×
 *   depthwise, same micro-benchmarks). Its figures are marked `calibrated: false`.
 * Memory: flash = the model file; parameters are copied to PSRAM where the target has PSRAM (ESP-DL's
 * default param_copy); activations = peak of live tensors, internal RAM first up to a typical free budget
 * (ASSUMED: P4 512 KiB, S3 256 KiB, ESP32 160 KiB), the rest PSRAM.
 */
import { InputError } from '../errors.js';
import type { CostGraph, CostKind } from './cost-ops.js';

export const ESTIMATE_TARGETS = ['esp32p4', 'esp32s3', 'esp32'] as const;
export type EstimateTarget = (typeof ESTIMATE_TARGETS)[number];

/** Per-target costs in nanoseconds per MAC (per element for `memory`). */
export interface TargetCosts {
  readonly pointwise: number;
  readonly spatial: number;
  readonly depthwise: number;
  readonly memory: number;
}

export interface TargetCalibration {
  readonly costs: TargetCosts;
  readonly calibrated: boolean;
  readonly hasPsram: boolean;
  readonly internalBudgetBytes: number;
}

/** Published-figure priors (see the file header). */
export const PRIORS = {
  depthwiseRatio: { esp32p4: 1.148, esp32s3: 1.868 },
  memoryNsPerElement: { esp32p4: 1.0, esp32s3: 3.0 },
  bitsFactor: { 8: 1, 16: 2.27, 32: 4 } as Readonly<Record<number, number>>,
  esp32FromS3: { conv: 26, depthwise: 17, memory: 4 },
} as const;

/**
 * c_pw / c_sp (ns per MAC) as solved by `fitCalibration` from the published figures listed in the header
 * (values rounded to 4 digits; the test checks they still equal a fresh fit).
 */
export const FITTED = {
  esp32p4: { pointwise: 1.0451, spatial: 0.564 },
  esp32s3: { pointwise: 3.7531, spatial: 10.2306 },
} as const;

const s3Costs: TargetCosts = {
  pointwise: FITTED.esp32s3.pointwise, spatial: FITTED.esp32s3.spatial,
  depthwise: FITTED.esp32s3.pointwise * PRIORS.depthwiseRatio.esp32s3, memory: PRIORS.memoryNsPerElement.esp32s3,
};

export const CALIBRATION: Readonly<Record<EstimateTarget, TargetCalibration>> = {
  esp32p4: {
    costs: {
      pointwise: FITTED.esp32p4.pointwise, spatial: FITTED.esp32p4.spatial,
      depthwise: FITTED.esp32p4.pointwise * PRIORS.depthwiseRatio.esp32p4, memory: PRIORS.memoryNsPerElement.esp32p4,
    },
    calibrated: true, hasPsram: true, internalBudgetBytes: 512 * 1024,
  },
  esp32s3: { costs: s3Costs, calibrated: true, hasPsram: true, internalBudgetBytes: 256 * 1024 },
  esp32: {
    costs: {
      pointwise: s3Costs.pointwise * PRIORS.esp32FromS3.conv, spatial: s3Costs.spatial * PRIORS.esp32FromS3.conv,
      depthwise: s3Costs.depthwise * PRIORS.esp32FromS3.depthwise, memory: s3Costs.memory * PRIORS.esp32FromS3.memory,
    },
    calibrated: false, hasPsram: false, internalBudgetBytes: 160 * 1024,
  },
};

export interface CostEstimate {
  readonly target: EstimateTarget;
  /** Estimated single-core model latency (pre/post-processing excluded), milliseconds. */
  readonly latency_ms: number;
  readonly memory_bytes: { readonly internal: number; readonly psram: number; readonly flash: number };
  /** Milliseconds per cost kind. */
  readonly breakdown_ms: Readonly<Record<CostKind, number>>;
  readonly macs: number;
  readonly calibrated: boolean;
  /** Nodes without known shapes, not included. */
  readonly uncosted: readonly string[];
  /** Plain-language problems, e.g. activations that cannot fit a target without PSRAM. */
  readonly warnings: readonly string[];
}

export function parseEstimateTarget(text: string): EstimateTarget {
  if ((ESTIMATE_TARGETS as readonly string[]).includes(text)) return text as EstimateTarget;
  throw new InputError(`--target ${text}: the latency model knows ${ESTIMATE_TARGETS.join(', ')}`);
}

/** Σ over ops of work × cost, in ms, per kind. */
function kindTimes(g: CostGraph, costs: TargetCosts): Record<CostKind, number> {
  const t: Record<CostKind, number> = { pointwise: 0, spatial: 0, depthwise: 0, memory: 0 };
  for (const op of g.ops) {
    const f = PRIORS.bitsFactor[op.bits] ?? PRIORS.bitsFactor[32];
    t.memory += (op.elements * costs.memory * f) / 1e6;
    if (op.kind !== 'memory') t[op.kind] += (op.macs * costs[op.kind] * f) / 1e6;
  }
  return t;
}

/**
 * Estimates latency and memory of a cost graph on a target; `fileBytes` is the model's flash footprint.
 * `calibration` overrides the shipped one (e.g. from `refineWithMeasurements`).
 */
export function estimateCost(g: CostGraph, target: EstimateTarget, fileBytes: number, calibration: TargetCalibration = CALIBRATION[target]): CostEstimate {
  const cal = calibration;
  const breakdown = kindTimes(g, cal.costs);
  const internal = Math.min(g.peakActivationBytes, cal.internalBudgetBytes);
  const spill = g.peakActivationBytes - internal;
  return {
    target,
    latency_ms: Object.values(breakdown).reduce((a, b) => a + b, 0),
    memory_bytes: {
      internal: cal.hasPsram ? internal : g.peakActivationBytes,
      psram: cal.hasPsram ? spill + g.paramBytes : 0,
      flash: fileBytes,
    },
    breakdown_ms: breakdown,
    macs: g.ops.reduce((s, o) => s + o.macs, 0),
    calibrated: cal.calibrated,
    uncosted: g.uncosted,
    warnings: !cal.hasPsram && g.peakActivationBytes + g.paramBytes > cal.internalBudgetBytes
      ? [`activations (${g.peakActivationBytes} B peak) and parameters (${g.paramBytes} B) exceed the ~${cal.internalBudgetBytes} B of free internal RAM typical of ${target} without PSRAM: the model likely does not fit`]
      : [],
  };
}

/** One published figure to calibrate on: a model's cost graph and its measured latency. */
export interface CalibrationPoint {
  readonly graph: CostGraph;
  readonly ms: number;
}

/**
 * Solves c_pw and c_sp (ns/MAC) of one chip from two published figures, given the priors r_dw and c_mem:
 * a 2×2 linear system (the two models differ enough in their 1×1 / k×k mix to be well conditioned).
 */
export function fitCalibration(points: readonly [CalibrationPoint, CalibrationPoint], depthwiseRatio: number, memoryNs: number): { pointwise: number; spatial: number } {
  const rows = points.map(({ graph, ms }) => {
    const t = kindTimes(graph, { pointwise: 1, spatial: 1, depthwise: depthwiseRatio, memory: memoryNs });
    return { a: t.pointwise + t.depthwise, b: t.spatial, y: ms - t.memory };
  });
  const [r0, r1] = rows;
  const det = r0.a * r1.b - r1.a * r0.b;
  if (Math.abs(det) < 1e-12) throw new InputError('calibration figures are collinear: pick models with different 1×1 / k×k mixes');
  return { pointwise: (r0.y * r1.b - r1.y * r0.b) / det, spatial: (r0.a * r1.y - r1.a * r0.y) / det };
}

/**
 * Refines a target's calibration with latencies measured on the user's own board (bench.json medians):
 * one least-squares scale s = Σ mᵢ·eᵢ / Σ eᵢ² applied to every cost, so the estimate of other candidates
 * follows the board's speed (clock, PSRAM, sdkconfig) while keeping the model's relative costs.
 */
export function refineWithMeasurements(target: EstimateTarget, measured: readonly CalibrationPoint[]): TargetCalibration {
  const base = CALIBRATION[target];
  const pairs = measured.map((p) => ({ e: estimateCost(p.graph, target, 0, base).latency_ms, m: p.ms })).filter((p) => p.e > 0 && p.m > 0);
  if (pairs.length === 0) throw new InputError(`no usable measurement to refine the ${target} latency model`);
  const scale = pairs.reduce((a, p) => a + p.m * p.e, 0) / pairs.reduce((a, p) => a + p.e * p.e, 0);
  const c = base.costs;
  return { ...base, calibrated: true, costs: { pointwise: c.pointwise * scale, spatial: c.spatial * scale, depthwise: c.depthwise * scale, memory: c.memory * scale } };
}
