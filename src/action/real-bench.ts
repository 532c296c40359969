/**
 * The real BenchFn: `espdl-autoquant bench` itself (argument parsing, board discovery, port locks, esptool /
 * esptool-js flashing, serial links), so the Action and the CLI benchmark exactly alike. The latency gate is
 * the Action's (bench-gate.ts), so no --max-latency-ms is passed.
 */
import { readFile } from 'node:fs/promises';
import { benchReport, type BenchReport } from '../board/bench-report.js';
import { benchCommand } from '../cli/commands/bench.js';
import type { CliContext } from '../cli/command.js';
import { InternalError } from '../errors.js';
import type { BenchFn, BenchRunRequest } from './bench-seam.js';

/** The CLI arguments equivalent to `req`. */
export function benchArgv(req: BenchRunRequest): string[] {
  const argv = ['--chip', req.chip, '--firmware', req.firmwareDir, '--candidates', req.candidatesDir, '--out', req.out];
  for (const p of req.ports) argv.push('--port', p);
  if (req.runs !== undefined) argv.push('--runs', String(req.runs));
  if (!req.flash) argv.push('--no-flash');
  return argv;
}

/**
 * serialport is a native module the bundle keeps external (scripts/package-action.mjs): fail with the cause
 * here rather than as every board "cannot open".
 */
async function assertSerialport(): Promise<void> {
  try {
    await import('serialport');
  } catch (err) {
    throw new InternalError(`mode benchmark cannot load the serialport package (${err instanceof Error ? err.message : String(err)}): ` +
      'it must resolve from the Action\'s folder (e.g. `uses: ./` after `npm ci`)', { cause: err });
  }
}

/** BenchFn over the CLI's bench command; the command's stdout/stderr lines go to the Action log. */
export function cliBench(env: Readonly<Record<string, string | undefined>>): BenchFn {
  return async (req): Promise<BenchReport> => {
    await assertSerialport();
    const lines = (t: string): void => t.split('\n').filter(Boolean).forEach((l) => req.logger.info(l));
    const ctx: CliContext = { stdout: lines, stderr: lines, logger: req.logger, cwd: req.cwd, env, isTTY: false, signal: req.signal };
    const code = await benchCommand.run(benchArgv(req), ctx);
    if (code !== 0) throw new InternalError(`espdl-autoquant bench exited with code ${code}`);
    const parsed = benchReport.safeParse(JSON.parse(await readFile(req.out, 'utf8')));
    if (!parsed.success) throw new InternalError(`${req.out} does not match the bench.json schema: ${parsed.error.message}`);
    return parsed.data;
  };
}
