/**
 * Reset sequences for ESP dev boards, as data in esptool's "custom reset" notation (`D0|R1|W100|D1|R0`):
 * D = DTR, R = RTS, 1 = asserted (line low on the chip side), W = wait in MILLISECONDS (esptool-js units;
 * esptool.py's W is seconds). Sources: esptool/reset.py and esptool-js src/reset.ts (docs/esp-dl.md §5.2).
 */
import { InputError } from '../errors.js';
import { SignalsUnsupportedError, type BoardLink, type Clock } from './link.js';
import { formatCommand } from './commands.js';

/** How the host restarts the firmware before each attempt. */
export type ResetStrategy = 'classic' | 'usb-jtag' | 'command' | 'none';

export const RESET_STRATEGIES: readonly ResetStrategy[] = ['classic', 'usb-jtag', 'command', 'none'] as const;

/**
 * Sequences that reboot into the application (not the download mode). `classic` = esptool HardReset on a
 * USB-UART bridge (EN low 100 ms); `usb-jtag` = HardReset(uses_usb=True): EN low 200 ms, 200 ms settle,
 * because the USB-Serial-JTAG peripheral needs time to come out of reset. DTR is held released first so IO0
 * is high and the chip boots from flash.
 */
export const RESET_SEQUENCES = {
  classic: 'D0|R1|W100|R0',
  'usb-jtag': 'D0|R1|W200|R0|W200',
  /** esptool ClassicReset: into the ROM download mode (what esptool-js needs before flashing). */
  'classic-bootloader': 'D0|R1|W100|D1|R0|W50|D0',
  /** esptool USBJTAGSerialReset: into the ROM download mode over USB-Serial-JTAG. */
  'usb-jtag-bootloader': 'R0|D0|W100|D1|R0|W100|R1|D0|R1|W100|D0|R0',
} as const;

export type ResetStep = { readonly dtr: boolean } | { readonly rts: boolean } | { readonly waitMs: number };

/** Parses the custom reset notation. Throws InputError naming the bad step. */
export function parseResetSequence(text: string): ResetStep[] {
  return text.split('|').map((raw) => {
    const step = raw.trim();
    const m = /^([DRW])(\d+(?:\.\d+)?)$/.exec(step);
    if (!m) throw new InputError(`reset sequence "${text}": bad step "${step}" (expected D0, D1, R0, R1 or W<ms>)`);
    const value = Number(m[2]);
    if (m[1] === 'W') return { waitMs: value };
    if (value !== 0 && value !== 1) throw new InputError(`reset sequence "${text}": "${step}" must be 0 or 1`);
    return m[1] === 'D' ? { dtr: value === 1 } : { rts: value === 1 };
  });
}

/** Drives a parsed sequence on the link's control lines. */
export async function runResetSequence(link: BoardLink, steps: readonly ResetStep[], clock: Clock, signal?: AbortSignal): Promise<void> {
  for (const step of steps) {
    signal?.throwIfAborted();
    if ('waitMs' in step) await clock.sleep(step.waitMs, signal);
    else await link.setSignals(step);
  }
}

/** What happened when the host asked for a reset. */
export type ResetOutcome = 'signals' | 'command' | 'none';

/**
 * Restarts the firmware. `classic`/`usb-jtag` use DTR/RTS; when the device has no control lines (a PTY,
 * QEMU over TCP) they fall back to the protocol's `restart` command, which a running benchmark firmware
 * obeys; `command` sends it directly; `none` does nothing (the caller reads what the board prints anyway).
 */
export async function resetBoard(link: BoardLink, strategy: ResetStrategy, clock: Clock, signal?: AbortSignal): Promise<ResetOutcome> {
  if (strategy === 'none') return 'none';
  if (strategy !== 'command') {
    try {
      await runResetSequence(link, parseResetSequence(RESET_SEQUENCES[strategy]), clock, signal);
      return 'signals';
    } catch (err) {
      if (!(err instanceof SignalsUnsupportedError)) throw err;
    }
  }
  await link.write(formatCommand('restart'), signal);
  return 'command';
}
