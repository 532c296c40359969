/**
 * `espdl-autoquant demo` (npm run demo): the whole product on the bundled example in a few minutes —
 * one quantization with ESP-PPQ's default settings (accuracy before/after, graph-wise SNR table), then an
 * AutoQuant search over our default space, ranked by test-set top-1, ending with the Top-K table.
 */
import { parseFlags } from '../args.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantizeModel } from '../../app/quantize.js';
import { writeHtmlReport } from '../../app/report.js';
import { parseNpy } from '../../data/npy.js';
import type { Tensor } from '../../ir/tensor.js';
import { parseTarget } from '../../quant/targets.js';
import { topOneAccuracy } from '../../exec/top-one.js';
import { ortRuntime } from '../../node/ort-runtime.js';
import { defineCommand, type Command } from '../command.js';
import { formatQuantizeSummary } from '../format-quantize.js';
import { realEngine, runSearchCommand } from './search.js';

/** examples/digits of this package (src/cli/commands → ../../../examples, the same from lib/). */
export const EXAMPLE_DIR = fileURLToPath(new URL('../../../examples/digits/', import.meta.url));

const usage = `Usage: espdl-autoquant demo [--target T] [--out DIR] [--skip-search]

Runs the bundled example (examples/digits: a small CNN on 16×16 digits):
  1. quantizes it for the target (default esp32p4) with ESP-PPQ's default settings and prints the test-set
     top-1 before and after, and the graph-wise noise:signal table;
  2. runs an AutoQuant search with the default "quick" space, ranking candidates by test-set top-1
     (examples/digits/evaluate.mjs), refines the best one with TQT, and prints the Top-K;
  3. writes the HTML report of the search (DIR/demo-search/report.html) and prints its path.
Files go to DIR (default ./outputs): DIR/demo-quantize/model.*, DIR/demo-search/.
`;

/** A path as the user would type it from `cwd`: relative below it, absolute elsewhere. */
function shown(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

async function npy(name: string): Promise<Tensor> {
  return parseNpy(new Uint8Array(await readFile(path.join(EXAMPLE_DIR, name))));
}

export const demoCommand: Command = defineCommand({
  name: 'demo',
  summary: 'quantize and search the bundled example model',
  usage,
  async run(argv, ctx) {
    const { values } = parseFlags('demo', { args: argv, strict: true, options: { target: { type: 'string' }, out: { type: 'string' }, 'skip-search': { type: 'boolean' } } });
    const target = parseTarget(values.target ?? 'esp32p4');
    const outDir = path.resolve(ctx.cwd, values.out ?? 'outputs');
    const runtime = ortRuntime();
    const modelPath = path.join(EXAMPLE_DIR, 'model.onnx');
    const calibPath = path.join(EXAMPLE_DIR, 'calib.npy');
    ctx.stdout(`== 1. Quantize ${path.relative(ctx.cwd, modelPath)} for ${target} (int8, kl: ESP-PPQ's defaults)\n\n`);
    const result = await quantizeModel({
      model: modelPath, calib: calibPath, target, bits: 8, out: path.join(outDir, 'demo-quantize', 'model.espdl'), batchSize: 8,
      analysis: { graphwise: true }, runtime, cwd: ctx.cwd, logger: ctx.logger, signal: ctx.signal,
    });
    const images = await npy('test_images.npy');
    const labels = Array.from((await npy('test_labels.npy')).data as BigInt64Array, Number);
    const before = await topOneAccuracy(runtime, result.model, images, labels);
    const after = await topOneAccuracy(runtime, result.qdqModel, images, labels);
    ctx.stdout(formatQuantizeSummary(result, result.options));
    ctx.stdout(`Test-set top-1 (${labels.length} images): float ${(before * 100).toFixed(2)}%  →  quantized ${(after * 100).toFixed(2)}%\n\n`);
    if (values['skip-search']) return 0;
    ctx.stdout(`== 2. AutoQuant search (space "quick", ranked by test-set top-1)\n\n`);
    const runDir = path.join(outDir, 'demo-search');
    const code = await runSearchCommand({
      model: modelPath, calib: calibPath, target, config: path.join(EXAMPLE_DIR, 'autoquant.yml'),
      evaluate: path.join(EXAMPLE_DIR, 'evaluate.mjs'), runDir, calibSteps: 16,
      resume: false, dryRun: false, json: false,
    }, ctx, realEngine);
    const report = await writeHtmlReport(runDir, ctx.cwd);
    ctx.stdout(`\n== 3. Report: open it in a browser (Top-K with estimated latency and memory, score vs latency, per-layer noise)\n\n${shown(report, ctx.cwd)}\n`);
    return code;
  },
});
