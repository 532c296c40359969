/**
 * Exclusive lock files (one search per run folder, one benchmark per board). The lock is created complete
 * (its owner written to a temp file that is then hard-linked into place, which fails if a lock exists), so no
 * other process ever reads a half-written lock and mistakes it for a stale one. A lock whose owner process is
 * gone (same host, pid no longer running) is stale and taken over; a lock of another host cannot be checked
 * and is reported with how to remove it.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../errors.js';

/** Who holds a lock. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  /** What the holder is doing, e.g. "search". */
  purpose: string;
}

export interface FileLock {
  readonly file: string;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner recorded in a lock file; a bare pid (older board locks) counts as this host's. */
function parseOwner(text: string): LockOwner | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), host: os.hostname(), since: '', purpose: '' };
  try {
    const v = JSON.parse(trimmed) as Partial<LockOwner>;
    if (typeof v.pid === 'number' && Number.isInteger(v.pid) && v.pid > 0 && typeof v.host === 'string') {
      return { pid: v.pid, host: v.host, since: String(v.since ?? ''), purpose: String(v.purpose ?? '') };
    }
  } catch { /* unreadable: treated as stale below */ }
  return undefined;
}

/** Describes a holder for messages: "search (pid 123 on host ci-7 since 2026-…)". */
export function describeOwner(o: LockOwner): string {
  return `${o.purpose || 'a process'} (pid ${o.pid} on host ${o.host}${o.since ? ` since ${o.since}` : ''})`;
}

async function tryCreate(file: string, owner: LockOwner): Promise<boolean> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(owner)}\n`);
  try {
    await link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Takes the lock `file` for `purpose` or throws InputError naming the holder (`what` names the locked thing).
 * `pid` is injectable for tests that simulate another live holder.
 */
export async function acquireFileLock(file: string, what: string, purpose: string, pid = process.pid): Promise<FileLock> {
  await mkdir(path.dirname(file), { recursive: true });
  const owner: LockOwner = { pid, host: os.hostname(), since: new Date().toISOString(), purpose };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(file, owner)) return { file, release: () => rm(file, { force: true }) };
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // released meanwhile
    const holder = parseOwner(text);
    if (holder && holder.host !== os.hostname()) {
      throw new InputError(`${what} is in use by ${describeOwner(holder)}; wait for it, or delete ${file} if nothing runs there any more`);
    }
    if (holder && alive(holder.pid)) {
      throw new InputError(`${what} is in use by ${describeOwner(holder)}; wait for it to finish (lock ${file})`);
    }
    // Stale (its owner is gone) or unreadable: only remove it if it is still the lock we judged.
    if ((await readFile(file, 'utf8').catch(() => undefined)) === text) await rm(file, { force: true });
  }
  throw new InputError(`${what}: could not take the lock ${file} (another process keeps taking it)`);
}
