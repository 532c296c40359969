/**
 * Streaming parser of a board's console: finds the benchmark firmware's records (runner/PROTOCOL.md) among
 * ROM banners, bootloader and ESP-IDF log lines, and spots crashes and unexpected reboots.
 *
 * Feed it chunks exactly as they come off the wire (bytes or text, split anywhere, even inside a UTF-8
 * sequence or an ANSI escape); it returns the events of every line completed so far. One parser instance
 * serves one attempt: create a new one (or call `armBoot`) after the host resets the board, so the boot
 * banner that follows is expected rather than a reboot.
 */
import { benchRecord, RECORD_PREFIX, type BenchRecord } from './protocol-records.js';

/** Why the parser thinks the firmware crashed or restarted on its own. */
export type CrashReason = 'guru-meditation' | 'abort' | 'assert' | 'brownout' | 'reboot';

export type ProtocolEvent =
  | { readonly kind: 'record'; readonly record: BenchRecord; readonly line: string }
  /** An expected ROM boot banner (the first one after a reset). */
  | { readonly kind: 'boot'; readonly line: string }
  | { readonly kind: 'crash'; readonly reason: CrashReason; readonly line: string }
  /** A line with the record prefix whose JSON or schema is wrong. */
  | { readonly kind: 'malformed'; readonly line: string; readonly error: string }
  /** Any other console line (ANSI-stripped), for diagnostics. */
  | { readonly kind: 'log'; readonly line: string };

export interface ProtocolParser {
  /** Adds a chunk; returns the events of the lines it completed. */
  push(chunk: Uint8Array | string): ProtocolEvent[];
  /** Flushes a trailing line without newline (end of stream). */
  end(): ProtocolEvent[];
  /** The host just reset the board: the next boot banner is expected. */
  armBoot(): void;
}

/** Lines longer than this without a newline are dropped (baud-mismatch garbage). */
export const MAX_LINE_CHARS = 64 * 1024;

// CSI sequences (colours, cursor moves) and the two-byte ESC forms; then other C0 controls except TAB.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Removes ANSI escape sequences and control characters from one console line. */
export function stripAnsi(line: string): string {
  return line.replace(ANSI, '').replace(CONTROL, '');
}

const CRASH_PATTERNS: readonly { readonly re: RegExp; readonly reason: CrashReason }[] = [
  { re: /Guru Meditation Error/, reason: 'guru-meditation' },
  { re: /abort\(\) was called/, reason: 'abort' },
  { re: /assert failed:/, reason: 'assert' },
  { re: /Brownout detector was triggered/, reason: 'brownout' },
  { re: /^Rebooting\.\.\./, reason: 'reboot' },
];

// `ESP-ROM:esp32s3-20210327` on newer chips; the ESP32's ROM prints `ets Jul 29 2019 12:21:46`.
const BOOT_BANNER = /^(ESP-ROM:|ets [A-Z][a-z]{2} +\d{1,2} \d{4} )/;

/** Creates a parser for one attempt (the first boot banner is expected). */
export function createProtocolParser(): ProtocolParser {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let dropping = false;
  let sawOutputSinceArm = false;

  const classify = (raw: string): ProtocolEvent | undefined => {
    const line = stripAnsi(raw).trimEnd();
    if (line === '') return undefined;
    const at = line.indexOf(RECORD_PREFIX);
    if (at >= 0) {
      sawOutputSinceArm = true;
      return parseRecordLine(line, line.slice(at + RECORD_PREFIX.length));
    }
    if (BOOT_BANNER.test(line)) {
      const expected = !sawOutputSinceArm;
      sawOutputSinceArm = true;
      return expected ? { kind: 'boot', line } : { kind: 'crash', reason: 'reboot', line };
    }
    for (const p of CRASH_PATTERNS) if (p.re.test(line)) return { kind: 'crash', reason: p.reason, line };
    return { kind: 'log', line };
  };

  const consume = (text: string): ProtocolEvent[] => {
    const events: ProtocolEvent[] = [];
    pending += text;
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const raw = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!dropping) {
        const ev = classify(raw);
        if (ev) events.push(ev);
      }
      dropping = false;
      nl = pending.indexOf('\n');
    }
    if (pending.length > MAX_LINE_CHARS) {
      pending = '';
      dropping = true;
    }
    return events;
  };

  return {
    push: (chunk) => consume(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })),
    end: () => {
      const events = consume(decoder.decode() + '\n');
      pending = '';
      return events;
    },
    armBoot: () => {
      sawOutputSinceArm = false;
    },
  };
}

function parseRecordLine(line: string, json: string): ProtocolEvent {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    return { kind: 'malformed', line, error: `invalid JSON: ${(err as Error).message}` };
  }
  const parsed = benchRecord.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return { kind: 'malformed', line, error: `invalid record${where}: ${issue?.message ?? 'unknown'}` };
  }
  return { kind: 'record', record: parsed.data, line };
}
