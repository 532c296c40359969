/** Child process for interrupt.test.ts: the real CLI context (signal handlers) and search command, slow fake engine. */
import { describeError, exitCodeFor } from '../../../src/errors.js';
import { realCliContext } from '../../../src/cli/node-context.js';
import { createSearchCommand } from '../../../src/cli/commands/search.js';
import { syntheticRunner } from '../../unit/autoquant/synthetic.js';

const base = syntheticRunner();
const command = createSearchCommand(async () => ({
  ...base,
  run: async (req, sig) => {
    process.stdout.write(`experiment ${req.index}\n`);
    await new Promise((r) => setTimeout(r, 40));
    return base.run(req, sig);
  },
}));
async function main(): Promise<void> {
  const { ctx, dispose } = realCliContext();
  try {
    process.exitCode = await command.run(process.argv.slice(2), { ...ctx, stdout: () => {} });
  } catch (err) {
    // As src/cli/main.ts does for every command.
    process.stderr.write(`espdl-autoquant search: ${describeError(err)}\n`);
    process.exitCode = exitCodeFor(err);
  }
  dispose();
}
void main();
