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

/** True when the arguments ask for help (`--help` or `-h` anywhere). */
export function asksForHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/**
 * A command whose `--help` / `-h` prints its usage (exit 0) before any flag is parsed, so every command
 * answers it the same way, whether run from main.ts or directly.
 */
export function defineCommand(spec: Command): Command {
  return {
    ...spec,
    async run(argv, ctx) {
      if (!asksForHelp(argv)) return spec.run(argv, ctx);
      ctx.stdout(spec.usage.endsWith('\n') ? spec.usage : `${spec.usage}\n`);
      return 0;
    },
  };
}
