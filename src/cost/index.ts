/**
 * Estimated latency and memory of a model on an ESP32 chip, before anyone owns the board (docs/latency.md).
 *
 * For the search and its reports, one call per candidate:
 *
 *   const cost = estimateCandidate(espdlBytes, 'esp32p4');   // undefined for a target the model does not know
 *   cost.latency_ms        // single-core model latency, ms (pre/post-processing excluded)
 *   cost.band_ms           // [low, high]: where a measurement would fall if the model erred as on the published models
 *   cost.memory_bytes      // { internal, psram, flash }: ESP-DL's activation arenas + parameters, and the flashed model
 *   cost.ram_bytes         // internal + psram
 *
 * Everything here is pure (no file or process access) and deterministic.
 */
import type { EspdlModelView } from '../espdl/model-view.js';
import { parseContainer } from '../espdl/container.js';
import { readEspdlModel } from '../espdl/read.js';
import { COST_TARGETS, type CostTarget } from './chips.js';
import { costGraphFromEspdl } from './cost-graph.js';
import { estimateGraph, type EstimateOptions, type LatencyEstimate } from './estimate.js';

export { COST_TARGETS, type CostTarget } from './chips.js';
export type { EstimateOptions, LatencyEstimate } from './estimate.js';
export type { Deployment } from './latency-model.js';

export interface CandidateEstimate {
  readonly target: CostTarget;
  readonly latency_ms: number;
  /** null where no published figure bounds the estimate (esp32). */
  readonly band_ms: readonly [number, number] | null;
  readonly memory_bytes: { readonly internal: number; readonly psram: number; readonly flash: number };
  /** RAM the model needs while it runs: internal + PSRAM. */
  readonly ram_bytes: number;
  /** False for chips without published latencies to fit on (esp32). */
  readonly calibrated: boolean;
  /** Why this estimate is an extrapolation (empty inside the fitted range). */
  readonly extrapolation: readonly string[];
}

/** The chip the latency model costs a quantization target on, or undefined when it has no model for it. */
export function costTargetOf(target: string): CostTarget | undefined {
  if ((COST_TARGETS as readonly string[]).includes(target)) return target as CostTarget;
  return target === 'c' ? 'esp32' : undefined;
}

/**
 * Latency and memory of a deployable model (the `.espdl` bytes of an EDL2 file, or its decoded view) on a target
 * (a quantization target name: esp32p4, esp32s3, esp32 or c). Undefined for targets the model does not know.
 */
export function estimateCandidate(espdl: Uint8Array | EspdlModelView, target: string, opts: EstimateOptions = {}): CandidateEstimate | undefined {
  const chip = costTargetOf(target);
  if (!chip) return undefined;
  let model: EspdlModelView;
  let flash: number;
  if (espdl instanceof Uint8Array) {
    const entry = parseContainer(espdl).models[0];
    model = readEspdlModel(entry.payload);
    flash = entry.payload.length + 16;
  } else {
    model = espdl;
    flash = 0;
  }
  return summary(estimateGraph(costGraphFromEspdl(model), chip, flash, opts));
}

function summary(e: LatencyEstimate): CandidateEstimate {
  return {
    target: e.target, latency_ms: e.latency_ms, band_ms: e.band_ms, memory_bytes: e.memory_bytes,
    ram_bytes: e.memory_bytes.internal + e.memory_bytes.psram, calibrated: e.calibrated, extrapolation: e.extrapolation,
  };
}
