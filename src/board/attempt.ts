/**
 * One attempt on one board: reset, then read the console until the firmware says `done` (or another stop
 * record), crashes, stays silent, hangs, or disappears. Pure orchestration over BoardLink + Clock.
 */
import type { Logger } from '../log.js';
import { BoardDisconnectedError, type BoardLink, type Clock } from './link.js';
import { createProtocolParser, type CrashReason } from './protocol.js';
import type { BenchRecord } from './protocol-records.js';
import { resetBoard, type ResetStrategy } from './reset.js';

export interface AttemptTimeouts {
  /** No byte at all this long after the reset: the board is silent. Default 10 000 ms. */
  readonly silenceMs: number;
  /** Output started but no new byte for this long: hang. Default 120 000 ms. */
  readonly idleMs: number;
  /** Wall-clock limit of the whole attempt: hang. Default 900 000 ms. */
  readonly attemptMs: number;
}

export const DEFAULT_TIMEOUTS: AttemptTimeouts = { silenceMs: 10_000, idleMs: 120_000, attemptMs: 900_000 };

export interface AttemptOptions {
  readonly reset: ResetStrategy;
  readonly timeouts: AttemptTimeouts;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Stop (successfully) at the first record this accepts; default: the `done` record. */
  readonly until?: (record: BenchRecord) => boolean;
}

export type AttemptOutcome =
  | { readonly kind: 'done'; readonly records: BenchRecord[] }
  | { readonly kind: 'crash'; readonly reason: CrashReason; readonly line: string; readonly records: BenchRecord[]; readonly tail: string[] }
  | { readonly kind: 'silent' }
  | { readonly kind: 'hang'; readonly records: BenchRecord[]; readonly tail: string[]; readonly afterMs: number }
  | { readonly kind: 'disconnected'; readonly message: string };

const TAIL_LINES = 20;
const TIMEOUT: unique symbol = Symbol('timeout');

/**
 * Runs one attempt. After a reset, output is ignored until the board is seen starting (a ROM banner or
 * a `hello` record): whatever arrives before is left over from the previous run (e.g. a crash loop).
 */
export async function runAttempt(link: BoardLink, opts: AttemptOptions): Promise<AttemptOutcome> {
  const { clock, timeouts, logger } = opts;
  const until = opts.until ?? ((r: BenchRecord) => r.type === 'done');
  const parser = createProtocolParser();
  const records: BenchRecord[] = [];
  const tail: string[] = [];
  try {
    const how = await resetBoard(link, opts.reset, clock, opts.signal);
    let synced = how === 'none';
    const start = clock.now();
    let lastByte: number | undefined;
    for (;;) {
      const deadline = lastByte === undefined ? start + timeouts.silenceMs : Math.min(lastByte + timeouts.idleMs, start + timeouts.attemptMs);
      const chunk = await readBefore(link, clock, deadline - clock.now(), opts.signal);
      if (chunk === TIMEOUT) {
        if (lastByte === undefined) return { kind: 'silent' };
        return { kind: 'hang', records, tail, afterMs: clock.now() - start };
      }
      lastByte = clock.now();
      for (const ev of parser.push(chunk)) {
        if (!synced) {
          synced = ev.kind === 'boot' || (ev.kind === 'record' && ev.record.type === 'hello');
          if (!synced) continue;
        }
        if (ev.kind === 'log' || ev.kind === 'boot' || ev.kind === 'crash') pushTail(tail, ev.line);
        if (ev.kind === 'malformed') logger.warn(`${link.id}: ignoring malformed record (${ev.error}): ${ev.line}`);
        if (ev.kind === 'crash') return { kind: 'crash', reason: ev.reason, line: ev.line, records, tail };
        if (ev.kind === 'record') {
          records.push(ev.record);
          if (until(ev.record)) return { kind: 'done', records };
        }
      }
    }
  } catch (err) {
    if (err instanceof BoardDisconnectedError) return { kind: 'disconnected', message: err.message };
    throw err;
  }
}

function pushTail(tail: string[], line: string): void {
  tail.push(line);
  if (tail.length > TAIL_LINES) tail.shift();
}

/** Reads one chunk, or TIMEOUT when `ms` pass first; the caller's signal still aborts. */
async function readBefore(link: BoardLink, clock: Clock, ms: number, signal?: AbortSignal): Promise<Uint8Array | typeof TIMEOUT> {
  signal?.throwIfAborted();
  if (ms <= 0) return TIMEOUT;
  const ctrl = new AbortController();
  const onAbort = (): void => ctrl.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = clock.sleep(ms, ctrl.signal).then((): typeof TIMEOUT => TIMEOUT);
  const read = link.read(ctrl.signal);
  // Whichever loses the race rejects later (aborted by the finally below): keep that from going unhandled.
  timer.catch(() => undefined);
  read.catch(() => undefined);
  try {
    return await Promise.race([read, timer]);
  } finally {
    ctrl.abort(TIMEOUT);
    signal?.removeEventListener('abort', onAbort);
  }
}
