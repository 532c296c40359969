#!/usr/bin/env node
// Fits the latency model on the published ESP-DL model-zoo latencies and writes src/cost/fitted.ts
// (docs/latency.md). Inputs: test/fixtures/espdl-zoo/structure/ (latency.json and the zoo files). Needs the built
// library (`npm run fit:latency` builds first).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { parseZooIndex, calibrationPoint, fitCoverage, fittedModuleSource } = await import(path.join(root, 'lib/cost/calibration.js'));
const { fitConstants, leaveOneOut, errorSummary } = await import(path.join(root, 'lib/cost/fit.js'));

const rel = 'test/fixtures/espdl-zoo/structure';
const dir = path.join(root, rel);
const entries = parseZooIndex(readFileSync(path.join(dir, 'latency.json'), 'utf8'), `${rel}/latency.json`);
const points = entries.map((e) => calibrationPoint(e, new Uint8Array(zlib.gunzipSync(readFileSync(path.join(dir, e.file))))));
const fit = fitConstants(points);
const loo = leaveOneOut(points);
writeFileSync(path.join(root, 'src/cost/fitted.ts'), fittedModuleSource(fit, loo, fitCoverage(points), `${rel} (${points.length} published latencies)`));
console.log(JSON.stringify(fit));
for (const chip of ['esp32p4', 'esp32s3']) {
  const s = errorSummary(loo.filter((p) => p.target === chip));
  console.log(`${chip}: leave-one-out median ${(s.median * 100).toFixed(1)}%, max ${(s.max * 100).toFixed(1)}%`);
}
for (const p of loo) console.log(`  ${p.target} ${p.label}: ${p.ms} ms published, ${p.predicted_ms.toFixed(1)} ms held out (${(p.error * 100).toFixed(1)}%)`);

// Consistency with ESP-DL's kernel micro-benchmarks (they fixed the per-call / per-instruction split, not the scale).
const { microBenchmarkGraph } = await import(path.join(root, 'lib/cost/calibration.js'));
const { MICRO_BENCHMARKS } = await import(path.join(root, 'lib/cost/kernel-priors.js'));
const { estimateGraph } = await import(path.join(root, 'lib/cost/estimate.js'));
console.log('micro-benchmarks (operator_performance.md, SIMD):');
for (const b of MICRO_BENCHMARKS) {
  const est = estimateGraph(microBenchmarkGraph(b), b.chip, 0).latency_ms * 1000;
  console.log(`  ${b.chip} ${b.kind} in ${b.input.slice(1).join('×')} k${b.kernel.join('×')} out ${b.cout}: ${b.us} µs published, ${est.toFixed(0)} µs modelled (${((est / b.us - 1) * 100).toFixed(0)}%)`);
}
