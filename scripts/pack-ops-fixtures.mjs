#!/usr/bin/env node
// Packs ESP-PPQ's single-operator reference bank (a folder `<target>_<bits>/<Op>/<NN>_<case>/…` + INDEX.json, made
// as test/fixtures/README.md describes) into test/fixtures/ops/: one `<target>_<bits>.tar.br` per group (a
// reproducible ustar archive, Brotli-compressed: solid compression of ~1,500 similar small files is 2–3× smaller
// than gzip and needs nothing but node:zlib to read) and INDEX.json as is. Only the files tests read are kept.
// Usage: node scripts/pack-ops-fixtures.mjs <bank folder> [out folder = test/fixtures/ops]
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import tar from 'tar-stream';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const GROUPS = ['esp32p4_8', 'esp32s3_8', 'esp32p4_16', 'esp32s3_16'];
/** Per case: what tests read. Left out: input_<i>_q.npy (tests quantize the float inputs themselves). */
const KEEP = /^(model\.(onnx|json|espdl|canonical\.json|info\.gz)|meta\.json|input_\d+\.npy|output_\d+(_q)?\.npy)$/;

function filesOf(dir, rel = '') {
  const out = [];
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(path.join(dir, r)).isDirectory()) out.push(...filesOf(dir, r));
    else if (r.split('/').length === 3 && KEEP.test(name)) out.push(r);
  }
  return out;
}

async function packGroup(bank, group) {
  const pack = tar.pack();
  const chunks = [];
  pack.on('data', (c) => chunks.push(c));
  const done = new Promise((resolve, reject) => { pack.on('end', resolve); pack.on('error', reject); });
  // Fixed metadata so the same bank always gives the same bytes.
  for (const rel of filesOf(path.join(bank, group))) {
    pack.entry({ name: `${group}/${rel}`, mtime: new Date(0), mode: 0o644, uid: 0, gid: 0, uname: '', gname: '' }, readFileSync(path.join(bank, group, rel)));
  }
  pack.finalize();
  await done;
  const tarBytes = Buffer.concat(chunks);
  return zlib.brotliCompressSync(tarBytes, { params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: tarBytes.length,
  } });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [bank, outArg] = process.argv.slice(2);
  if (!bank) { console.error('usage: node scripts/pack-ops-fixtures.mjs <bank folder> [out folder]'); process.exit(2); }
  const out = path.resolve(outArg ?? path.join(root, 'test/fixtures/ops'));
  mkdirSync(out, { recursive: true });
  copyFileSync(path.join(bank, 'INDEX.json'), path.join(out, 'INDEX.json'));
  for (const group of GROUPS) {
    const bytes = await packGroup(bank, group);
    writeFileSync(path.join(out, `${group}.tar.br`), bytes);
    console.log(`${group}.tar.br ${(bytes.length / 1e6).toFixed(2)} MB`);
  }
}
