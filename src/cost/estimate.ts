/**
 * The latency and memory estimate of a model on a target: the cost graph, ESP-DL's memory plan, the fitted
 * latency model, an uncertainty band from the model's leave-one-out errors on that chip, and the ways the model
 * lies outside what the constants were fitted on. Pure: file reading and ONNX shape tracing are the caller's.
 */
import { InputError } from '../errors.js';
import { pickModel } from '../espdl/canonical.js';
import { parseContainer } from '../espdl/container.js';
import { readContainerModel, type KeyOptions } from '../espdl/open-model.js';
import type { EspdlModelView } from '../espdl/model-view.js';
import type { Graph } from '../ir/graph.js';
import { CHIPS, type CostTarget } from './chips.js';
import { costGraphFromEspdl, costGraphFromOnnx, type CostGraph } from './cost-graph.js';
import { extrapolationNotes, graphSizes } from './coverage.js';
import { constantsFor, type Refinement } from './fit.js';
import { FIT_COVERAGE, FITTED, LEAVE_ONE_OUT } from './fitted.js';
import { cKernelSlowdown } from './kernel-priors.js';
import { defaultDeployment, predictLatency, type ClassTime, type CostConstants, type Deployment } from './latency-model.js';
import { planMemory } from './memory-plan.js';

export interface EstimateOptions {
  /** Where parameters and activations live (default: ESP-DL's defaults for the chip). */
  readonly deployment?: Partial<Deployment>;
  /** Constants refined with measurements from the user's board (fit.ts refineWithMeasurements). */
  readonly refinement?: Refinement;
}

export interface LatencyEstimate {
  readonly target: CostTarget;
  /** Estimated single-core model latency (pre/post-processing excluded), milliseconds. */
  readonly latency_ms: number;
  /**
   * Where a measurement would fall if this model erred like the fitted ones: the estimate divided by
   * (1 + the largest and smallest leave-one-out error on this chip). null for an uncalibrated chip.
   */
  readonly band_ms: readonly [number, number] | null;
  readonly band_basis: string;
  readonly compute_ms: number;
  readonly memory_ms: number;
  /** Time per op class (k×k convolutions per kernel size and stride). */
  readonly by_class: readonly ClassTime[];
  /** Activation arenas of ESP-DL's memory plan plus parameters where they live; flash = the model record. */
  readonly memory_bytes: { readonly internal: number; readonly psram: number; readonly flash: number };
  readonly macs: number;
  readonly calibrated: boolean;
  readonly refined: { readonly method: Refinement['method']; readonly measurements: number } | null;
  readonly deployment: Deployment;
  /** Nodes without known shapes, not included. */
  readonly uncosted: readonly string[];
  /** Why the estimate is an extrapolation (empty inside the fitted range). */
  readonly extrapolation: readonly string[];
  /** Problems a user should act on, e.g. activations that cannot fit a chip without PSRAM. */
  readonly warnings: readonly string[];
}

/** ESP32 datasheet: 320 KB of its 520 KB SRAM is data RAM. */
const ESP32_DRAM_BYTES = 320 * 1024;

/** The constants of a target: fitted for S3/P4; ESP32 (no SIMD) gets S3's, its kernels being costed as C. */
export function targetConstants(target: CostTarget): CostConstants {
  return constantsFor(FITTED, target === 'esp32' ? 'esp32s3' : target);
}

function band(target: CostTarget, ms: number): { band: readonly [number, number] | null; basis: string } {
  const loo = target === 'esp32' ? [] : LEAVE_ONE_OUT.filter((p) => p.target === target);
  if (loo.length === 0) return { band: null, basis: `no published ${target} latency to bound the estimate` };
  const errs = loo.map((p) => p.error);
  const lo = ms / (1 + Math.max(...errs));
  const hi = ms / (1 + Math.min(...errs));
  return { band: [lo, hi], basis: `the range of leave-one-out errors over ${loo.length} published ${target} models` };
}

/** Estimates a cost graph; `flashBytes` is the size of the model as flashed. */
export function estimateGraph(g: CostGraph, target: CostTarget, flashBytes: number, opts: EstimateOptions = {}): LatencyEstimate {
  const chip = CHIPS[target];
  const deployment: Deployment = { ...defaultDeployment(target), ...opts.deployment };
  if (!chip.hasPsram && deployment.params === 'psram') throw new InputError(`${target} has no PSRAM in the latency model: put parameters in flash or internal RAM`);
  const plan = planMemory(g, { maxInternalBytes: deployment.maxInternalBytes, hasPsram: chip.hasPsram });
  const k = opts.refinement?.constants ?? targetConstants(target);
  const pred = predictLatency(g, target, k, plan.location, deployment, opts.refinement?.scaleByClass);
  const { band: b, basis } = band(target, pred.latency_ms);
  const memory = {
    internal: plan.internalBytes + (deployment.params === 'internal' ? g.paramBytes : 0),
    psram: plan.psramBytes + (deployment.params === 'psram' ? g.paramBytes : 0),
    flash: flashBytes,
  };
  const warnings: string[] = [];
  if (!chip.hasPsram && memory.internal > ESP32_DRAM_BYTES) {
    warnings.push(`activations need ${memory.internal} B of internal RAM, more than the ${ESP32_DRAM_BYTES} B of data RAM ${target} has: the model does not fit without PSRAM`);
  }
  const extrapolation = extrapolationNotes(g, target, deployment, FIT_COVERAGE);
  if (target === 'esp32') extrapolation.push(`ESP32 kernels are plain C: ${cKernelSlowdown('esp32s3', 'conv').toFixed(0)}× ESP32-S3's SIMD convolution time (published S3 C/SIMD median)`);
  return {
    target, latency_ms: pred.latency_ms, band_ms: b, band_basis: basis, compute_ms: pred.compute_ms, memory_ms: pred.memory_ms,
    by_class: pred.byClass, memory_bytes: memory, macs: graphSizes(g).macs, calibrated: target !== 'esp32',
    refined: opts.refinement ? { method: opts.refinement.method, measurements: opts.refinement.measurements } : null,
    deployment, uncosted: g.uncosted, extrapolation, warnings,
  };
}

/** Estimates a decoded `.espdl` model; `flashBytes` defaults to its record's size. */
export function estimateEspdlModel(model: EspdlModelView, target: CostTarget, flashBytes: number, opts: EstimateOptions = {}): LatencyEstimate {
  return estimateGraph(costGraphFromEspdl(model), target, flashBytes, opts);
}

export interface FileOptions extends KeyOptions, EstimateOptions {
  /** Package member (name or index) for PDL files. */
  readonly model?: string | number;
}

const ESPDL_MAGIC = /^(EDL1|EDL2|PDL1|PDL2|PDL3)$/;

export function isEspdlFile(bytes: Uint8Array): boolean {
  return ESPDL_MAGIC.test(new TextDecoder('latin1').decode(bytes.subarray(0, 4)));
}

/** Estimates an `.espdl` file (EDL1/EDL2, or one model of a PDL package); `file` names it in messages. */
export function estimateEspdlFile(bytes: Uint8Array, file: string, target: CostTarget, opts: FileOptions = {}): LatencyEstimate & { ops: number } {
  const container = parseContainer(bytes, file);
  const entry = pickModel(container.models, opts.model, file);
  const g = costGraphFromEspdl(readContainerModel(entry, file, opts));
  // Flash footprint: this model's EDL record (header + payload), not the whole package.
  return { ...estimateGraph(g, target, entry.payload.length + 16, opts), ops: g.ops.length };
}

/**
 * Estimates an ONNX graph as it would deploy with `bits`-wide activations. The graph should have static shapes
 * (prepareModel with the input shape, then ensureShapes); values still unknown leave their nodes uncosted.
 */
export function estimateOnnxGraph(graph: Graph, target: CostTarget, bits: 8 | 16, opts: EstimateOptions = {}): LatencyEstimate & { ops: number } {
  const g = costGraphFromOnnx(graph, bits);
  return { ...estimateGraph(g, target, g.paramBytes, opts), ops: g.ops.length };
}

