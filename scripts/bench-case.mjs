// One benchmark case, run in a child process by bench.mjs (uses the built library in lib/).
import { performance } from 'node:perf_hooks';

export async function runCase(name, c) {
  const { loadOnnxFile, ortRuntime } = await import('../lib/node/index.js');
  const { prepareModel } = await import('../lib/pipeline/prepare-model.js');
  const { quantizeOnnx } = await import('../lib/pipeline/quantize-onnx.js');
  const { defaultQuantOptions } = await import('../lib/quant/options.js');
  const { memoryDataSource } = await import('../lib/data/memory-source.js');
  const { seededNormal } = await import('../lib/data/random.js');
  const { parseNpy } = await import('../lib/data/npy.js');
  const { buildSimModel } = await import('../lib/exec/sim-model.js');
  const { createQuantizedGraph } = await import('../lib/quant/configs.js');
  const { runBatch } = await import('../lib/quant/batches.js');
  const { readFileSync } = await import('node:fs');
  const logger = { debug() {}, info() {}, warn() {} };

  const t0 = performance.now();
  const model = prepareModel(await loadOnnxFile(c.model), {}, logger);
  const prepareMs = performance.now() - t0;
  const input = model.graph.inputs[0];
  const dims = input.shape.slice(1);
  let data;
  if (c.calib) {
    const t = parseNpy(new Uint8Array(readFileSync(c.calib)));
    const per = dims.reduce((a, b) => a * b, 1);
    data = { dtype: 'float32', dims: [c.samples, ...dims], data: t.data.slice(0, c.samples * per) };
  } else {
    const n = c.samples * dims.reduce((a, b) => a * b, 1);
    data = { dtype: 'float32', dims: [c.samples, ...dims], data: seededNormal(n, 1234) };
  }
  const source = memoryDataSource({ [input.name]: data });
  const runtime = ortRuntime();

  // The floor: one plain float pass over the samples (batch 1, as the pipeline runs).
  const floatModel = buildSimModel(createQuantizedGraph(model, defaultQuantOptions('esp32p4', 8), logger), { float: true }).model;
  const session = await runtime.load(floatModel);
  await runBatch(session, { [input.name]: { ...data, dims: [1, ...dims], data: data.data.subarray(0, data.data.length / c.samples) } }, [model.graph.outputs[0].name]);
  const f0 = performance.now();
  for await (const batch of source.batches(8)) await runBatch(session, batch, [model.graph.outputs[0].name]);
  const floorMs = performance.now() - f0;
  await session.release();

  const options = { ...defaultQuantOptions('esp32p4', 8), calibSteps: Math.ceil(c.samples / 8) };
  const q0 = performance.now();
  const r = await quantizeOnnx({ model, data: source, options, runtime, batchSize: 8, logger, now: () => performance.now() });
  const totalMs = performance.now() - q0;
  return {
    name, samples: c.samples, nodes: model.graph.nodes.length, floorMs, totalMs,
    stages: { prepare: prepareMs, ...r.timingsMs }, top3Mean: r.top3Mean,
    peakRssKb: process.resourceUsage().maxRSS,
  };
}
