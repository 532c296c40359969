/**
 * The layer-wise error runs as a chain of stages, each op's run starting at its inputs (layerwise-stages.ts). Its
 * values must be those of the definition, bit for bit: for each op, the whole model with only that op quantized
 * against the float model (ESP-PPQ's layerwise_error_analyse), computed here the plain way on the digits fixture,
 * whose graph has residual Adds, parallel branches, a Concat and a squeeze-excitation Mul.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../../../src/data/npy.js';
import { memoryDataSource } from '../../../src/data/memory-source.js';
import type { DataSource } from '../../../src/data/source.js';
import { batchLength } from '../../../src/exec/batches.js';
import { nullLogger } from '../../../src/log.js';
import { loadOnnxFile } from '../../../src/node/onnx-file.js';
import { ortRuntime } from '../../../src/node/ort-runtime.js';
import { prepareModel } from '../../../src/onnx/prepare-model.js';
import { layerwiseError, measuredOps } from '../../../src/quant/analysis.js';
import { snrMean, WeightedMean } from '../../../src/quant/measure.js';
import { defaultQuantOptions } from '../../../src/quant/options.js';
import { quantizeGraph } from '../../../src/quant/quantize.js';
import { quantizesAny } from '../../../src/quant/simulate/sim-model.js';
import { loadSimSession } from '../../../src/quant/simulate/sim-session.js';
import type { QuantizedGraph, Target } from '../../../src/quant/types.js';
import { fixture } from '../../helpers/paths.js';

const runtime = ortRuntime();

/** The definition: every op's whole model (only it quantized) over the analysis batches (steps + 1 = 9). */
async function wholeModelPerOp(qg: QuantizedGraph, data: DataSource): Promise<Map<string, number>> {
  const outputs = qg.model.graph.outputs.map((o) => o.name);
  const batches: Awaited<ReturnType<typeof firstBatches>> = await firstBatches(data, 9);
  const { session: float } = await loadSimSession(runtime, qg, { float: true });
  const reals = [];
  for (const b of batches) reals.push(await float.run(b, outputs));
  await float.release();
  const result = new Map<string, number>();
  for (const { name } of measuredOps(qg)) {
    const mean = new WeightedMean();
    const op = qg.ops.get(name);
    if (op && quantizesAny(op)) {
      const { session } = await loadSimSession(runtime, qg, { only: name });
      for (const [i, b] of batches.entries()) {
        const pred = await session.run(b, outputs);
        for (const o of outputs) mean.update(snrMean(pred.get(o)!.data, reals[i]!.get(o)!.data, batchLength(b)), batchLength(b));
      }
      await session.release();
    }
    result.set(name, mean.value);
  }
  return result;
}

async function firstBatches(data: DataSource, count: number) {
  const out = [];
  for await (const b of data.batches(8)) { out.push(b); if (out.length === count) break; }
  return out;
}

describe('layer-wise error as a chain of stages (digits)', () => {
  it.each([['esp32p4', 8]] as [Target, 8 | 16][])(
    '%s int%d: the same bits as the whole model per op, also when the batches run in groups', async (target, bits) => {
    const model = prepareModel(await loadOnnxFile(fixture('digits', 'model.onnx')), {}, nullLogger);
    const data = memoryDataSource({ input: parseNpy(new Uint8Array(readFileSync(fixture('digits', 'calib.npy')))) });
    const options = { ...defaultQuantOptions(target, bits), calibAlgorithm: 'kl' as const, calibSteps: 8 };
    const { graph } = await quantizeGraph(model, options, { runtime, data, batchSize: 8, logger: nullLogger });
    const expected = await wholeModelPerOp(graph, data);
    expect([...expected.values()].filter((v) => v > 0).length).toBe(15);
    expect(await layerwiseError(graph, { runtime, data, batchSize: 8 })).toEqual(expected);
    // One batch per group: the chain runs once per batch, its sessions made again each time.
    expect(await layerwiseError(graph, { runtime, data, batchSize: 8 }, { stateBudgetBytes: 1 })).toEqual(expected);
  });
});
