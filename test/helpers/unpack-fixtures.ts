/**
 * vitest global setup: unpacks ESP-PPQ's single-operator bank (test/fixtures/ops/<group>.tar.br, see
 * test/fixtures/README.md) once into node_modules/.cache, in a folder named by the archives' hash (a changed
 * archive gets a new folder; an interrupted unpack is never used), and provides its path to the tests
 * (`opsFixture` in paths.ts). The tests read the cases as files because the code under test takes file paths.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import tar from 'tar-stream';
import type { TestProject } from 'vitest/node';
import { fileURLToPath } from 'node:url';

declare module 'vitest' {
  export interface ProvidedContext { opsFixtureDir: string }
}

// Not from paths.ts: that module needs a test worker (vitest's inject); this runs in the main process.
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OPS_ARCHIVES = path.join(REPO_ROOT, 'test', 'fixtures', 'ops');

async function untar(bytes: Buffer, into: string): Promise<number> {
  const extract = tar.extract();
  let files = 0;
  const done = new Promise<void>((resolve, reject) => { extract.on('finish', resolve); extract.on('error', reject); });
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      if (header.type === 'file') {
        const file = path.join(into, header.name);
        if (!file.startsWith(into + path.sep)) throw new Error(`archive entry outside the folder: ${header.name}`);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, Buffer.concat(chunks));
        files++;
      }
      next();
    });
    stream.resume();
  });
  extract.end(bytes);
  await done;
  return files;
}

export default async function setup(project: TestProject): Promise<void> {
  const archives = readdirSync(OPS_ARCHIVES).filter((f) => f.endsWith('.tar.br')).sort().map((f) => path.join(OPS_ARCHIVES, f));
  const hash = createHash('sha256');
  for (const f of [...archives, path.join(OPS_ARCHIVES, 'INDEX.json')]) hash.update(readFileSync(f));
  const cache = path.join(REPO_ROOT, 'node_modules', '.cache', 'espdl-autoquant-fixtures');
  const dir = path.join(cache, `ops-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(dir)) {
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    writeFileSync(path.join(partial, 'INDEX.json'), readFileSync(path.join(OPS_ARCHIVES, 'INDEX.json')));
    for (const a of archives) await untar(brotliDecompressSync(readFileSync(a)), partial);
    try {
      renameSync(partial, dir);
    } catch (e) {
      // Another run unpacked the same archives at the same time: keep theirs.
      if (!existsSync(dir)) throw e;
      rmSync(partial, { recursive: true, force: true });
    }
  }
  project.provide('opsFixtureDir', dir);
}
