/** The real CliContext: stdout/stderr, a stderr logger, and an AbortSignal fired by Ctrl-C / SIGTERM. */
import { InterruptedError } from '../errors.js';
import type { CliContext } from './command.js';

export function realCliContext(): { ctx: CliContext; dispose: () => void } {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    const reason = new InterruptedError(sig === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    interrupts++;
    if (interrupts > 1) process.exit(reason.exitCode);
    process.stderr.write(`\nreceived ${sig}: stopping after the current step (press Ctrl-C again to quit now)\n`);
    controller.abort(reason);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that stops early (`inspect model.espdl | head -1`) closes the pipe: that is the reader's choice,
  // not an error of ours, so stop writing and exit quietly as Unix tools do.
  const onPipeError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  };
  process.stdout.on('error', onPipeError);
  const quiet = process.env.ESPDL_QUIET === '1';
  const ctx: CliContext = {
    stdout: (t) => { process.stdout.write(t); },
    stderr: (t) => { process.stderr.write(t); },
    logger: {
      debug: (m) => { if (process.env.ESPDL_DEBUG) process.stderr.write(`debug: ${m}\n`); },
      info: (m) => { if (!quiet) process.stderr.write(`${m}\n`); },
      warn: (m) => { process.stderr.write(`warning: ${m}\n`); },
    },
    cwd: process.cwd(),
    env: process.env,
    isTTY: process.stderr.isTTY === true,
    signal: controller.signal,
  };
  return { ctx, dispose: () => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); } };
}
