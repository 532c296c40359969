/**
 * Benchmark candidates in an emulator (Espressif QEMU): one emulator run per candidate, each on a flash
 * image composed from the firmware build with the candidate in the `model` partition. QEMU has no timing
 * model, so results carry instruction counts (`icount`) and correctness, never latency (docs/esp-dl.md §4.3). A Model::test()
 * result in QEMU is advisory (QEMU_TEST_ADVISORY): a failure does not make the candidate `test-failed`.
 */
import type { Logger } from '../log.js';
import { BENCH_SCHEMA_ID, type BenchReport, type CandidateResult } from './bench-report.js';
import type { BenchCandidate } from './bench.js';
import { emptyResult, resultFromRecords } from './candidate-result.js';
import { composeFlashImage, partitionPart, type ImagePart } from './flash-image.js';
import type { PartitionEntry } from './partition-table.js';
import type { CrashReason } from './protocol.js';
import type { BenchRecord, HelloRecord } from './protocol-records.js';
import { sampleStats } from './stats.js';

/** Why QEMU's Model::test() results are advisory (bench.json `test_advisory`, CLI output, PR comment). */
export const QEMU_TEST_ADVISORY =
  'Model::test() in QEMU is advisory: Espressif QEMU has open bugs in ESP32-S3 vector instructions ESP-DL uses ' +
  '(saturating add/sub, EE.SLCXXP/SRCXXP: espressif/qemu#161, #164, #165, #166); confirm on a board. QEMU has no ESP32-P4.';

/** How one emulator run ended, with the records it printed. */
export interface EmulatorRun {
  readonly records: readonly BenchRecord[];
  readonly end:
    | { readonly kind: 'done' }
    | { readonly kind: 'crash'; readonly reason: CrashReason; readonly line: string }
    | { readonly kind: 'timeout'; readonly afterMs: number }
    | { readonly kind: 'exit'; readonly code: number | null; readonly signal: string | null; readonly detail: string };
}

/** Runs a flash image to completion (src/node/qemu.ts implements it over qemu-system-*). */
export type EmulatorRunner = (image: Uint8Array, label: string, signal?: AbortSignal) => Promise<EmulatorRun>;

export interface EmulatorBenchRequest {
  readonly candidates: readonly BenchCandidate[];
  readonly chip: string;
  /** Bootloader, partition table and app at their offsets (from flasher_args.json). */
  readonly baseParts: readonly ImagePart[];
  readonly partitionTable: readonly PartitionEntry[];
  /** Flash size in bytes, or undefined for the smallest that fits. */
  readonly flashSize?: number;
  /** The `-icount shift` the runner uses: one instruction = 2^shift ns of virtual time. */
  readonly icountShift: number;
  readonly run: EmulatorRunner;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly created: string;
}

/** Converts µs of `-icount` virtual time to instructions: t[ns] = n · 2^shift. */
export function instructionsFromVirtualUs(us: number, shift: number): number {
  return Math.round((us * 1000) / 2 ** shift);
}

/** Moves a result's virtual-time "latency" into `icount`; the latency field stays null. */
export function asIcountResult(result: CandidateResult, shift: number): CandidateResult {
  if (result.latency_us === null) return result;
  const runs = result.latency_us.runs.map((us) => instructionsFromVirtualUs(us, shift));
  return { ...result, latency_us: null, icount: { shift, runs, ...sampleStats(runs) } };
}

export async function benchInEmulator(req: EmulatorBenchRequest): Promise<BenchReport> {
  const results: CandidateResult[] = [];
  let hello: HelloRecord | undefined;
  for (const c of req.candidates) {
    req.signal?.throwIfAborted();
    let image: Uint8Array;
    try {
      image = composeFlashImage([...req.baseParts, partitionPart(req.partitionTable, 'model', c.bytes, c.file ?? c.name)], req.flashSize);
    } catch (err) {
      results.push({ ...emptyResult(c, 'error', (err as Error).message), board: 'qemu' });
      continue;
    }
    req.logger.info(`qemu: ${c.name}`);
    const run = await req.run(image, c.name, req.signal);
    hello ??= run.records.find((r): r is HelloRecord => r.type === 'hello');
    results.push({ ...fromRun(c, run, req.icountShift), board: 'qemu', attempts: 1 });
  }
  return {
    schema: BENCH_SCHEMA_ID, created: req.created, mode: 'qemu', chip: req.chip,
    runs: hello?.runs ?? 0, warmup: hello?.warmup ?? 0, boards: [], candidates: results,
    test_advisory: QEMU_TEST_ADVISORY,
  };
}

/** A failed test in QEMU keeps the candidate's status: the failure may be the emulator's. */
function advisoryTest(result: CandidateResult): CandidateResult {
  if (result.status !== 'test-failed') return result;
  return { ...result, status: 'ok', reason: 'Model::test() failed in QEMU (advisory: it may be an emulator bug; confirm on a board)' };
}

function fromRun(c: BenchCandidate, run: EmulatorRun, shift: number): CandidateResult {
  const base = advisoryTest(asIcountResult(resultFromRecords(c, run.records), shift));
  switch (run.end.kind) {
    case 'done':
      return base;
    case 'crash':
      return { ...base, status: 'crashed', reason: `${run.end.reason}: ${run.end.line}` };
    case 'timeout':
      return { ...base, status: 'error', reason: `qemu: no done record within ${run.end.afterMs} ms (wall clock); killed` };
    case 'exit':
      return { ...base, status: 'error', reason: `qemu exited (${run.end.code === null ? `signal ${run.end.signal}` : `code ${run.end.code}`}) before the done record${run.end.detail ? `: ${run.end.detail}` : ''}` };
  }
}
