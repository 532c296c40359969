#!/usr/bin/env node
// Measures what the gradient-trained passes buy per second of quantization time: the same configuration
// (esp32p4 int8, kl, ESP-PPQ's espdl_setting) without and with TQT / blockwise reconstruction / bias correction,
// on the bundled example, ESP-PPQ's digits fixture (with test-set top-1) or the MobileNetV2-sized bench model.
// The quick space's refinement with TQT (and not blockwise reconstruction) rests on these figures (README
// "Search settings"; src/autoquant/refine.ts).
//
//   npm run build --silent && node scripts/training-benefit.mjs example
//   node scripts/training-benefit.mjs digits-fixture --tqt-steps 100
//   node scripts/training-benefit.mjs mobilenet_v2 --tqt-steps 5 --blockwise-steps 5
//
// Score = the default evaluator's (mean of the 3 worst graph-wise noise:signal ratios, lower is better).
// With fewer steps than ESP-PPQ's defaults, each training variant also runs with twice the steps: the difference
// gives seconds per step (collection, loss checks and analysis excluded), extrapolated to ESP-PPQ's step counts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { mobileNetV2File } from './bench-models.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { ortRuntime } = await import('../lib/api/node.js');
const { quantizeOnnx } = await import('../lib/quant/quantize-model.js');
const { defaultQuantOptions } = await import('../lib/quant/options.js');
const { parseNpy } = await import('../lib/data/npy.js');
const { topOneAccuracy } = await import('../lib/exec/top-one.js');
const { loadCase } = await import('./bench-case.mjs');

/** Test-set top-1 of a (fake-quantized) model, when the case has test images. */
async function topOne(model) {
  if (!c.images) return undefined;
  const npy = (f) => parseNpy(new Uint8Array(readFileSync(f)));
  return topOneAccuracy(runtime, model, npy(c.images), Array.from(npy(c.labels).data, Number));
}

const args = process.argv.slice(2);
const caseName = args[0] ?? 'example';
const flag = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
/** ESP-PPQ's AutoQuant defaults: TQT steps 500 (of 500/1000/2000), blockwise reconstruction 1000. */
const PPQ_STEPS = { tqt: 500, blockwise: 1000 };
const steps = { tqt: flag('--tqt-steps', PPQ_STEPS.tqt), blockwise: flag('--blockwise-steps', PPQ_STEPS.blockwise) };

const ex = (dir) => ({ model: path.join(dir, 'model.onnx'), calib: path.join(dir, 'calib.npy'), images: path.join(dir, 'test_images.npy'), labels: path.join(dir, 'test_labels.npy') });
const CASES = {
  example: { ...ex(path.join(root, 'examples/digits')), samples: 128 },
  // ESP-PPQ's fixture runs: 64 calibration images in batches of 8 (fixtures/digits/meta.json).
  'digits-fixture': { ...ex(path.join(root, 'test/fixtures/digits')), samples: 64 },
  mobilenet_v2: { model: mobileNetV2File, calibName: 'mobilenet_v2', samples: 32 },
};
const c = CASES[caseName];
if (!c) { console.error(`unknown case ${caseName}: ${Object.keys(CASES).join(', ')}`); process.exit(2); }
if (typeof c.model === 'function') c.model = await c.model();

const quiet = { debug() {}, info() {}, warn() {} };
const { model, source: data } = await loadCase(c);
const runtime = ortRuntime();
const base = { ...defaultQuantOptions('esp32p4', 8), calibSteps: Math.ceil(c.samples / 8) };

const variants = [
  ['baseline (kl, espdl_setting)', {}, 0],
  [`+ tqt (lr 1e-5, block 4, ${steps.tqt} steps)`, { tqt: { interestedLayers: [], lr: 1e-5, steps: steps.tqt, blockSize: 4, isScaleTrainable: true, gamma: 0, intLambda: 0 } }, PPQ_STEPS.tqt / steps.tqt],
  [`+ blockwise_reconstruction (lr 1e-4, block 4, ${steps.blockwise} steps)`, { blockwiseReconstruction: { interestedLayers: [], isScaleTrainable: false, lr: 1e-4, steps: steps.blockwise, gamma: 1, blockSize: 4 } }, PPQ_STEPS.blockwise / steps.blockwise],
  ['+ bias_correction (block 4)', { biasCorrection: { interestedLayers: [], blockSize: 4, steps: 32 } }, 1],
];

console.log(`== ${caseName}: ${c.samples} calibration samples, batch 8, esp32p4 int8 kl (load ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
async function quantize(extra) {
  const t0 = performance.now();
  const r = await quantizeOnnx({ model, data, options: { ...base, ...extra }, runtime, batchSize: 8, logger: quiet, now: () => performance.now() });
  const seconds = (performance.now() - t0) / 1000;
  return { score: r.top3Mean, seconds, trainingS: (r.timingsMs.training ?? 0) / 1000, top1: await topOne(r.qdqModel) };
}
/** The same variant with its step count doubled: the slope gives seconds per step without the fixed costs. */
function doubled(extra) {
  const [k, o] = Object.entries(extra)[0];
  return { [k]: { ...o, steps: o.steps * 2 } };
}
const rows = [];
for (const [label, extra, scaleTo] of variants) {
  const r = await quantize(extra);
  const top1 = r.top1 === undefined ? '' : `  top-1 ${(r.top1 * 100).toFixed(2)} %`;
  let line = `${label.padEnd(56)} score ${r.score.toFixed(5)}${top1}  ${r.seconds.toFixed(1)} s (training ${r.trainingS.toFixed(1)} s)`;
  if (scaleTo > 1) {
    const r2 = await quantize(doubled(extra));
    const stepS = (r2.trainingS - r.trainingS) / Object.values(extra)[0].steps;
    r.stepS = stepS;
    r.atPpqSteps = r.seconds + stepS * Object.values(extra)[0].steps * (scaleTo - 1);
    line += `; ${stepS.toFixed(2)} s per step over all blocks (from a run with twice the steps), ≈${r.atPpqSteps < 90 ? `${r.atPpqSteps.toFixed(0)} s` : `${(r.atPpqSteps / 60).toFixed(0)} min`} at ESP-PPQ's step count (extrapolated)`;
  }
  rows.push({ label, ...r });
  const b = rows[0];
  if (rows.length > 1) line += ` | ${(((b.score - r.score) / b.score) * 100).toFixed(1)} % lower error, ${((b.score - r.score) / (r.seconds - b.seconds) * 1000).toFixed(3)}e-3 per extra second`;
  console.log(line);
}
console.log(JSON.stringify({ case: caseName, steps, rows }));
