/**
 * A model of single-core ESP-DL inference latency with the structure of ESP-DL's kernels (docs/latency.md).
 * Every operator costs CPU time plus external-memory time:
 *
 *   compute  conv-like   (perCall · calls + perInstruction · SIMD instructions) · s_aligned | s_unaligned
 *            other ops   elementCycles · output elements · (bits / 8), × SIMD lanes when the kernel is scalar C
 *   memory   activation bytes read and written  · ns/B of where the tensor lives
 *            filter bytes: once, plus (calls − 1) · max(0, filter − L1 cache) re-read from where weights live
 *
 * perCall and perInstruction come from ESP-DL's kernel micro-benchmarks (kernel-priors.ts); the L1 cache,
 * clocks, SIMD width and the PSRAM/flash bandwidth ratio are chip facts (chips.ts); s_aligned, s_unaligned,
 * elementCycles and each chip's PSRAM ns/B are fitted to ESP-DL's published model-zoo latencies (fit.ts,
 * fitted.ts). Internal RAM is taken as free next to PSRAM (no published figure to fit it on).
 */
import { CHIPS, simdLanes, type ChipFacts, type CostTarget } from './chips.js';
import type { CostGraph, CostOp, MemoryLocation } from './cost-graph.js';
import { cKernelSlowdown, fitKernelShape, instructionsPerCall, type KernelShape } from './kernel-priors.js';
import { OP_CLASSES, type OpClass } from './op-class.js';

/** The fitted constants of one chip. */
export interface CostConstants {
  /** Scale of the micro-benchmark cycles of convolutions whose channels fill the SIMD lanes. */
  readonly alignedConv: number;
  /** The same for `_unaligned` kernels (channels padded to the lanes). */
  readonly unalignedConv: number;
  /** CPU cycles per int8 output element of a vectorised non-convolution op. */
  readonly elementCycles: number;
  /** Nanoseconds per byte moved between PSRAM and the cache. */
  readonly psramNsPerByte: number;
}

/** How the model is deployed: ESP-DL's `dl::Model` arguments that change where tensors live. */
export interface Deployment {
  /**
   * Where parameters live while the model runs: `psram` (ESP-DL's default param_copy = true on a board with
   * PSRAM), `flash` (param_copy = false, read through the cache; ESP-DL's YOLO11n component does this on boards
   * with less than 9 MB of PSRAM) or `internal`.
   */
  readonly params: MemoryLocation;
  /** ESP-DL's max_internal_size: bytes of internal RAM the memory planner may use for activations (default 0). */
  readonly maxInternalBytes: number;
}

export const DEFAULT_DEPLOYMENT: Deployment = { params: 'psram', maxInternalBytes: 0 };

/** The deployment ESP-DL uses by default on a chip (activations and parameters in PSRAM where there is PSRAM). */
export function defaultDeployment(target: CostTarget): Deployment {
  return CHIPS[target].hasPsram ? DEFAULT_DEPLOYMENT : { params: 'flash', maxInternalBytes: Number.POSITIVE_INFINITY };
}

/** The kernel shapes, fitted once from the published micro-benchmarks. */
export const KERNEL_SHAPES: Readonly<Record<'conv' | 'depthwise', KernelShape>> = {
  conv: fitKernelShape('conv'),
  depthwise: fitKernelShape('depthwise'),
};

/**
 * ESP32-P4 has no SIMD kernel for an aligned int8 convolution fused with LeakyReLU or PReLU
 * (dl_base_conv2d.cpp: "Don't be supported now"): ESP-DL runs its C kernel, as slow as the published C/SIMD
 * ratio of P4 convolutions says.
 */
const P4_C_FALLBACK_ACTIVATIONS = new Set(['LeakyRelu', 'PRelu']);

/** Where a tensor lives, per the memory plan (memory-plan.ts); parameters follow the deployment. */
export type TensorLocation = (name: string) => MemoryLocation;

/** The four additive terms of one op, before the fitted constants: what the fit regresses on. */
export interface OpTerms {
  /** Micro-benchmark cycles of aligned / unaligned convolution kernels. */
  readonly alignedCycles: number;
  readonly unalignedCycles: number;
  /** Output elements weighted by width and kernel kind (multiply by elementCycles for cycles). */
  readonly elementUnits: number;
  /** External-memory bytes, weighted to PSRAM-equivalents (flash bytes × the chip's PSRAM/flash bandwidth ratio). */
  readonly psramBytes: number;
}

const ZERO: OpTerms = { alignedCycles: 0, unalignedCycles: 0, elementUnits: 0, psramBytes: 0 };

function bytesWeight(chip: ChipFacts, where: MemoryLocation): number {
  if (where === 'internal') return 0;
  return where === 'flash' ? chip.psramPeakMBps / chip.flashPeakMBps : 1;
}

/** The terms of one op on a chip. `esp32` has no SIMD: its kernels are costed as S3's times the C/SIMD ratio. */
export function opTerms(op: CostOp, target: CostTarget, where: TensorLocation, deployment: Deployment): OpTerms {
  const chip = CHIPS[target];
  const simd = chip.simdBytes > 0 ? chip : CHIPS.esp32s3;
  if (op.cls === 'free') return ZERO;
  const lanes = simdLanes(simd, op.bits);
  const ioBytes = op.inBytes * bytesWeight(chip, inputLocation(op, where)) + op.outBytes * bytesWeight(chip, where(op.outputs[0] ?? ''));
  if (!op.conv) {
    // A scalar kernel (plain C, float, or any kernel on a chip without SIMD) handles one element per
    // instruction where a vector loop handles a register's worth.
    const scalar = op.cls === 'scalar' || op.bits > 16 || chip.simdBytes === 0;
    const units = op.outElements * (Math.min(op.bits, 16) / 8) * (scalar ? simdLanes(simd, 8) : 1);
    return { ...ZERO, elementUnits: units, psramBytes: ioBytes };
  }
  const c = op.conv;
  const area = c.kernel.reduce((a, b) => a * b, 1);
  const shape = KERNEL_SHAPES[c.depthwise ? 'depthwise' : 'conv'];
  let cycles = c.calls * (shape.perCall + shape.perInstruction * instructionsPerCall(area, c.cin, c.cout, c.depthwise, lanes));
  const aligned = c.cin % lanes === 0 && c.cout % lanes === 0;
  if (chip.simdBytes === 0) cycles *= cKernelSlowdown('esp32s3', c.depthwise ? 'depthwise' : 'conv');
  else if (target === 'esp32p4' && aligned && op.bits === 8 && P4_C_FALLBACK_ACTIVATIONS.has(c.activation)) cycles *= cKernelSlowdown('esp32p4', 'conv');
  const filterFrom = c.filterIsActivation ? where(op.inputs[1] ?? '') : deployment.params;
  const rereads = Math.max(0, c.calls - 1) * Math.max(0, c.filterBytes - chip.l1CacheBytes);
  const filterBytes = (c.filterBytes + rereads) * bytesWeight(chip, filterFrom);
  return {
    ...ZERO,
    alignedCycles: aligned ? cycles : 0,
    unalignedCycles: aligned ? 0 : cycles,
    psramBytes: ioBytes + filterBytes,
  };
}

/** Activation inputs of an op are costed where the first one lives (they share the arena). */
function inputLocation(op: CostOp, where: TensorLocation): MemoryLocation {
  return where(op.inputs.find((v) => v !== '') ?? '');
}

/** Milliseconds of an op's terms with a chip's constants, split into compute and memory. */
export function termsToMs(t: OpTerms, k: CostConstants, target: CostTarget): { compute: number; memory: number } {
  const mhz = CHIPS[target].mhz;
  const cycles = t.alignedCycles * k.alignedConv + t.unalignedCycles * k.unalignedConv + t.elementUnits * k.elementCycles;
  return { compute: cycles / mhz / 1000, memory: (t.psramBytes * k.psramNsPerByte) / 1e6 };
}

export interface ClassTime {
  readonly cls: OpClass;
  /** For k×k convolutions, one row per kernel size and stride (e.g. "3×3 s2"). */
  readonly detail: string;
  readonly ops: number;
  readonly compute_ms: number;
  readonly memory_ms: number;
}

export interface LatencyPrediction {
  readonly latency_ms: number;
  readonly compute_ms: number;
  readonly memory_ms: number;
  readonly byClass: readonly ClassTime[];
  /** The model's summed terms: what a refinement regresses on. */
  readonly terms: OpTerms;
}

const convDetail = (op: CostOp): string => {
  if (op.cls !== 'conv' || !op.conv) return '';
  const k = op.conv.kernel.join('×');
  const s = op.conv.strides.every((v) => v === op.conv?.strides[0]) ? `s${op.conv.strides[0]}` : `s${op.conv.strides.join('×')}`;
  return `${k} ${s}`;
};

/** The per-op terms of a graph. */
export function graphTerms(g: CostGraph, target: CostTarget, where: TensorLocation, deployment: Deployment): { op: CostOp; terms: OpTerms }[] {
  return g.ops.map((op) => ({ op, terms: opTerms(op, target, where, deployment) }));
}

export function sumTerms(ts: readonly OpTerms[]): OpTerms {
  return ts.reduce((a, t) => ({
    alignedCycles: a.alignedCycles + t.alignedCycles, unalignedCycles: a.unalignedCycles + t.unalignedCycles,
    elementUnits: a.elementUnits + t.elementUnits, psramBytes: a.psramBytes + t.psramBytes,
  }), ZERO);
}

/** Latency of a cost graph with given constants, per op class. `scaleByClass` multiplies one class's time (refinement). */
export function predictLatency(g: CostGraph, target: CostTarget, k: CostConstants, where: TensorLocation, deployment: Deployment, scaleByClass: Partial<Record<OpClass, number>> = {}): LatencyPrediction {
  const rows = new Map<string, { cls: OpClass; detail: string; ops: number; compute_ms: number; memory_ms: number }>();
  const perOp = graphTerms(g, target, where, deployment);
  for (const { op, terms } of perOp) {
    const ms = termsToMs(terms, k, target);
    const s = scaleByClass[op.cls] ?? 1;
    const detail = convDetail(op);
    const key = `${op.cls}|${detail}`;
    const row = rows.get(key) ?? { cls: op.cls, detail, ops: 0, compute_ms: 0, memory_ms: 0 };
    row.ops += 1;
    row.compute_ms += ms.compute * s;
    row.memory_ms += ms.memory * s;
    rows.set(key, row);
  }
  const byClass = [...rows.values()].sort((a, b) => OP_CLASSES.indexOf(a.cls) - OP_CLASSES.indexOf(b.cls) || a.detail.localeCompare(b.detail));
  const compute = byClass.reduce((s, r) => s + r.compute_ms, 0);
  const memory = byClass.reduce((s, r) => s + r.memory_ms, 0);
  return { latency_ms: compute + memory, compute_ms: compute, memory_ms: memory, byClass, terms: sumTerms(perOp.map((p) => p.terms)) };
}
