/**
 * `bench.json`: the result of benchmarking candidates on boards or in QEMU (schema `espdl-autoquant.bench/1`).
 * Latencies are microseconds; the gate (`max-latency-ms`) uses `latency_us.median / 1000`. QEMU results carry
 * `icount` (instructions, deterministic) and never `latency_us`, and their `test` results are advisory
 * (`test_advisory`).
 */
import { z } from 'zod';

export const BENCH_SCHEMA_ID = 'espdl-autoquant.bench/1';

const stats = { min: z.number(), median: z.number(), mean: z.number(), p90: z.number(), max: z.number() };

/** Per-candidate latency: the timed runs (warm-up excluded) and their statistics, µs. */
export const latencySummary = z.object({ warmup: z.number().int(), runs: z.array(z.number()), ...stats });

/** QEMU only: instructions executed per run, from `-icount shift=N` virtual time (runs_us·1000 / 2^N). */
export const icountSummary = z.object({ shift: z.number().int(), runs: z.array(z.number()), ...stats });

export const memoryBytes = z.object({
  internal: z.number().int().nullable(),
  psram: z.number().int().nullable(),
  flash: z.number().int().nullable(),
});

export const candidateStatus = z.enum(['ok', 'test-failed', 'crashed', 'skipped', 'error']);

export const candidateResult = z.object({
  name: z.string(),
  file: z.string().nullable(),
  status: candidateStatus,
  /** Why the status is not `ok` (crash line, timeout, board lost, firmware error record). */
  reason: z.string().nullable(),
  board: z.string().nullable(),
  attempts: z.number().int(),
  /** `Model::test()` on the device: pass / fail / none (no embedded test values) / null (not reached). */
  test: z.enum(['pass', 'fail', 'none']).nullable(),
  model_bytes: z.number().int().nullable(),
  latency_us: latencySummary.nullable(),
  icount: icountSummary.nullable(),
  memory_bytes: memoryBytes.nullable(),
  layers: z.array(z.object({ name: z.string(), op: z.string(), us: z.number() })),
});

export const boardStatus = z.enum(['ok', 'silent', 'hang', 'disconnected', 'wrong-chip', 'error']);

export const boardResult = z.object({
  id: z.string(),
  status: boardStatus,
  reason: z.string().nullable(),
  chip: z.string().nullable(),
  /** The firmware build the board ran (`hello.variant`); absent in reports of earlier versions. */
  variant: z.string().nullable().optional(),
  /** Silicon revision (`hello.chip_rev`, major × 100 + minor). */
  chip_rev: z.number().int().nullable().optional(),
  app_elf_sha256: z.string().nullable(),
  firmware_flashed: z.boolean(),
});

export const benchReport = z.object({
  schema: z.literal(BENCH_SCHEMA_ID),
  created: z.string(),
  mode: z.enum(['board', 'qemu']),
  chip: z.string(),
  runs: z.number().int(),
  warmup: z.number().int(),
  boards: z.array(boardResult),
  candidates: z.array(candidateResult),
  /**
   * Set when the `test` results are advisory, with the reason: in QEMU (Espressif QEMU has open bugs in the
   * ESP32-S3 vector instructions ESP-DL uses), a failed Model::test() does not mean the model fails on silicon.
   */
  test_advisory: z.string().nullable().optional(),
});

export type BenchReport = z.infer<typeof benchReport>;
export type CandidateResult = z.infer<typeof candidateResult>;
export type CandidateStatus = z.infer<typeof candidateStatus>;
export type BoardResult = z.infer<typeof boardResult>;
export type BoardStatus = z.infer<typeof boardStatus>;
export type LatencySummary = z.infer<typeof latencySummary>;
