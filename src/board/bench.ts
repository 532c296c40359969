/**
 * The bench use case: run every candidate on one of the boards of one chip and collect `bench.json`.
 *
 * Boards share one queue of candidates. Per board: probe (reset, read `hello`), pick the firmware build the
 * board needs (firmware-variant.ts: P4 silicon family, PSRAM kind) and flash it when the board has none or
 * another build (by ELF SHA-256), then for each candidate: flash it to the `model` partition, reset, read until
 * `done`. Failure policy (runner/PROTOCOL.md):
 * - silent board → retried, then the board is dropped and its candidate goes back to the queue;
 * - disconnected board → dropped, candidate goes back to the queue;
 * - hang (output stopped) → retried, then the candidate is recorded as `error` and the board goes on;
 * - crash / reboot → the candidate is recorded as `crashed` (no retry: a model crash is deterministic).
 * Candidates left when every board is gone are `skipped` with the boards' reasons.
 */
import type { Logger } from '../log.js';
import { InputError } from '../errors.js';
import { runAttempt, DEFAULT_TIMEOUTS, type AttemptOptions, type AttemptOutcome, type AttemptTimeouts } from './attempt.js';
import { BENCH_SCHEMA_ID, type BenchReport, type BoardResult, type CandidateResult } from './bench-report.js';
import { emptyResult, resultFromRecords, type CandidateInfo } from './candidate-result.js';
import type { BoardLink, Clock } from './link.js';
import { boardVariants, isChipRevisionRefusal, nextVariant, type FirmwareVariant } from './firmware-variant.js';
import { PROTOCOL_VERSION, type HelloRecord } from './protocol-records.js';
import type { ResetStrategy } from './reset.js';

/** A candidate model to benchmark. */
export interface BenchCandidate extends CandidateInfo {
  /** The `.espdl` bytes written to the `model` partition. */
  readonly bytes: Uint8Array;
}

/**
 * Writes to a board's flash. The bench closes the link before calling it (flashers open the port
 * themselves) and reopens it afterwards.
 */
export interface BoardFlasher {
  /** Writes the firmware build named `variant` (bootloader, partition table, app). */
  flashFirmware(boardId: string, variant: string, signal?: AbortSignal): Promise<void>;
  /** Writes a candidate into the `model` partition of build `variant` (the one the board runs). */
  flashModel(boardId: string, candidate: BenchCandidate, variant: string | undefined, signal?: AbortSignal): Promise<void>;
}

export interface BenchRequest {
  readonly boards: readonly BoardLink[];
  readonly candidates: readonly BenchCandidate[];
  /** Expected `hello.chip`, e.g. 'esp32p4'. */
  readonly chip: string;
  /** Absent: boards already carry firmware and model (measure what is there, one candidate per board). */
  readonly flasher?: BoardFlasher;
  /**
   * The firmware builds the flasher can write (with their ELF SHA-256): each board gets the one it needs; a
   * board reporting another build is re-flashed. Absent: whatever the boards run is measured.
   */
  readonly firmware?: readonly FirmwareVariant[];
  /** Use only this build (the --variant flag), whatever the boards report. */
  readonly variant?: string;
  readonly reset: ResetStrategy;
  readonly timeouts?: Partial<AttemptTimeouts>;
  /** Extra attempts for a silent board or a hang. Default 1. */
  readonly retries?: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** ISO time stamp for the report (injected for reproducible output). */
  readonly created: string;
}

interface Shared {
  readonly req: BenchRequest;
  readonly timeouts: AttemptTimeouts;
  readonly queue: BenchCandidate[];
  readonly results: Map<string, CandidateResult>;
  /** The builds a board may run, most likely first (empty: no builds given). */
  readonly options: readonly FirmwareVariant[];
  hello?: HelloRecord;
}

/** Benchmarks all candidates; never throws for board trouble (it is recorded), only for abort or bugs. */
export async function benchOnBoards(req: BenchRequest): Promise<BenchReport> {
  const shared: Shared = {
    req, timeouts: { ...DEFAULT_TIMEOUTS, ...req.timeouts }, queue: [...req.candidates], results: new Map(),
    options: req.firmware ? boardVariants(req.firmware, req.chip, req.variant) : [],
  };
  const boards = req.boards.map((link): BoardResult => ({
    id: link.id, status: 'ok', reason: null, chip: null, variant: null, chip_rev: null, app_elf_sha256: null, firmware_flashed: false,
  }));
  try {
    await Promise.all(req.boards.map((link, i) => openAndPrepare(link, boards[i], shared)));
    // A board that drops out puts its candidate back; boards that already ran dry pick it up in the next round.
    let alive = req.boards.filter((_, i) => boards[i].status === 'ok');
    while (shared.queue.length > 0 && alive.length > 0) {
      await Promise.all(alive.map((link) => drainQueue(link, boards[req.boards.indexOf(link)], shared)));
      alive = alive.filter((link) => boards[req.boards.indexOf(link)].status === 'ok');
    }
  } finally {
    await Promise.all(req.boards.map((link) => link.close()));
  }
  const lost = boards.filter((b) => b.status !== 'ok').map((b) => `${b.id}: ${b.reason ?? b.status}`);
  const candidates = req.candidates.map(
    (c) => shared.results.get(c.name) ?? emptyResult(c, 'skipped', `no board left to run it (${lost.join('; ') || 'no boards'})`),
  );
  return {
    schema: BENCH_SCHEMA_ID, created: req.created, mode: 'board', chip: req.chip,
    runs: shared.hello?.runs ?? 0, warmup: shared.hello?.warmup ?? 0, boards, candidates,
  };
}

async function openAndPrepare(link: BoardLink, board: BoardResult, shared: Shared): Promise<void> {
  try {
    await link.open(shared.req.signal);
  } catch (err) {
    shared.req.signal?.throwIfAborted();
    mark(board, 'disconnected', `cannot open: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  await prepareBoard(link, board, shared);
}

async function drainQueue(link: BoardLink, board: BoardResult, shared: Shared): Promise<void> {
  for (let c = shared.queue.shift(); c !== undefined; c = shared.queue.shift()) {
    if (!(await runCandidate(link, board, c, shared))) {
      shared.queue.unshift(c);
      return;
    }
  }
}

const isHello = (r: { type: string }): boolean => r.type === 'hello';
const helloOf = (out: AttemptOutcome): HelloRecord | undefined =>
  out.kind === 'done' ? (out.records.find(isHello) as HelloRecord | undefined) : undefined;

/**
 * Probe, bring the board onto the build it needs (re-flashing and probing again, at most once per build), check
 * chip and protocol. False when the board is unusable.
 */
async function prepareBoard(link: BoardLink, board: BoardResult, shared: Shared): Promise<boolean> {
  const { req, options } = shared;
  let probe = await attemptWithRetries(link, shared, isHello);
  let hello = helloOf(probe);
  const tried = new Set<string>();
  for (;;) {
    const decision = options.length > 0 ? nextVariant(hello, options, tried) : { kind: 'keep' as const, variant: undefined };
    if (decision.kind === 'keep') {
      if ('warning' in decision && decision.warning) req.logger.warn(`${link.id}: ${decision.warning}`);
      break;
    }
    if (!req.flasher) {
      req.logger.warn(`${link.id}: ${decision.why}; measuring what it runs (no flasher)`);
      break;
    }
    const flasher = req.flasher;
    const variant = decision.variant.name;
    tried.add(variant);
    req.logger.info(`${link.id}: ${decision.why}; flashing ${variant}`);
    const flashed = await reflash(link, board, shared, () => flasher.flashFirmware(link.id, variant, req.signal), isChipRevisionRefusal);
    if (flashed === false) return false;
    if (flashed !== true) {
      req.logger.warn(`${link.id}: ${variant} does not suit this chip (${flashed.message}); trying the next build`);
      continue;
    }
    board.firmware_flashed = true;
    probe = await attemptWithRetries(link, shared, isHello);
    hello = helloOf(probe);
  }
  if (hello === undefined) return fail(board, probe);
  board.chip = hello.chip;
  board.variant = hello.variant ?? null;
  board.chip_rev = hello.chip_rev ?? null;
  board.app_elf_sha256 = hello.app_elf_sha256 ?? null;
  if (hello.protocol !== PROTOCOL_VERSION) return mark(board, 'error', `firmware speaks protocol ${hello.protocol}, this host ${PROTOCOL_VERSION}`);
  if (hello.chip !== req.chip) return mark(board, 'wrong-chip', `board is ${hello.chip}, --chip is ${req.chip}`);
  shared.hello ??= hello;
  return true;
}

/** Flashes one candidate, then runs it with retries. False when the board is gone (candidate requeued). */
async function runCandidate(link: BoardLink, board: BoardResult, c: BenchCandidate, shared: Shared): Promise<boolean> {
  const { req } = shared;
  const flasher = req.flasher;
  if (flasher) {
    const flashed = await reflash(link, board, shared, () => flasher.flashModel(link.id, c, board.variant ?? undefined, req.signal));
    if (flashed instanceof Error) {
      record(shared, board, emptyResult(c, 'error', flashed.message), 0);
      return true;
    }
    if (flashed !== true) return false;
  }
  const retries = req.retries ?? 1;
  for (let attempts = 1; ; attempts++) {
    req.logger.info(`${link.id}: ${c.name}: attempt ${attempts}`);
    const out = await runAttempt(link, attemptOptions(shared));
    if ((out.kind === 'silent' || out.kind === 'hang') && attempts <= retries) {
      req.logger.warn(`${link.id}: ${c.name}: ${out.kind}; resetting and trying again`);
      continue;
    }
    switch (out.kind) {
      case 'done':
        record(shared, board, resultFromRecords(c, out.records), attempts);
        return true;
      case 'crash':
        record(shared, board, { ...resultFromRecords(c, out.records), status: 'crashed', reason: `${out.reason}: ${out.line}` }, attempts);
        return true;
      case 'hang':
        record(shared, board, { ...resultFromRecords(c, out.records), status: 'error', reason: hangReason(out, shared.timeouts) }, attempts);
        return true;
      case 'silent':
      case 'disconnected':
        fail(board, out, attempts);
        return false;
    }
  }
}

function attemptOptions(shared: Shared, until?: AttemptOptions['until']): AttemptOptions {
  const { req } = shared;
  return { reset: req.reset, timeouts: shared.timeouts, clock: req.clock, logger: req.logger, ...(req.signal ? { signal: req.signal } : {}), ...(until ? { until } : {}) };
}

/** Probe attempts: retried while the board is silent or hangs before the stop record. */
async function attemptWithRetries(link: BoardLink, shared: Shared, until: NonNullable<AttemptOptions['until']>): Promise<AttemptOutcome> {
  const retries = shared.req.retries ?? 1;
  let out = await runAttempt(link, attemptOptions(shared, until));
  for (let i = 0; i < retries && (out.kind === 'silent' || out.kind === 'hang'); i++) out = await runAttempt(link, attemptOptions(shared, until));
  return out;
}

/**
 * Closes the link, runs the flasher, reopens. Returns true; the error of a write that was refused but leaves
 * the board usable (an InputError: a candidate too big for the partition…; or one `tolerated` accepts); or
 * false when the board was marked failed.
 */
async function reflash(link: BoardLink, board: BoardResult, shared: Shared, flash: () => Promise<void>,
  tolerated: (message: string) => boolean = () => false): Promise<true | Error | false> {
  await link.close();
  try {
    await flash();
  } catch (err) {
    if (err instanceof InputError || (err instanceof Error && tolerated(err.message))) {
      await link.open(shared.req.signal);
      return err;
    }
    shared.req.signal?.throwIfAborted();
    mark(board, 'error', `flashing failed: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
  try {
    await link.open(shared.req.signal);
    return true;
  } catch (err) {
    shared.req.signal?.throwIfAborted();
    mark(board, 'disconnected', `could not reopen after flashing: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

function record(shared: Shared, board: BoardResult, result: CandidateResult, attempts: number): void {
  shared.results.set(result.name, { ...result, board: board.id, attempts });
}

function hangReason(out: Extract<AttemptOutcome, { kind: 'hang' }>, t: AttemptTimeouts): string {
  const last = out.records.at(-1);
  const where = last ? `after the ${last.type} record` : 'before any record';
  return `hang: output stopped ${where} (idle limit ${t.idleMs} ms, attempt limit ${t.attemptMs} ms); last line: ${out.tail.at(-1) ?? '(none)'}`;
}

/** Marks the board failed from an attempt outcome; returns false for use in boolean returns. */
function fail(board: BoardResult, out: AttemptOutcome, attempts?: number): false {
  const tries = attempts === undefined ? '' : ` (${attempts} attempts)`;
  switch (out.kind) {
    case 'silent': return mark(board, 'silent', `no output after reset${tries}`);
    case 'hang': return mark(board, 'hang', `no hello record: output stopped${tries}; last line: ${out.tail.at(-1) ?? '(none)'}`);
    case 'disconnected': return mark(board, 'disconnected', out.message);
    case 'crash': return mark(board, 'error', `firmware crashed at start (${out.reason}: ${out.line})`);
    case 'done': return mark(board, 'error', 'no hello record');
  }
}

function mark(board: BoardResult, status: BoardResult['status'], reason: string): false {
  board.status = status;
  board.reason = reason;
  return false;
}
