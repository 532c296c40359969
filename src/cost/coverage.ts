/**
 * What the latency model was fitted on, and how a model steps outside it. An estimate outside that range (an op
 * type, width, placement or size no fitted model had) rests on ESP-DL's kernel structure alone, not on a
 * published figure: the estimate says so instead of claiming the fitted accuracy.
 */
import type { CostTarget } from './chips.js';
import type { CostGraph } from './cost-graph.js';
import type { Deployment } from './latency-model.js';

/** The range of the fitting set, per calibrated chip. */
export interface FitCoverage {
  /** Op types that occur in at least one fitted model of any chip. */
  readonly opTypes: readonly string[];
  /** Activation widths seen. */
  readonly bits: readonly number[];
  readonly chips: Readonly<Record<string, {
    readonly models: number;
    readonly params: readonly string[];
    /** Smallest and largest total multiply-accumulates of a fitted model. */
    readonly macs: readonly [number, number];
    /** Smallest and largest activation bytes read and written by a fitted model. */
    readonly activationBytes: readonly [number, number];
    /** Largest single filter (bytes) of a fitted model. */
    readonly maxFilterBytes: number;
  }>>;
}

/** Size measures of a graph, as coverage compares them. */
export function graphSizes(g: CostGraph): { macs: number; activationBytes: number; maxFilterBytes: number; opTypes: Set<string>; bits: Set<number> } {
  let macs = 0;
  let act = 0;
  let filter = 0;
  const opTypes = new Set<string>();
  const bits = new Set<number>();
  for (const op of g.ops) {
    macs += op.macs;
    if (op.cls !== 'free') act += op.inBytes + op.outBytes;
    if (op.conv && !op.conv.filterIsActivation) filter = Math.max(filter, op.conv.filterBytes);
    opTypes.add(op.opType);
    if (op.cls !== 'free') bits.add(op.bits);
  }
  return { macs, activationBytes: act, maxFilterBytes: filter, opTypes, bits };
}

const fmt = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : `${n}`);

/** Plain-language reasons an estimate is an extrapolation; empty when the model is inside the fitted range. */
export function extrapolationNotes(g: CostGraph, target: CostTarget, deployment: Deployment, cov: FitCoverage): string[] {
  const notes: string[] = [];
  const chip = cov.chips[target];
  if (!chip) {
    notes.push(`${target} has no published latency to fit on: its costs are ESP32-S3's scaled by ESP-DL's published C/SIMD kernel ratios`);
    return notes;
  }
  const s = graphSizes(g);
  const free = new Set(g.ops.filter((o) => o.cls === 'free').map((o) => o.opType));
  const unseen = [...s.opTypes].filter((t) => !cov.opTypes.includes(t) && !free.has(t)).sort();
  if (unseen.length) notes.push(`op types no fitted model has: ${unseen.join(', ')} (costed from their kernel class only)`);
  const unknown = g.ops.filter((o) => o.unknown).map((o) => o.opType);
  if (unknown.length) notes.push(`op types without a known ESP-DL kernel, costed as scalar code: ${[...new Set(unknown)].join(', ')}`);
  const widths = [...s.bits].filter((b) => !cov.bits.includes(b));
  if (widths.length) notes.push(`${widths.map((b) => `${b}-bit`).join(', ')} operators: every fitted model is int8; wider ones are costed by SIMD lane count (2× for int16)`);
  if (!chip.params.includes(deployment.params)) notes.push(`parameters in ${deployment.params}: no fitted ${target} model ran that way`);
  if (deployment.maxInternalBytes > 0) notes.push('activations in internal RAM: every fitted model kept them in PSRAM (ESP-DL\'s default max_internal_size = 0); internal RAM is taken as free');
  if (s.macs < chip.macs[0] || s.macs > chip.macs[1]) notes.push(`${fmt(s.macs)} MACs, outside the fitted ${fmt(chip.macs[0])}–${fmt(chip.macs[1])}`);
  if (s.activationBytes < chip.activationBytes[0] || s.activationBytes > chip.activationBytes[1]) {
    notes.push(`${fmt(s.activationBytes)}B of activation traffic, outside the fitted ${fmt(chip.activationBytes[0])}B–${fmt(chip.activationBytes[1])}B`);
  }
  if (s.maxFilterBytes > chip.maxFilterBytes) notes.push(`a ${fmt(s.maxFilterBytes)}B filter, larger than any fitted (${fmt(chip.maxFilterBytes)}B)`);
  return notes;
}
