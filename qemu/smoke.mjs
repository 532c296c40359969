#!/usr/bin/env node
// End-to-end smoke test of the benchmark firmware in Espressif QEMU (the firmware workflow's qemu job):
// quantizes the bundled example model (examples/digits, 24 KB as .espdl) for the chip with embedded test values,
// runs `espdl-autoquant bench --qemu` on the firmware build(s), and checks the result: the model loaded, ran and
// was counted (icount). A failed Model::test() is reported as a warning, not a failure: in QEMU it is advisory.
//
//   node qemu/smoke.mjs <esp32|esp32s3> <firmware build dir or folder of builds> [work dir]
//
// Needs a built checkout (npm ci) and qemu-system-xtensa on PATH (the espressif/idf image has it).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [chip, firmware, work = path.join(root, 'qemu-smoke')] = process.argv.slice(2);
if (!['esp32', 'esp32s3'].includes(chip ?? '') || !firmware) {
  console.error('usage: node qemu/smoke.mjs <esp32|esp32s3> <firmware build dir or folder of builds> [work dir]');
  process.exit(2);
}
const cli = path.join(root, 'lib/cli/index.js');
const run = (args) => {
  console.log(`$ espdl-autoquant ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`espdl-autoquant ${args[0]} exited with ${r.status ?? r.signal}`);
    process.exit(1);
  }
};

mkdirSync(path.join(work, chip), { recursive: true });
const model = path.join(work, chip, 'digits.espdl');
const out = path.join(work, `bench-${chip}.json`);
run(['quantize', '--model', path.join(root, 'examples/digits/model.onnx'), '--calib', path.join(root, 'examples/digits/calib.npy'),
  '--target', chip, '--export-test-values', '--out', model]);
run(['bench', '--qemu', '--chip', chip, '--firmware', path.resolve(firmware), '--candidates', model, '--timeout', '900', '--out', out]);

const report = JSON.parse(readFileSync(out, 'utf8'));
const c = report.candidates[0];
console.log(JSON.stringify({ status: c.status, reason: c.reason, test: c.test, model_bytes: c.model_bytes, icount_median: c.icount?.median, memory: c.memory_bytes }, null, 2));
if (c.status !== 'ok' || !c.icount || c.test === null) {
  console.error(`::error::QEMU ${chip}: the model did not run to the end (${c.status}: ${c.reason ?? 'no reason'})`);
  process.exit(1);
}
if (c.test !== 'pass') console.log(`::warning::QEMU ${chip}: Model::test() = ${c.test} (advisory in QEMU: ${report.test_advisory})`);
