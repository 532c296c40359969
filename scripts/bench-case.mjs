// One benchmark case, run in a child process by bench.mjs (uses the built library in lib/).
import { performance } from 'node:perf_hooks';

/**
 * A bench model and its calibration samples: `c.calib` (.npy, first `c.samples`) or `c.samples` seeded
 * standard-normal samples (seed 1234, like ESP-PPQ's reference runs: numpy.random.RandomState(1234)), written to
 * a .npy under .bench/ and read back through the CLI's data reader (as a user's file would be); `c.inputShape`
 * fixes dynamic input dims as `--input-shape` does. Also used by training-benefit.mjs.
 */
export async function loadCase(c) {
  const { loadOnnxFile } = await import('../lib/api/node.js');
  const { prepareModel } = await import('../lib/onnx/prepare-model.js');
  const { openCalibration } = await import('../lib/node/open-inputs.js');
  const { runFrontEnd } = await import('../lib/onnx/frontend/index.js');
  const { calibFile } = await import('./bench-models.mjs');
  const raw = await loadOnnxFile(c.model);
  const shapes = c.inputShape ? { inputShapes: c.inputShape } : {};
  const quiet = { debug() {}, info() {}, warn() {} };
  // The ONNX front end alone (it also runs inside prepareModel): its share of a quantization is reported.
  const f0 = performance.now();
  runFrontEnd(raw, { ...shapes, logger: quiet });
  const frontendMs = performance.now() - f0;
  const t0 = performance.now();
  const model = prepareModel(raw, shapes, quiet);
  const prepareMs = performance.now() - t0;
  const input = model.graph.inputs[0];
  const dims = input.shape.slice(1);
  const file = c.calib ?? await calibFile(c.calibName, dims, c.samples);
  const source = await openCalibration(file, model, quiet, c.samples);
  return { model, input, dims, file, source, prepareMs, frontendMs };
}

/** Milliseconds of `passes` plain onnxruntime float passes over the samples, batches of 8 as the pipeline runs them. */
async function floorMs(runtime, model, source, passes) {
  const { defaultQuantOptions } = await import('../lib/quant/options.js');
  const { buildSimModel } = await import('../lib/quant/simulate/sim-model.js');
  const { createQuantizedGraph } = await import('../lib/quant/configs.js');
  const { loadBatchSession } = await import('../lib/exec/batches.js');
  const logger = { debug() {}, info() {}, warn() {} };
  const floatModel = buildSimModel(createQuantizedGraph(model, defaultQuantOptions('esp32p4', 8), logger), { float: true }).model;
  const session = await loadBatchSession(runtime, floatModel);
  const out = [model.graph.outputs[0].name];
  for await (const batch of source.batches(8)) { await session.run(batch, out); break; } // warm-up
  const f0 = performance.now();
  for (let p = 0; p < passes; p++) for await (const batch of source.batches(8)) await session.run(batch, out);
  const ms = performance.now() - f0;
  await session.release();
  return ms;
}

export async function runCase(name, c) {
  const { ortRuntime } = await import('../lib/api/node.js');
  const { quantizeOnnx } = await import('../lib/quant/quantize-model.js');
  const { defaultQuantOptions } = await import('../lib/quant/options.js');
  const logger = { debug() {}, info() {}, warn() {} };
  const { model, source, prepareMs, frontendMs } = await loadCase(c);
  const runtime = ortRuntime();
  // The floor: two plain float passes over the samples (calibration and graph-wise each need at least one).
  const floor = await floorMs(runtime, model, source, 2);
  const options = { ...defaultQuantOptions('esp32p4', 8), calibSteps: Math.ceil(c.samples / 8) };
  const q0 = performance.now();
  const r = await quantizeOnnx({ model, data: source, options, runtime, batchSize: 8, logger, now: () => performance.now() });
  const totalMs = performance.now() - q0;
  return {
    name, samples: c.samples, nodes: model.graph.nodes.length, floorMs: floor, totalMs, frontendMs,
    stages: { prepare: prepareMs, ...r.timingsMs }, top3Mean: r.top3Mean,
    peakRssKb: process.resourceUsage().maxRSS,
  };
}

/**
 * AutoQuant's mixed-precision baseline as a search pays it once: the int8 espdl_setting() quantization and the
 * layer-wise error of every computing op (ExperimentRunner.baselineLayerwise, src/node/experiment-runner.ts).
 */
export async function runLayerwise(name, c) {
  const { ortRuntime } = await import('../lib/api/node.js');
  const { experimentRunner } = await import('../lib/node/experiment-runner.js');
  const logger = { debug() {}, info() {}, warn() {} };
  const { model, source } = await loadCase(c);
  const runtime = ortRuntime();
  const floor = await floorMs(runtime, model, source, 2);
  const runner = experimentRunner({ model, data: source, runtime, target: 'esp32p4', batchSize: 8, calibSteps: Math.ceil(c.samples / 8), logger });
  const t0 = performance.now();
  const errors = await runner.baselineLayerwise(new AbortController().signal);
  const totalMs = performance.now() - t0;
  return { name, samples: c.samples, ops: Object.keys(errors).length, floorMs: floor, totalMs, peakRssKb: process.resourceUsage().maxRSS };
}

/**
 * A whole search through the search use case (the CLI's `search`): wall time, and each experiment's own time
 * (the first includes loading the model and the layer-wise baseline). `settings` are ESP-PPQ field names.
 */
async function timedSearch({ model, calib, settings, calibSteps, inputShape }) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { runSearch } = await import('../lib/app/search.js');
  const { loadSettings } = await import('../lib/autoquant/settings.js');
  const { realRunnerFactory } = await import('../lib/node/search-runner-factory.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-search-'));
  const quiet = { debug() {}, info() {}, warn() {} };
  const experimentMs = [];
  let last = 0;
  const t0 = performance.now();
  const r = await runSearch({
    model, calib, target: 'esp32p4', settings: loadSettings(JSON.stringify({ ...settings, run_dir: 'run' }), 'bench settings'), calibSteps, batchSize: 8, env: {}, logger: quiet,
    signal: new AbortController().signal, cwd: dir, ...(inputShape ? { inputShape } : {}),
    onExperiment: () => { const now = performance.now() - t0; experimentMs.push(now - last); last = now; },
  }, realRunnerFactory);
  const wallS = (performance.now() - t0) / 1000;
  const scores = r.report.experiments?.map((e) => e.score) ?? r.candidates.map((e) => e.score);
  rmSync(dir, { recursive: true, force: true });
  return { wallS, experiments: r.newExperiments, experimentMs, best: Math.min(...scores), peakRssKb: process.resourceUsage().maxRSS };
}

/** Seconds per TQT step and per AdaRound step on the synthetic MobileNetV2-shaped block (56×56, batch 8). */
export async function runTraining() {
  const { mobilenetV2Block } = await import('../lib/quant/training/synthetic-block.js');
  const { runTqt, runAdaround } = await import('../lib/quant/training/index.js');
  // The helper thread the CLI lends the training passes (src/node/training-threads.ts), as a user's run has it.
  const { sharedTrainingHelper } = await import('../lib/node/training-threads.js');
  const helper = sharedTrainingHelper();
  const ctx = helper ? { helper } : {};
  const steps = 3;
  const { block, batches } = mobilenetV2Block(8, 56);
  const time = (fn) => { const t0 = performance.now(); fn(); return (performance.now() - t0) / 1000; };
  // Each pass also runs 2 block forwards (loss before/after); measure 0 steps to subtract that overhead. Two
  // warm-up steps first, as the reference's (warmup_steps: 2): the first calls compile the code for these shapes.
  runTqt(block, batches, { lr: 1e-5, steps: 2, isScaleTrainable: true, gamma: 0, intLambda: 0 }, undefined, ctx);
  runAdaround(block, batches, { lr: 1e-4, steps: 2, gamma: 1, isScaleTrainable: false }, undefined, ctx);
  const tqtBase = time(() => runTqt(block, batches, { lr: 1e-5, steps: 0, isScaleTrainable: true, gamma: 0, intLambda: 0 }, undefined, ctx));
  const tqt = time(() => runTqt(block, batches, { lr: 1e-5, steps, isScaleTrainable: true, gamma: 0, intLambda: 0 }, undefined, ctx));
  const adaBase = time(() => runAdaround(block, batches, { lr: 1e-4, steps: 0, gamma: 1, isScaleTrainable: false }, undefined, ctx));
  const ada = time(() => runAdaround(block, batches, { lr: 1e-4, steps, gamma: 1, isScaleTrainable: false }, undefined, ctx));
  const example = await exampleBlockSteps(time, ctx);
  return { name: 'training', threads: helper ? 2 : 1, tqtStepS: (tqt - tqtBase) / steps, adaroundStepS: (ada - adaBase) / steps, example, peakRssKb: process.resourceUsage().maxRSS };
}

/** The same per-step figures on the bundled example's largest block (its 128 calibration images, batch 8). */
export async function exampleBlockSteps(time, ctx) {
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { readFileSync } = await import('node:fs');
  const { loadOnnxFile, ortRuntime } = await import('../lib/api/node.js');
  const { prepareModel } = await import('../lib/onnx/prepare-model.js');
  const { ensureShapes } = await import('../lib/exec/infer-shapes.js');
  const { quantizeGraph } = await import('../lib/quant/quantize.js');
  const { defaultQuantOptions } = await import('../lib/quant/options.js');
  const { memoryDataSource } = await import('../lib/data/memory-source.js');
  const { parseNpy } = await import('../lib/data/npy.js');
  const { buildBlocks, describeBlock, runTqt, runAdaround } = await import('../lib/quant/training/index.js');
  const { isQuantableComputing } = await import('../lib/quant/training/run-pass.js');
  const { simCollector } = await import('../lib/quant/training/collect.js');
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../examples/digits');
  const logger = { debug() {}, info() {}, warn() {} };
  const runtime = ortRuntime();
  const model = prepareModel(await loadOnnxFile(path.join(dir, 'model.onnx')), {}, logger);
  await ensureShapes(model, runtime);
  const data = memoryDataSource({ input: parseNpy(new Uint8Array(readFileSync(path.join(dir, 'calib.npy')))) });
  const { graph } = await quantizeGraph(model, { ...defaultQuantOptions('esp32p4', 8), calibSteps: 16 }, { runtime, data, batchSize: 8, logger });
  const blocks = buildBlocks(graph.model.graph, isQuantableComputing(graph), 4).map((b) => describeBlock(graph, b.nodes));
  const block = blocks.reduce((a, b) => (b.ops.length > a.ops.length ? b : a));
  const batches = await simCollector(runtime, data, 8, graph.storedParams)(graph, block);
  const steps = 20;
  const tqtOpts = (n) => ({ lr: 1e-5, steps: n, isScaleTrainable: true, gamma: 0, intLambda: 0 });
  const adaOpts = (n) => ({ lr: 1e-4, steps: n, gamma: 1, isScaleTrainable: false });
  runTqt(block, batches, tqtOpts(2), undefined, ctx); // warm-up, as above
  runAdaround(block, batches, adaOpts(2), undefined, ctx);
  const tqt = (time(() => runTqt(block, batches, tqtOpts(steps), undefined, ctx)) - time(() => runTqt(block, batches, tqtOpts(0), undefined, ctx))) / steps;
  const ada = (time(() => runAdaround(block, batches, adaOpts(steps), undefined, ctx)) - time(() => runAdaround(block, batches, adaOpts(0), undefined, ctx))) / steps;
  return { block: block.name, ops: block.ops.length, batches: batches.length, tqtStepS: tqt, adaroundStepS: ada };
}

/** ESP-PPQ's fast search of its run test/fixtures/digits/autoquant_default (same space, model, data, calib_steps). */
export async function runSearch(root) {
  const { readFileSync } = await import('node:fs');
  const path = await import('node:path');
  const fixtures = path.join(root, 'test/fixtures/digits');
  const meta = JSON.parse(readFileSync(path.join(fixtures, 'autoquant_default/run_meta.json'), 'utf8'));
  const settings = { search_mode: 'fast', space: 'espdl-default', top_strategy: meta.top_strategy, early_stop_patience: meta.early_stop_patience,
    num_of_candidates: meta.num_of_candidates, strategy_space: meta.strategy_space, param_space: meta.param_space, refine_with: [] };
  const r = await timedSearch({ model: path.join(fixtures, 'model.onnx'), calib: path.join(fixtures, 'calib.npy'), settings, calibSteps: 8 });
  return { name: 'search', ...r, ppqWallS: meta.total_wall_s, ppqExperiments: meta.num_experiments, ppqBest: meta.candidates[0].score,
    ppqLayerwiseS: meta.baseline_layerwise.total_s };
}

/** Our default search (the `quick` space, 24 experiments + the layer-wise baseline) on MobileNetV2, 32 samples. */
export async function runQuickSearch(c) {
  const { model, file, source } = await loadCase(c);
  const { ortRuntime } = await import('../lib/api/node.js');
  // The floor of one experiment: one float pass over the data its graph-wise evaluation reads.
  const floor = await floorMs(ortRuntime(), model, source, 1);
  const r = await timedSearch({ model: c.model, calib: file, settings: {}, calibSteps: Math.ceil(c.samples / 8) });
  return { name: 'search_quick', samples: c.samples, floorMs: floor, ...r };
}
