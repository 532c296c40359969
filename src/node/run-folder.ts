/**
 * Filesystem RunStore. Writes are atomic (temp file in the same folder + fsync + rename + fsync of the
 * folder), so a kill -9 at any moment leaves every JSON file either old or new, never torn.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RunStore } from '../autoquant/run-folder.js';

/** Atomically replaces `file` with `text` (UTF-8). */
export async function writeFileAtomic(file: string, text: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  // Persists the rename itself; not supported on every platform (Windows), where it is best effort.
  try {
    const d = await fs.open(dir, 'r');
    try { await d.sync(); } finally { await d.close(); }
  } catch { /* best effort */ }
}

/**
 * A RunStore over folder `dir` (absolute or relative to `cwd`). Its label — records' `folder` prefix, like
 * ESP-PPQ's os.path.join(run_dir, …) — is the run folder as the user wrote it, or `label` when given.
 */
export function fsRunStore(dir: string, cwd: string = process.cwd(), label?: string): RunStore {
  const root = path.resolve(cwd, dir);
  const abs = (name: string): string => (name ? path.join(root, name) : root);
  return {
    label: (label ?? dir).replace(/\\/g, '/').replace(/\/+$/, ''),
    resolve: abs,
    async readText(name) {
      try {
        return await fs.readFile(abs(name), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    writeTextAtomic: (name, text) => writeFileAtomic(abs(name), text),
    async ensureRoot() { await fs.mkdir(root, { recursive: true }); },
    async listDigitDirs() {
      const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
      return entries.filter((e) => e.isDirectory() && /^\d+$/.test(e.name)).map((e) => e.name).sort();
    },
    async removeDir(name) { await fs.rm(abs(name), { recursive: true, force: true }); },
    async resetDir(name) {
      await fs.rm(abs(name), { recursive: true, force: true });
      await fs.mkdir(abs(name), { recursive: true });
    },
    async fileSize(name) {
      try {
        return (await fs.stat(abs(name))).size;
      } catch {
        return undefined;
      }
    },
    async hasDir(name) {
      return (await fs.stat(abs(name)).catch(() => undefined))?.isDirectory() === true;
    },
    async copyDirFrom(source, sourceName, name) {
      await fs.rm(abs(name), { recursive: true, force: true });
      await fs.cp(source.resolve(sourceName), abs(name), { recursive: true });
    },
  };
}
