/** In-memory RunStore for core tests (the fs-backed one is tested in test/unit/autoquant/node-run-folder.test.ts). */
import type { RunStore } from '../../../src/autoquant/run-folder.js';

export interface MemoryStore extends RunStore { files: Map<string, string>; dirs: Set<string>; writes: string[] }

export function memoryStore(label = 'run'): MemoryStore {
  const files = new Map<string, string>();
  const dirs = new Set<string>();
  const writes: string[] = [];
  return {
    label, files, dirs, writes,
    resolve: (n) => (n ? `/mem/${label}/${n}` : `/mem/${label}`),
    readText: async (n) => files.get(n),
    writeTextAtomic: async (n, t) => { writes.push(n); files.set(n, t); },
    ensureRoot: async () => {},
    listDigitDirs: async () => [...dirs].filter((d) => /^\d+$/.test(d)),
    removeDir: async (n) => {
      dirs.delete(n);
      for (const k of [...files.keys()]) if (k.startsWith(`${n}/`)) files.delete(k);
    },
    resetDir: async (n) => {
      for (const k of [...files.keys()]) if (k.startsWith(`${n}/`)) files.delete(k);
      dirs.add(n);
    },
    fileSize: async (n) => files.get(n)?.length,
    hasDir: async (n) => dirs.has(n),
    copyDirFrom: async (source, sourceName, n) => {
      const src = source as MemoryStore;
      for (const k of [...files.keys()]) if (k.startsWith(`${n}/`)) files.delete(k);
      for (const [k, v] of src.files) if (k.startsWith(`${sourceName}/`)) files.set(`${n}/${k.slice(sourceName.length + 1)}`, v);
      dirs.add(n);
    },
    acquire: async () => ({ release: async () => {} }),
  };
}
