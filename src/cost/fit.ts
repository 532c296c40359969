/**
 * Fitting the latency model's constants to measured whole-model latencies, leave-one-out validation, and the
 * refinement of a chip's constants with a user's own board measurements.
 *
 * The fit is joint over both calibrated chips: ESP-DL's kernels take the same cycles on ESP32-S3 and ESP32-P4 in
 * Espressif's micro-benchmarks (kernel-priors.ts), so the three compute constants are shared and only the PSRAM
 * cost per byte is per chip: five constants in all. It minimises the squared relative error (a 10 ms model
 * counts as much as a 10 s one), with every constant kept non-negative.
 */
import { InputError } from '../errors.js';
import { CHIPS } from './chips.js';
import type { CostGraph } from './cost-graph.js';
import { nnls } from './fit-math.js';
import { graphTerms, sumTerms, termsToMs, type CostConstants, type Deployment, type OpTerms } from './latency-model.js';
import { planMemory } from './memory-plan.js';
import type { OpClass } from './op-class.js';

export const CALIBRATED_TARGETS = ['esp32p4', 'esp32s3'] as const;
export type CalibratedTarget = (typeof CALIBRATED_TARGETS)[number];

/** One published (or measured) latency of a whole model. */
export interface CalibrationPoint {
  /** Names the model in reports. */
  readonly label: string;
  readonly target: CalibratedTarget;
  readonly graph: CostGraph;
  readonly ms: number;
  readonly deployment: Deployment;
}

export interface FittedConstants {
  readonly alignedConv: number;
  readonly unalignedConv: number;
  readonly elementCycles: number;
  readonly psramNsPerByte: Readonly<Record<CalibratedTarget, number>>;
}

export function constantsFor(f: FittedConstants, target: CalibratedTarget): CostConstants {
  return { alignedConv: f.alignedConv, unalignedConv: f.unalignedConv, elementCycles: f.elementCycles, psramNsPerByte: f.psramNsPerByte[target] };
}

/** The summed terms of a model as deployed (memory plan included). */
export function modelTerms(graph: CostGraph, target: keyof typeof CHIPS, deployment: Deployment): OpTerms {
  const plan = planMemory(graph, { maxInternalBytes: deployment.maxInternalBytes, hasPsram: CHIPS[target].hasPsram });
  return sumTerms(graphTerms(graph, target, plan.location, deployment).map((t) => t.terms));
}

/** Milliseconds per unit of each constant: the point's row of the (linear) model. */
function designRow(target: CalibratedTarget, t: OpTerms): number[] {
  const ms = (cycles: number) => cycles / CHIPS[target].mhz / 1000;
  return [ms(t.alignedCycles), ms(t.unalignedCycles), ms(t.elementUnits), ...CALIBRATED_TARGETS.map((c) => (c === target ? t.psramBytes / 1e6 : 0))];
}

function solve(rows: readonly { row: number[]; ms: number }[]): FittedConstants {
  const x = nnls(rows.map((r) => r.row.map((v) => v / r.ms)), rows.map(() => 1));
  return {
    alignedConv: x[0], unalignedConv: x[1], elementCycles: x[2],
    psramNsPerByte: Object.fromEntries(CALIBRATED_TARGETS.map((c, i) => [c, x[3 + i]])) as Record<CalibratedTarget, number>,
  };
}

const rowsOf = (points: readonly CalibrationPoint[]) =>
  points.map((p) => ({ p, row: designRow(p.target, modelTerms(p.graph, p.target, p.deployment)), ms: p.ms }));

export function fitConstants(points: readonly CalibrationPoint[]): FittedConstants {
  return solve(rowsOf(points));
}

export interface HeldOutPrediction {
  readonly label: string;
  readonly target: CalibratedTarget;
  readonly ms: number;
  readonly predicted_ms: number;
  /** predicted / measured − 1. */
  readonly error: number;
}

/** Each point predicted by the constants fitted on all the others. */
export function leaveOneOut(points: readonly CalibrationPoint[]): HeldOutPrediction[] {
  const rows = rowsOf(points);
  return rows.map(({ p, row }, i) => {
    const k = constantsFor(solve(rows.filter((_, j) => j !== i)), p.target);
    const predicted = row[0] * k.alignedConv + row[1] * k.unalignedConv + row[2] * k.elementCycles + row[3 + CALIBRATED_TARGETS.indexOf(p.target)] * k.psramNsPerByte;
    return { label: p.label, target: p.target, ms: p.ms, predicted_ms: predicted, error: predicted / p.ms - 1 };
  });
}

/** Median and largest absolute error of some predictions. */
export function errorSummary(preds: readonly { error: number }[]): { median: number; max: number } {
  const a = preds.map((p) => Math.abs(p.error)).sort((x, y) => x - y);
  const mid = a.length >> 1;
  return { median: a.length === 0 ? 0 : a.length % 2 ? a[mid] : (a[mid - 1] + a[mid]) / 2, max: a[a.length - 1] ?? 0 };
}

/** A latency measured on a user's board (bench.json), with per-layer timings when the firmware profiled them. */
export interface Measurement {
  readonly graph: CostGraph;
  readonly ms: number;
  readonly deployment: Deployment;
  /** ESP-DL's per-module times (Model::profile_module), matched to cost ops by node name. */
  readonly layers?: readonly { readonly name: string; readonly us: number }[];
}

export interface Refinement {
  readonly constants: CostConstants;
  /** Extra factor per op class, from per-layer timings; classes without enough timed layers are absent. */
  readonly scaleByClass: Partial<Record<OpClass, number>>;
  readonly method: 'scale' | 'per-class';
  readonly measurements: number;
}

/** Timed layers a class needs before it gets its own factor. */
export const MIN_LAYERS_PER_CLASS = 3;

const lsqScale = (pairs: readonly { e: number; m: number }[]): number | undefined => {
  const ee = pairs.reduce((s, p) => s + p.e * p.e, 0);
  return ee > 0 ? pairs.reduce((s, p) => s + p.m * p.e, 0) / ee : undefined;
};

/**
 * Refines a chip's constants with measurements from the user's own board. Always: one least-squares scale
 * s = Σ mᵢ·eᵢ / Σ eᵢ² over the whole-model latencies, applied to every constant, so estimates follow the board's
 * speed (clock, PSRAM, sdkconfig) while keeping the model's relative costs. When the firmware also timed the layers,
 * each op class with at least MIN_LAYERS_PER_CLASS timed layers gets its own least-squares factor on top, fitted
 * on those layers.
 */
export function refineWithMeasurements(target: keyof typeof CHIPS, base: CostConstants, measured: readonly Measurement[]): Refinement {
  const estimate = (m: Measurement) => {
    const plan = planMemory(m.graph, { maxInternalBytes: m.deployment.maxInternalBytes, hasPsram: CHIPS[target].hasPsram });
    return graphTerms(m.graph, target, plan.location, m.deployment).map(({ op, terms }) => {
      const t = termsToMs(terms, base, target);
      return { op, ms: t.compute + t.memory };
    });
  };
  const perModel = measured.map((m) => ({ m, ops: estimate(m) })).filter(({ m, ops }) => m.ms > 0 && ops.length > 0);
  const scale = lsqScale(perModel.map(({ m, ops }) => ({ e: ops.reduce((s, o) => s + o.ms, 0), m: m.ms })));
  if (scale === undefined) throw new InputError(`no usable measurement to refine the ${target} latency model`);
  const constants: CostConstants = {
    alignedConv: base.alignedConv * scale, unalignedConv: base.unalignedConv * scale,
    elementCycles: base.elementCycles * scale, psramNsPerByte: base.psramNsPerByte * scale,
  };
  const byClass = new Map<OpClass, { e: number; m: number }[]>();
  for (const { m, ops } of perModel) {
    const us = new Map((m.layers ?? []).map((l) => [l.name, l.us]));
    for (const { op, ms } of ops) {
      const t = us.get(op.name);
      if (t === undefined || ms <= 0) continue;
      const list = byClass.get(op.cls) ?? [];
      list.push({ e: ms * scale, m: t / 1000 });
      byClass.set(op.cls, list);
    }
  }
  const scaleByClass: Partial<Record<OpClass, number>> = {};
  for (const [cls, pairs] of byClass) {
    const s = pairs.length >= MIN_LAYERS_PER_CLASS ? lsqScale(pairs) : undefined;
    if (s !== undefined) scaleByClass[cls] = s;
  }
  return { constants, scaleByClass, method: Object.keys(scaleByClass).length > 0 ? 'per-class' : 'scale', measurements: perModel.length };
}
