/**
 * One process per board: an exclusive lock file per serial port (file-lock.ts: created complete, holding the
 * owner's pid and host). A lock whose pid no longer runs is stale and taken over. Complements the example
 * workflow's `concurrency` group, which only serialises jobs of one repository.
 */
import os from 'node:os';
import path from 'node:path';
import { acquireFileLock, type FileLock } from './file-lock.js';

/** Default lock directory (shared by every runner on the machine). */
export const DEFAULT_LOCK_DIR = path.join(os.tmpdir(), 'espdl-autoquant-locks');

export type BoardLock = FileLock;

/** Takes the lock of `port` or throws InputError naming the process that holds it. */
export async function lockBoard(port: string, dir = DEFAULT_LOCK_DIR, pid = process.pid): Promise<BoardLock> {
  const file = path.join(dir, `${port.replace(/[^\w.-]/g, '_')}.lock`);
  return acquireFileLock(file, port, 'a benchmark', pid);
}
