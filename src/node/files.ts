/**
 * Reading the files a user names, with errors that say which file and why (InputError: exit code 2).
 * The rules (regular files only: no folder, FIFO or device; size caps) live in safe-paths.ts; these are the
 * short forms for callers that only have a path and the name the user gave.
 */
import { readInputFile as readChecked, readInputText as readCheckedText } from './safe-paths.js';

/** The bytes of `file` (absolute); `shown` is the name the user gave. */
export function readInputFile(file: string, shown: string): Promise<Uint8Array> {
  return readChecked({ file, what: 'file', shown });
}

/** The UTF-8 text of `file` (absolute); `shown` is the name the user gave. */
export function readInputText(file: string, shown: string, opts: { maxBytes?: number } = {}): Promise<string> {
  return readCheckedText({ file, what: 'file', shown }, opts);
}
