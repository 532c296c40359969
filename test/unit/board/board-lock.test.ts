import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockBoard } from '../../../src/node/board-lock.js';

describe('lockBoard', () => {
  const dirs: string[] = [];
  afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  it('is exclusive per port, releasable, and takes over a stale lock', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'locks-'));
    dirs.push(dir);
    const a = await lockBoard('/dev/ttyACM0', dir);
    expect(JSON.parse(await readFile(a.file, 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname(), purpose: 'a benchmark' });
    await expect(lockBoard('/dev/ttyACM0', dir)).rejects.toThrow(new RegExp(`/dev/ttyACM0 is in use by a benchmark \\(pid ${process.pid} on host `));
    const other = await lockBoard('/dev/ttyACM1', dir);
    await a.release();
    const again = await lockBoard('/dev/ttyACM0', dir);
    await again.release();
    await other.release();
    // A lock left by a process that no longer exists (pid 2^22 + 1 is above Linux's pid_max default), in the
    // old bare-pid form and in the current one.
    await writeFile(path.join(dir, '_dev_ttyUSB0.lock'), '4194305\n');
    const taken = await lockBoard('/dev/ttyUSB0', dir);
    expect(JSON.parse(await readFile(taken.file, 'utf8'))).toMatchObject({ pid: process.pid });
    await taken.release();
    await writeFile(path.join(dir, '_dev_ttyUSB0.lock'), JSON.stringify({ pid: 4194305, host: os.hostname(), since: '', purpose: 'x' }));
    expect(JSON.parse(await readFile((await lockBoard('/dev/ttyUSB0', dir)).file, 'utf8'))).toMatchObject({ pid: process.pid });
  });
});
