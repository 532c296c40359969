#!/usr/bin/env node
// Makes test/fixtures/espdl-zoo/structure/: ESP-DL model-zoo `.espdl` files with every parameter byte set to 0
// (the latency model reads shapes, widths and byte counts, never weight values), gzipped. The result is the zoo
// file byte for byte except the weights, ~5% of its size. Needs the built library (npm run build).
// Usage: node scripts/make-zoo-fixtures.mjs <folder with the zoo .espdl files> [out = test/fixtures/espdl-zoo/structure]
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { parseContainer } = await import(path.join(root, 'lib/espdl/container.js'));
const { readEspdlModel } = await import(path.join(root, 'lib/espdl/read.js'));

const [src, out = path.join(root, 'test/fixtures/espdl-zoo/structure')] = process.argv.slice(2);
if (!src) {
  console.error('usage: node scripts/make-zoo-fixtures.mjs <folder with the zoo .espdl files> [out folder]');
  process.exit(2);
}

/** The file with each initializer's raw data zeroed in place (offsets are inside the model record). */
export function zeroParameters(bytes) {
  const outBytes = new Uint8Array(bytes);
  for (const entry of parseContainer(bytes).models) {
    const model = readEspdlModel(entry.payload);
    for (const t of model.graph.initializers) {
      if (t.rawOffset === null) continue;
      const start = entry.offset + t.rawOffset;
      outBytes.fill(0, start, start + t.raw.length);
    }
  }
  return outBytes;
}

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.espdl')) files.push(p);
  }
};
walk(src);
mkdirSync(out, { recursive: true });
for (const f of files) {
  const zeroed = zeroParameters(new Uint8Array(readFileSync(f)));
  // mtime 0 and no name in the gzip header: the same input always gives the same bytes.
  const gz = zlib.gzipSync(zeroed, { level: 9 });
  gz[4] = gz[5] = gz[6] = gz[7] = 0;
  writeFileSync(path.join(out, `${path.basename(f)}.gz`), gz);
  console.log(`${path.basename(f)}: ${zeroed.length} → ${gz.length} bytes`);
}
