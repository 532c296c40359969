/**
 * Typed errors. The core throws these with context (file, node, value, what to do); the shells (CLI, Action)
 * turn them into one-line messages and exit codes: InputError → 2, GateError → 1, anything else → 3.
 */

/** Base class of every error this package throws on purpose. */
export class EspdlError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input from the user: a missing or corrupt file, a wrong flag, data that does not fit the model. */
export class InputError extends EspdlError {}

/** The model uses something this tool (or ESP-DL) cannot handle; names the node. */
export class UnsupportedError extends EspdlError {}

/** A quality gate failed (accuracy or latency regression). */
export class GateError extends EspdlError {}

/** Something that should not happen: a bug in this tool. */
export class InternalError extends EspdlError {}

/** Exit codes of the CLI and the Action (README.md, "Command line"); 128 + signal number when interrupted (shell convention). */
export const EXIT = { ok: 0, gate: 1, input: 2, internal: 3, sigint: 130, sigterm: 143 } as const;

/** The user (Ctrl-C) or the system (SIGTERM: a CI cancel or timeout) stopped the work; what was done is saved. */
export class InterruptedError extends EspdlError {
  constructor(readonly signalName: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signalName}`);
  }

  get exitCode(): number {
    return this.signalName === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
  }
}

/** Maps any thrown value to the exit code the shells use. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof GateError) return EXIT.gate;
  if (err instanceof InterruptedError) return err.exitCode;
  if (err instanceof InputError || err instanceof UnsupportedError) return EXIT.input;
  // node:util parseArgs rejects unknown or malformed flags with these codes: a usage error, not a bug.
  if (typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('ERR_PARSE_ARGS_')) return EXIT.input;
  return EXIT.internal;
}

/** One line for the user: the message of our own errors, or the text of anything else. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
