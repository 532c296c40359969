/**
 * What a candidate costs on the chip — the latency model's estimate and, after `bench`, what a board (or QEMU)
 * measured — kept in the candidate's record under one extras key of ours, `espdl_autoquant`:
 *
 *   "espdl_autoquant": {
 *       "target": "esp32p4",
 *       "estimated": {"latency_ms": 0.41, "latency_band_ms": [0.36, 0.57], "ram_bytes": 12288,
 *                     "memory_bytes": {"internal": 0, "psram": 12288, "flash": 27136}, "calibrated": true},
 *       "measured": {"source": "board", "chip": "esp32p4", "status": "ok", "test": "pass", "latency_ms": 0.39,
 *                    "ram_bytes": 10240, "memory_bytes": {"internal": 10240, "psram": 0, "flash": null}}
 *   }
 *
 * ESP-PPQ's records take free-form extras beside `score`, so its tools read these run folders unchanged; the
 * candidate hash covers strategy and params only, so resume is unaffected. QEMU runs are advisory: their
 * `measured` block has `instructions`, never `latency_ms` (an emulator's clock says nothing about a chip's).
 * Records may come from an artifact a fork produced: `deploymentCostOf` reads them defensively and keeps only
 * well-formed numbers and known words.
 */
import { isPyDict, isPyNumber, num, pyFloat, type PyDict, type PyValue } from './py-value.js';

/**
 * What counts as the deployment cost when balancing: ESP-PPQ's flags (int16 promotion, layer split), or ours,
 * the latency model's estimate (`deployment_cost: estimated_latency`).
 */
export const DEPLOYMENT_COST_RULES = ['flags', 'estimated_latency'] as const;
export type DeploymentCostRule = (typeof DEPLOYMENT_COST_RULES)[number];

/** Default `latency_tolerance`: within 5 % of the fastest estimate counts as fast. */
export const DEFAULT_LATENCY_TOLERANCE = 0.05;

/** How a search balances its Top-K (null = plain Top-K). */
export interface TopkBalance { cost: DeploymentCostRule; latencyTolerance: number }

/** The extras key that holds our deployment figures (ESP-PPQ's own extras never use it). */
export const DEPLOYMENT_COST_KEY = 'espdl_autoquant';

export interface MemoryBytes { internal: number | null; psram: number | null; flash: number | null }

/** The latency model's figures for one candidate (docs/latency.md). */
export interface EstimatedCost {
  /** Single-core model latency on the target, ms. */
  latency_ms: number;
  /** Where a measurement would likely fall (null where no published figures bound it). */
  latency_band_ms: [number, number] | null;
  /** RAM the model needs while it runs (internal + PSRAM), bytes. */
  ram_bytes: number;
  memory_bytes: { internal: number; psram: number; flash: number };
  /** False for chips without published latencies to fit on. */
  calibrated: boolean;
}

export const MEASURE_SOURCES = ['board', 'qemu'] as const;
export const MEASURED_TESTS = ['pass', 'fail', 'none'] as const;
export const MEASURED_STATUSES = ['ok', 'test-failed', 'crashed', 'skipped', 'error'] as const;

/** One bench result of the candidate (bench.json), reduced to what the reports show. */
export interface MeasuredCost {
  source: (typeof MEASURE_SOURCES)[number];
  chip: string;
  status: (typeof MEASURED_STATUSES)[number];
  /** The on-device Model::test() (advisory in QEMU); null when not reached. */
  test: (typeof MEASURED_TESTS)[number] | null;
  /** Median of the firmware's timed runs, ms: boards only. */
  latency_ms?: number;
  /** Median instructions per inference: QEMU only (deterministic, not a latency). */
  instructions?: number;
  ram_bytes?: number;
  memory_bytes?: MemoryBytes;
}

export interface DeploymentCost {
  target: string;
  estimated?: EstimatedCost;
  measured?: MeasuredCost;
}

const finite = (v: PyValue | undefined): number | undefined => (isPyNumber(v) && Number.isFinite(num(v)) && num(v) >= 0 ? num(v) : undefined);
const nullableBytes = (v: PyValue | undefined): number | null => finite(v) ?? null;
const word = <T extends string>(v: PyValue | undefined, allowed: readonly T[]): T | undefined =>
  typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
/** Chip names are short identifiers (esp32p4); anything else from an artifact is dropped. */
const chipName = (v: PyValue | undefined): string | undefined => (typeof v === 'string' && /^[a-z0-9_-]{1,24}$/.test(v) ? v : undefined);

function readEstimated(v: PyValue | undefined): EstimatedCost | undefined {
  if (!isPyDict(v)) return undefined;
  const latency = finite(v.latency_ms);
  const mem = isPyDict(v.memory_bytes) ? v.memory_bytes : {};
  const [internal, psram, flash] = [finite(mem.internal) ?? 0, finite(mem.psram) ?? 0, finite(mem.flash) ?? 0];
  if (latency === undefined) return undefined;
  const band = Array.isArray(v.latency_band_ms) && v.latency_band_ms.length === 2 ? v.latency_band_ms.map(finite) : [];
  return {
    latency_ms: latency, latency_band_ms: band.length === 2 && band.every((b) => b !== undefined) ? [band[0]!, band[1]!] : null,
    ram_bytes: finite(v.ram_bytes) ?? internal + psram, memory_bytes: { internal, psram, flash }, calibrated: v.calibrated === true,
  };
}

function readMeasured(v: PyValue | undefined): MeasuredCost | undefined {
  if (!isPyDict(v)) return undefined;
  const source = word(v.source, MEASURE_SOURCES);
  const status = word(v.status, MEASURED_STATUSES);
  if (!source || !status) return undefined;
  const out: MeasuredCost = { source, chip: chipName(v.chip) ?? '?', status, test: word(v.test, MEASURED_TESTS) ?? null };
  const latency = finite(v.latency_ms);
  if (latency !== undefined && source === 'board') out.latency_ms = latency;
  const instructions = finite(v.instructions);
  if (instructions !== undefined && source === 'qemu') out.instructions = instructions;
  const ram = finite(v.ram_bytes);
  if (ram !== undefined) out.ram_bytes = ram;
  if (isPyDict(v.memory_bytes)) {
    const m = v.memory_bytes;
    out.memory_bytes = { internal: nullableBytes(m.internal), psram: nullableBytes(m.psram), flash: nullableBytes(m.flash) };
  }
  return out;
}

/** The deployment figures of a record (undefined when it has none, e.g. a record ESP-PPQ wrote). */
export function deploymentCostOf(record: PyDict): DeploymentCost | undefined {
  const v = record[DEPLOYMENT_COST_KEY];
  if (!isPyDict(v)) return undefined;
  const estimated = readEstimated(v.estimated);
  const measured = readMeasured(v.measured);
  if (!estimated && !measured) return undefined;
  return { target: chipName(v.target) ?? '?', ...(estimated ? { estimated } : {}), ...(measured ? { measured } : {}) };
}

/** The estimated latency of a record, ms (undefined without an estimate). */
export function estimatedLatencyOf(record: PyDict): number | undefined {
  return deploymentCostOf(record)?.estimated?.latency_ms;
}

const float = (x: number): number | ReturnType<typeof pyFloat> => pyFloat(x);
const memory = (m: MemoryBytes | EstimatedCost['memory_bytes']): PyDict => ({ internal: m.internal, psram: m.psram, flash: m.flash });

/** The JSON form of the figures (latencies as Python floats, bytes as ints), in the order documented above. */
export function deploymentCostValue(c: DeploymentCost): PyDict {
  const out: PyDict = { target: c.target };
  const e = c.estimated;
  if (e) {
    out.estimated = {
      latency_ms: float(e.latency_ms), latency_band_ms: e.latency_band_ms ? e.latency_band_ms.map(float) : null,
      ram_bytes: e.ram_bytes, memory_bytes: memory(e.memory_bytes), calibrated: e.calibrated,
    };
  }
  const m = c.measured;
  if (m) {
    const mv: PyDict = { source: m.source, chip: m.chip, status: m.status, test: m.test };
    if (m.latency_ms !== undefined) mv.latency_ms = float(m.latency_ms);
    if (m.instructions !== undefined) mv.instructions = m.instructions;
    if (m.ram_bytes !== undefined) mv.ram_bytes = m.ram_bytes;
    if (m.memory_bytes) mv.memory_bytes = memory(m.memory_bytes);
    out.measured = mv;
  }
  return out;
}

/** `record` with its deployment figures replaced (key order kept; a new key goes last, after the evaluator's extras). */
export function withDeploymentCost(record: PyDict, cost: DeploymentCost): PyDict {
  return { ...record, [DEPLOYMENT_COST_KEY]: deploymentCostValue(cost) };
}

/**
 * `records` with what bench measured (by experiment index) attached to the ones it ran; each record's estimate is
 * kept, and a record without figures (ESP-PPQ wrote it) is given the bench's chip as its target.
 */
export function withMeasurements(records: readonly PyDict[], measured: ReadonlyMap<number, MeasuredCost>): PyDict[] {
  return records.map((r) => {
    const m = isPyNumber(r.index) ? measured.get(num(r.index)) : undefined;
    if (!m) return r;
    const estimated = deploymentCostOf(r)?.estimated;
    return withDeploymentCost(r, { target: deploymentCostOf(r)?.target ?? m.chip, ...(estimated ? { estimated } : {}), measured: m });
  });
}
