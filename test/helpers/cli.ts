/** Runs the real CLI entry (src/cli/main.ts) in-process with captured output. */
import { main } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/command.js';

export interface CliRun { code: number; stdout: string; stderr: string }

export async function runCli(argv: string[], opts: { cwd?: string; isTTY?: boolean; signal?: AbortSignal } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    logger: { debug() {}, info: (m) => { stderr += `${m}\n`; }, warn: (m) => { stderr += `warning: ${m}\n`; } },
    cwd: opts.cwd ?? process.cwd(),
    env: {},
    isTTY: opts.isTTY ?? false,
    signal: opts.signal ?? new AbortController().signal,
  };
  const code = await main(argv, ctx);
  return { code, stdout, stderr };
}
