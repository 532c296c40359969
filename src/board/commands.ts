/** Host → firmware commands of the benchmark protocol (runner/PROTOCOL.md "Host → firmware commands"). */
import { RECORD_PREFIX } from './protocol-records.js';

export type FirmwareCommand = 'restart';

/** The line the host writes for a command. */
export function formatCommand(command: FirmwareCommand): string {
  return `${RECORD_PREFIX}${command}\n`;
}

/** The command in a line the firmware (or the emulator) received, or undefined. */
export function parseCommand(line: string): FirmwareCommand | undefined {
  const text = line.replace(/\r$/, '');
  return text === `${RECORD_PREFIX}restart` ? 'restart' : undefined;
}
