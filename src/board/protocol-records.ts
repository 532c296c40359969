/**
 * The records of the benchmark firmware's wire protocol (runner/PROTOCOL.md, version 1), as zod schemas.
 * Durations are integer microseconds, sizes bytes. Unknown extra fields are dropped (forward compatible).
 */
import { z } from 'zod';

/** The line prefix that marks a protocol record (one trailing space, then one JSON object). */
export const RECORD_PREFIX = 'ESPDL-BENCH ';

/** The protocol version this host understands (`hello.protocol`). */
export const PROTOCOL_VERSION = 1;

const count = z.number().int().nonnegative();
const index = count;

export const helloRecord = z.object({
  type: z.literal('hello'),
  protocol: z.number().int(),
  chip: z.string(),
  /** The firmware build (CONFIG_ESPDL_BENCH_VARIANT), e.g. 'esp32s3-octal'. */
  variant: z.string().optional(),
  /** Silicon revision, major × 100 + minor (esp_chip_info), e.g. 103 for v1.3. */
  chip_rev: count.optional(),
  idf: z.string().optional(),
  esp_dl: z.string().optional(),
  /** Hex; only the first CONFIG_APP_RETRIEVE_LEN_ELF_SHA digits (8-64) of the ELF's SHA-256. */
  app_elf_sha256: z.string().optional(),
  cpu_mhz: z.number().optional(),
  /** PSRAM found at boot, bytes (0: none, or not the kind this build drives). */
  psram: count.optional(),
  /** Whether ESP-DL copies the weights out of flash (param_copy). */
  param_copy: z.boolean().optional(),
  runs: count,
  warmup: count,
});

export const modelRecord = z.object({
  type: z.literal('model'), index, name: z.string(), bytes: count, count: count.optional(),
});

/** ESP-DL's `get_memory_info()["total"]`; a figure the firmware cannot trust (a heap difference that wrapped) is left out. */
export const memoryRecord = z.object({
  type: z.literal('memory'), index, internal: count.optional(), psram: count.optional(), flash: count.optional(),
});

export const testRecord = z.object({
  type: z.literal('test'), index, result: z.enum(['pass', 'fail', 'none']), message: z.string().optional(),
});

export const runRecord = z.object({
  type: z.literal('run'), index, i: count, us: count, warmup: z.boolean(),
});

export const latencyRecord = z.object({
  type: z.literal('latency'), index, warmup: count, runs_us: z.array(count).min(1),
});

export const layerRecord = z.object({
  type: z.literal('layer'), index, name: z.string(), op: z.string(), us: count,
});

export const errorRecord = z.object({
  type: z.literal('error'), index: index.optional(), code: z.string(), message: z.string(),
});

export const doneRecord = z.object({
  type: z.literal('done'), models: count, errors: count.optional(),
});

/** Any protocol record, discriminated by `type`. */
export const benchRecord = z.discriminatedUnion('type', [
  helloRecord, modelRecord, memoryRecord, testRecord, runRecord, latencyRecord, layerRecord, errorRecord,
  doneRecord,
]);

export type BenchRecord = z.infer<typeof benchRecord>;
export type HelloRecord = z.infer<typeof helloRecord>;
export type ModelRecord = z.infer<typeof modelRecord>;
export type MemoryRecord = z.infer<typeof memoryRecord>;
export type TestRecord = z.infer<typeof testRecord>;
export type RunRecord = z.infer<typeof runRecord>;
export type LatencyRecord = z.infer<typeof latencyRecord>;
export type LayerRecord = z.infer<typeof layerRecord>;
export type ErrorRecord = z.infer<typeof errorRecord>;
export type DoneRecord = z.infer<typeof doneRecord>;

/** Formats a record as the firmware prints it (used by the device emulator and by tests). */
export function formatRecord(record: BenchRecord): string {
  return `${RECORD_PREFIX}${JSON.stringify(record)}\n`;
}
