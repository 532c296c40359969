/**
 * The pass runner's debug switches from the environment (read here, in the Node layer; the core only takes
 * them as options, see ir/pass.ts):
 * - `ESPDL_PASS_DUMP=<dir>`: after every quantize and export pass, the graph's text form goes to
 *   `<dir>/<pipeline>-<NN>-<pass>.txt` (diff two runs' dumps to find the pass where they part);
 * - `ESPDL_PASS_VALIDATE=1`: check the graph after every pass and stop at the first pass that breaks it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PassHooks } from '../ir/pass.js';

export type PassDebug = Pick<PassHooks, 'validate' | 'dump'>;

export const PASS_DUMP_ENV = 'ESPDL_PASS_DUMP';
export const PASS_VALIDATE_ENV = 'ESPDL_PASS_VALIDATE';

export function passDebugFromEnv(env: Readonly<Record<string, string | undefined>>): PassDebug {
  const debug: PassDebug = {};
  const validate = env[PASS_VALIDATE_ENV];
  if (validate && validate !== '0' && validate !== 'false') debug.validate = true;
  const dir = env[PASS_DUMP_ENV];
  if (dir) {
    mkdirSync(dir, { recursive: true });
    debug.dump = (step, text) => {
      const file = `${step.pipeline}-${String(step.index).padStart(2, '0')}-${step.pass}.txt`;
      writeFileSync(path.join(dir, file), `${text}\n`);
    };
  }
  return debug;
}
