// One benchmark case, run in a child process by bench.mjs (uses the built library in lib/).
import { performance } from 'node:perf_hooks';

/**
 * A bench model and its calibration samples: `c.calib` (.npy, first `c.samples`) or `c.samples` seeded
 * standard-normal samples (seed 1234, like ESP-PPQ's reference runs: numpy.random.RandomState(1234)); `c.inputShape`
 * fixes dynamic input dims as `--input-shape` does. Also used by training-benefit.mjs.
 */
export async function loadCase(c) {
  const { loadOnnxFile } = await import('../lib/api/node.js');
  const { prepareModel } = await import('../lib/onnx/prepare-model.js');
  const { memoryDataSource } = await import('../lib/data/memory-source.js');
  const { seededNormal } = await import('../lib/data/random.js');
  const { parseNpy } = await import('../lib/data/npy.js');
  const { readFileSync } = await import('node:fs');
  const { runFrontEnd } = await import('../lib/onnx/frontend/index.js');
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
  const per = dims.reduce((a, b) => a * b, 1);
  const values = c.calib ? parseNpy(new Uint8Array(readFileSync(c.calib))).data.slice(0, c.samples * per) : seededNormal(c.samples * per, 1234);
  const data = { dtype: 'float32', dims: [c.samples, ...dims], data: values };
  return { model, input, dims, data, source: memoryDataSource({ [input.name]: data }), prepareMs, frontendMs };
}

export async function runCase(name, c) {
  const { ortRuntime } = await import('../lib/api/node.js');
  const { quantizeOnnx } = await import('../lib/quant/quantize-model.js');
  const { defaultQuantOptions } = await import('../lib/quant/options.js');
  const { buildSimModel } = await import('../lib/quant/simulate/sim-model.js');
  const { createQuantizedGraph } = await import('../lib/quant/configs.js');
  const { loadBatchSession } = await import('../lib/exec/batches.js');
  const logger = { debug() {}, info() {}, warn() {} };
  const { model, input, dims, data, source, prepareMs, frontendMs } = await loadCase(c);
  const runtime = ortRuntime();

  // The floor: one plain float pass over the samples, batches of 8 as the pipeline runs them.
  const floatModel = buildSimModel(createQuantizedGraph(model, defaultQuantOptions('esp32p4', 8), logger), { float: true }).model;
  const session = await loadBatchSession(runtime, floatModel);
  await session.run({ [input.name]: { ...data, dims: [1, ...dims], data: data.data.subarray(0, data.data.length / c.samples) } }, [model.graph.outputs[0].name]);
  const f0 = performance.now();
  for await (const batch of source.batches(8)) await session.run(batch, [model.graph.outputs[0].name]);
  const floorMs = performance.now() - f0;
  await session.release();

  const options = { ...defaultQuantOptions('esp32p4', 8), calibSteps: Math.ceil(c.samples / 8) };
  const q0 = performance.now();
  const r = await quantizeOnnx({ model, data: source, options, runtime, batchSize: 8, logger, now: () => performance.now() });
  const totalMs = performance.now() - q0;
  return {
    name, samples: c.samples, nodes: model.graph.nodes.length, floorMs, totalMs, frontendMs,
    stages: { prepare: prepareMs, ...r.timingsMs }, top3Mean: r.top3Mean,
    peakRssKb: process.resourceUsage().maxRSS,
  };
}

/** Seconds per TQT step and per AdaRound step on the synthetic MobileNetV2-shaped block (56×56, batch 8). */
export async function runTraining() {
  const { mobilenetV2Block } = await import('../lib/quant/training/synthetic-block.js');
  const { runTqt, runAdaround } = await import('../lib/quant/training/index.js');
  const steps = 3;
  const { block, batches } = mobilenetV2Block(8, 56);
  const time = (fn) => { const t0 = performance.now(); fn(); return (performance.now() - t0) / 1000; };
  // Each pass also runs 2 block forwards (loss before/after); measure 0 steps to subtract that overhead.
  const tqtBase = time(() => runTqt(block, batches, { lr: 1e-5, steps: 0, isScaleTrainable: true, gamma: 0, intLambda: 0 }));
  const tqt = time(() => runTqt(block, batches, { lr: 1e-5, steps, isScaleTrainable: true, gamma: 0, intLambda: 0 }));
  const adaBase = time(() => runAdaround(block, batches, { lr: 1e-4, steps: 0, gamma: 1, isScaleTrainable: false }));
  const ada = time(() => runAdaround(block, batches, { lr: 1e-4, steps, gamma: 1, isScaleTrainable: false }));
  const example = await exampleBlockSteps(time);
  return { name: 'training', tqtStepS: (tqt - tqtBase) / steps, adaroundStepS: (ada - adaBase) / steps, example, peakRssKb: process.resourceUsage().maxRSS };
}

/** The same per-step figures on the bundled example's largest block (its 128 calibration images, batch 8). */
async function exampleBlockSteps(time) {
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
  const tqt = (time(() => runTqt(block, batches, tqtOpts(steps))) - time(() => runTqt(block, batches, tqtOpts(0)))) / steps;
  const ada = (time(() => runAdaround(block, batches, adaOpts(steps))) - time(() => runAdaround(block, batches, adaOpts(0)))) / steps;
  return { block: block.name, ops: block.ops.length, batches: batches.length, tqtStepS: tqt, adaroundStepS: ada };
}

/** The reduced fast search of ESP-PPQ's run test/fixtures/digits/autoquant_default (same space, model, data, calib_steps). */
export async function runSearch(root) {
  const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { main } = await import('../lib/cli/main.js');
  const fixtures = path.join(root, 'test/fixtures/digits');
  const meta = JSON.parse(readFileSync(path.join(fixtures, 'autoquant_default/run_meta.json'), 'utf8'));
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-search-'));
  const settings = { search_mode: 'fast', space: 'espdl-default', top_strategy: meta.top_strategy, early_stop_patience: meta.early_stop_patience,
    num_of_candidates: meta.num_of_candidates, strategy_space: meta.strategy_space, param_space: meta.param_space };
  writeFileSync(path.join(dir, 'aq.json'), JSON.stringify(settings));
  const quiet = { debug() {}, info() {}, warn() {} };
  const ctx = { stdout() {}, stderr() {}, logger: quiet, cwd: dir, env: {}, isTTY: false, signal: new AbortController().signal };
  const t0 = performance.now();
  const code = await main(['search', '--model', path.join(fixtures, 'model.onnx'), '--calib', path.join(fixtures, 'calib.npy'), '--target', 'esp32p4',
    '--config', 'aq.json', '--run-dir', 'run', '--calib-steps', '8'], ctx);
  const wallS = (performance.now() - t0) / 1000;
  const summary = JSON.parse(readFileSync(path.join(dir, 'run/summary.json'), 'utf8'));
  const best = Math.min(...summary.map((r) => r.score));
  return { name: 'search', code, wallS, experiments: summary.length, best, ppqWallS: meta.total_wall_s, ppqExperiments: meta.num_experiments,
    ppqBest: meta.candidates[0].score, peakRssKb: process.resourceUsage().maxRSS };
}
