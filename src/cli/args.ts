/** Small argument helpers shared by commands (node:util parseArgs does the parsing). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../errors.js';

/**
 * node:util parseArgs for sub-command `command`: an unknown flag, a missing value or a stray positional is an
 * InputError (exit 2) of one line that says where the options are listed.
 */
export function parseFlags<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw err;
    // Node adds a second sentence on '-'-positionals to unknown-option errors; the first is the error.
    const first = (err as Error).message.split(/(?<=\.) To specify a positional argument/)[0]!.replace(/\.$/, '');
    throw new InputError(`${first} (the options: espdl-autoquant ${command} --help)`);
  }
}

export function parsePositiveInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`${flag} "${text}": expected a positive integer`);
  return n;
}

export function requireFlag<T>(value: T | undefined, flag: string, usage: string): T {
  if (value === undefined || value === '') throw new InputError(`missing ${flag}\n\n${usage}`);
  return value;
}

export function splitList(text: string | undefined): string[] {
  return text ? text.split(',').map((s) => s.trim()).filter(Boolean) : [];
}
