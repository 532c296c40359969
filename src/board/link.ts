/**
 * The BoardLink seam: a byte pipe to one board's console plus its two modem-control lines. Real
 * implementations: src/node/serial-link.ts (serialport). Tests drive the real serial link through a socat
 * pseudo-terminal pair against test/fakes/device-emulator.ts.
 *
 * Cancellation rule for every method that takes a signal: when the signal aborts, the promise rejects with
 * the signal's reason and the link stays usable (bytes not yet read stay queued).
 */
import { EspdlError } from '../errors.js';

/** Modem-control lines. On ESP dev boards DTR drives IO0 (BOOT) and RTS drives EN (reset), inverted. */
export interface ControlSignals {
  readonly dtr?: boolean;
  readonly rts?: boolean;
}

export interface BoardLink {
  /** A stable name for reports: the device path (prefer /dev/serial/by-id/...). */
  readonly id: string;
  open(signal?: AbortSignal): Promise<void>;
  write(data: string | Uint8Array, signal?: AbortSignal): Promise<void>;
  /**
   * The next chunk of received bytes (never empty). Rejects with BoardDisconnectedError when the device
   * went away or the link was closed.
   */
  read(signal?: AbortSignal): Promise<Uint8Array>;
  /** Sets DTR/RTS. Rejects with SignalsUnsupportedError where the device has no control lines (PTY, TCP). */
  setSignals(signals: ControlSignals): Promise<void>;
  /** Idempotent. Pending reads reject with BoardDisconnectedError. */
  close(): Promise<void>;
}

/** The device disappeared (unplugged, re-enumerated, emulator exited) or the link was closed. */
export class BoardDisconnectedError extends EspdlError {}

/** The device cannot set DTR/RTS (pseudo-terminal, TCP socket, RFC2217 without control lines). */
export class SignalsUnsupportedError extends EspdlError {}

/** Time source and sleep, injected so reset sequences and timeouts are testable. */
export interface Clock {
  /** Milliseconds, monotonic enough for timeouts. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A Clock on the JS timers (core-safe: setTimeout and Date are language/runtime globals). */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
