/**
 * The contract every CLI sub-command implements. `src/cli/main.ts` picks the command by name and calls
 * `run`; commands parse their own flags (node:util parseArgs), print `--help` from `usage`, and return the
 * exit code (0 ok, 1 failed gate, 2 bad input/usage, 3 internal error — see src/errors.ts EXIT).
 * Commands throw InputError for bad input; main.ts turns any thrown error into a one-line message + code.
 */
import type { Logger } from '../log.js';

export interface CliContext {
  /** Writes to standard output (results, --json). */
  stdout(text: string): void;
  /** Writes to standard error (progress, warnings, errors). */
  stderr(text: string): void;
  /** Progress and warnings go here (stderr-backed in the real CLI). */
  logger: Logger;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** True when stderr is a terminal (progress bars); false in CI logs (one line per event). */
  isTTY: boolean;
  /** Aborted on Ctrl-C / SIGTERM: long work must stop cleanly and leave resumable state. */
  signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full --help text. */
  readonly usage: string;
  run(argv: string[], ctx: CliContext): Promise<number>;
}
