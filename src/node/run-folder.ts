/**
 * Filesystem RunStore. Writes are atomic (safe-paths.ts writeFileAtomic), so a kill -9 at any moment leaves
 * every JSON file either old or new, never torn. A search holds the folder's lock while it runs, and resets
 * the folder only when safe-paths.ts says that loses nothing that is not a run's.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { RunStore } from '../autoquant/run-folder.js';
import { acquireFileLock } from './file-lock.js';
import { checkRunFolderReset, insideFolder, inspectRunFolder, makeFolder, markRunFolder, RUN_FOLDER_LOCK, writeFileAtomic } from './safe-paths.js';

export { writeFileAtomic } from './safe-paths.js';

/**
 * A RunStore over folder `dir` (absolute or relative to `cwd`). Its label — records' `folder` prefix, like
 * ESP-PPQ's os.path.join(run_dir, …) — is the run folder as the user wrote it, or `label` when given.
 */
export function fsRunStore(dir: string, cwd: string = process.cwd(), label?: string): RunStore {
  const root = path.resolve(cwd, dir);
  // Names come from run files (an artifact's `files` list, say): none may point outside the run folder.
  const abs = (name: string): string => (name ? insideFolder(root, name) : root);
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
    async ensureRoot() { await makeFolder({ file: root, what: 'run folder' }); },
    async listDigitDirs() {
      const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
      return entries.filter((e) => e.isDirectory() && /^\d+$/.test(e.name)).map((e) => e.name).sort();
    },
    async removeDir(name) { await fs.rm(abs(name), { recursive: true, force: true }); },
    async resetDir(name) {
      await fs.rm(abs(name), { recursive: true, force: true });
      await fs.mkdir(abs(name), { recursive: true });
    },
    async acquire(fresh) {
      // Resuming a folder that does not exist: nothing to lock; the resume check reports the missing files.
      if (!fresh && !existsSync(root)) return { release: async () => {} };
      await makeFolder({ file: root, what: 'run folder' });
      const lock = await acquireFileLock(path.join(root, RUN_FOLDER_LOCK), `run folder ${root}`, 'a search');
      try {
        const state = fresh ? await checkRunFolderReset(root) : await inspectRunFolder(root);
        if (fresh || state.runFiles) await markRunFolder(root);
      } catch (err) {
        await lock.release();
        throw err;
      }
      return lock;
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
