/**
 * One process per board: an exclusive lock file per serial port (created with O_EXCL, holding the owner's
 * pid). A lock whose pid no longer runs is stale and taken over. Complements the example workflow's
 * `concurrency` group, which only serialises jobs of one repository.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../errors.js';

/** Default lock directory (shared by every runner on the machine). */
export const DEFAULT_LOCK_DIR = path.join(os.tmpdir(), 'espdl-autoquant-locks');

export interface BoardLock {
  readonly file: string;
  release(): Promise<void>;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Takes the lock of `port` or throws InputError naming the process that holds it. */
export async function lockBoard(port: string, dir = DEFAULT_LOCK_DIR, pid = process.pid): Promise<BoardLock> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${port.replace(/[^\w.-]/g, '_')}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(`${pid}\n`);
      await fh.close();
      return { file, release: () => rm(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new InputError(`${port} is in use by process ${owner} (lock ${file}); wait for it or remove the lock if that process is not a benchmark`);
      }
      await rm(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new InputError(`${port}: could not take the lock ${file}`);
}
