/** Search progress on stderr: one line per experiment in CI logs, a redrawn bar with ETA on a terminal. */
import type { ExperimentProgress } from '../../autoquant/auto-quantize.js';
import { progressBar, progressLine } from '../../report/progress.js';
import type { CliContext } from '../command.js';

export function formatProgress(ctx: CliContext): { update(p: ExperimentProgress): void; end(): void } {
  let drawn = false;
  return {
    update(p) {
      if (ctx.isTTY) { ctx.stderr(`\r\x1b[2K${progressBar(p)}`); drawn = true; } else ctx.stderr(`${progressLine(p)}\n`);
    },
    end() { if (drawn) ctx.stderr('\n'); },
  };
}
