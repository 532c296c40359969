/** Candidate `.espdl` files for a benchmark, read from the layouts users and the search produce. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { BenchCandidate } from '../board/bench.js';
import { parseContainer } from '../espdl/container.js';
import { readEspdlModel } from '../espdl/read.js';
import { InputError } from '../errors.js';
import { readInputFile } from './files.js';

/**
 * `paths` (relative to `cwd`): one directory of .espdl files, one directory of NNNN/ folders holding one
 * .espdl each (a search run folder or its Top-K artifact; named by folder), or a list of files. `shown` is
 * how the user wrote the list (for errors).
 */
export async function loadBenchCandidates(paths: readonly string[], cwd: string, shown: string): Promise<BenchCandidate[]> {
  const read = async (file: string, name: string): Promise<BenchCandidate> => {
    const bytes = await readInputFile(file, file);
    const hasTestValues = testValuesIn(bytes);
    return { name, file, bytes, ...(hasTestValues === undefined ? {} : { hasTestValues }) };
  };
  const abs = paths.map((p) => path.resolve(cwd, p));
  if (abs.length === 1 && !abs[0].endsWith('.espdl')) {
    const dir = abs[0];
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
      throw new InputError(`--candidates ${shown}: not a readable directory`);
    });
    const files = entries.filter((e) => e.isFile() && e.name.endsWith('.espdl')).map((e) => e.name).sort();
    if (files.length > 0) return Promise.all(files.map((f) => read(path.join(dir, f), f.replace(/\.espdl$/, ''))));
    const out: BenchCandidate[] = [];
    for (const d of entries.filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
      const inner = (await readdir(path.join(dir, d))).filter((f) => f.endsWith('.espdl'));
      if (inner.length === 1) out.push(await read(path.join(dir, d, inner[0]), d));
    }
    if (out.length === 0) throw new InputError(`--candidates ${shown}: no .espdl files found (directly or one per sub-folder)`);
    return out;
  }
  return Promise.all(abs.map((p) => read(p, path.basename(p).replace(/\.espdl$/, ''))));
}

/** Whether a single-model .espdl embeds test inputs; undefined when it cannot be read (encrypted, pack…). */
function testValuesIn(bytes: Uint8Array): boolean | undefined {
  try {
    const c = parseContainer(bytes);
    if (c.models.length !== 1 || c.models[0].header.mode !== 0) return undefined;
    return readEspdlModel(c.models[0].payload).graph.testInputs.length > 0;
  } catch {
    return undefined;
  }
}
