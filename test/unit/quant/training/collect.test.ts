import { describe, expect, it } from 'vitest';
import { memoryDataSource } from '../../../../src/data/memory-source.js';
import type { Model } from '../../../../src/ir/graph.js';
import { ortRuntime } from '../../../../src/node/ort-runtime.js';
import type { OpQuant, QuantizedGraph } from '../../../../src/quant/types.js';
import { simCollector } from '../../../../src/quant/training/collect.js';
import { runTrainingPass } from '../../../../src/quant/training/run-pass.js';
import { nullLogger } from '../../../../src/log.js';
import { randomArray, rng } from './gradcheck.js';
import { tinyBlock } from './tiny-block.js';

function tinyModel(seed: number): { qg: QuantizedGraph; xs: Float32Array; configs: ReturnType<typeof tinyBlock>['configs'] } {
  const t = tinyBlock(seed, { wBits: 4 });
  const nodes = t.block.ops.map((o) => o.node);
  const model: Model = {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'test', producerVersion: '', domain: '', modelVersion: 1,
    docString: '', metadataProps: [],
    graph: {
      name: 'tiny', nodes, inputs: [{ name: 'x', dtype: 'float32', shape: [1, 3, 8, 8] }], outputs: [{ name: 'y', dtype: 'float32', shape: [1, 4, 8, 8] }],
      initializers: new Map(t.block.params), valueInfo: new Map(),
    },
  };
  const ops = new Map<string, OpQuant>(t.block.ops.map((o) => [o.node.name, { node: o.node, platform: 'ESPDL_INT8', inputs: [...o.inputs], outputs: [...o.outputs] }]));
  return { qg: { model, target: 'esp32p4', bits: 8, ops, fp32Nodes: [] }, xs: randomArray(6 * 3 * 64, rng(seed + 100)), configs: t.configs };
}

describe('simCollector (onnxruntime)', () => {
  it('caches the raw graph input and the float block output per batch; TQT trains on it end to end', async () => {
    const { qg, xs } = tinyModel(41);
    const data = memoryDataSource({ x: { dtype: 'float32', dims: [6, 3, 8, 8], data: xs } });
    const collect = simCollector(ortRuntime(), data, 4);
    const [gb] = (await import('../../../../src/quant/training/blocks.js')).buildBlocks(qg.model.graph, (n) => n.opType === 'Conv');
    const block = (await import('../../../../src/quant/training/block.js')).describeBlock(qg, gb!.nodes);
    const batches = await collect(qg, block);
    expect(batches.map((b) => b.inputs.get('x')!.dims)).toEqual([[4, 3, 8, 8], [2, 3, 8, 8]]);
    expect(Array.from(batches[1]!.inputs.get('x')!.data)).toEqual(Array.from(xs.subarray(4 * 192)));
    // The float reference from onnxruntime equals our engine's float forward of the block (independent engines).
    const { runBlock, paramVars } = await import('../../../../src/quant/training/executor.js');
    const { Tape } = await import('../../../../src/quant/training/tape.js');
    const ours = runBlock(new Tape(), block, batches[0]!.inputs, paramVars(block, new Set()), undefined).get('y')!.data;
    const ref = batches[0]!.reference.get('y')!.data;
    ours.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-5));
    // The quantized forward matches the simulator's quantized model (same grid; summation order may flip a rare
    // rounding tie by one step).
    const { staticQuant } = await import('../../../../src/quant/training/executor.js');
    const { buildSimModel } = await import('../../../../src/quant/simulate/sim-model.js');
    const { loadBatchSession } = await import('../../../../src/exec/batches.js');
    const sim = await loadBatchSession(ortRuntime(), buildSimModel(qg).model);
    const simY = (await sim.run({ x: { dtype: 'float32', dims: [4, 3, 8, 8], data: xs.subarray(0, 4 * 192) } }, ['y'])).get('y')!.data;
    await sim.release();
    const qY = runBlock(new Tape(), block, batches[0]!.inputs, paramVars(block, new Set()), staticQuant).get('y')!.data;
    const step = 2 ** (qg.ops.get('conv2')!.outputs[0]!.exponent as number);
    const off = Array.from(qY).filter((v, i) => v !== simY[i]);
    expect(off.length).toBeLessThanOrEqual(Math.ceil(qY.length / 100));
    qY.forEach((v, i) => expect(Math.abs(v - simY[i]!)).toBeLessThanOrEqual(step));
    const outcomes = await runTrainingPass(qg, {
      kind: 'tqt', options: { interestedLayers: [], lr: 1e-5, steps: 100, blockSize: 4, isScaleTrainable: true, gamma: 0, intLambda: 0 },
    }, collect, nullLogger);
    expect(outcomes.length).toBe(1);
    expect(['updated', 'restored']).toContain(outcomes[0]!.status);
  });
  it('keeps the float reference on the parameters from before training (ESP-PPQ dequantize swaps in stored_value)', async () => {
    // The TQT sequence on two blocks: block A (conv1) was trained and applied, then block B (relu1 -> conv2) is
    // collected. B's inputs come from the quantized graph with A's new weights, but B's float reference must be the
    // ORIGINAL float model (esp_ppq/IR/quantize.py QuantableOperation.dequantize), not one with A's trained weights.
    const { qg, xs } = tinyModel(43);
    const data = memoryDataSource({ x: { dtype: 'float32', dims: [4, 3, 8, 8], data: xs.subarray(0, 4 * 192) } });
    const collect = simCollector(ortRuntime(), data, 4);
    const { describeBlock } = await import('../../../../src/quant/training/block.js');
    const nodes = qg.model.graph.nodes;
    const blockA = describeBlock(qg, [nodes[0]!]);
    const blockB = describeBlock(qg, [nodes[1]!, nodes[2]!]);
    const before = await collect(qg, blockB);
    await collect(qg, blockA);
    const w1 = qg.model.graph.initializers.get('w1')!;
    const trained = Float32Array.from(w1.data as Float32Array, (v) => v * 1.5);
    qg.model.graph.initializers.set('w1', { ...w1, data: trained });
    const after = await collect(qg, blockB);
    // Independent check of the reference: our engine's float forward of the whole original model.
    const { runBlock, paramVars } = await import('../../../../src/quant/training/executor.js');
    const { Tape } = await import('../../../../src/quant/training/tape.js');
    const whole = { ...describeBlock(qg, nodes), params: new Map([...qg.model.graph.initializers, ['w1', w1]]) };
    const x = { dims: [4, 3, 8, 8], data: xs.subarray(0, 4 * 192) };
    const original = runBlock(new Tape(), whole, new Map([['x', x]]), paramVars(whole, new Set()), undefined).get('y')!.data;
    const ref = after[0]!.reference.get('y')!.data;
    original.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-5));
    expect(Array.from(ref)).toEqual(Array.from(before[0]!.reference.get('y')!.data));
    // ...while the quantized block input does follow the trained weights.
    expect(Array.from(after[0]!.inputs.get('c1')!.data)).not.toEqual(Array.from(before[0]!.inputs.get('c1')!.data));
    // An explicit floatParams wins over the snapshot.
    const explicit = simCollector(ortRuntime(), data, 4, new Map([...qg.model.graph.initializers]));
    const withTrained = (await explicit(qg, blockB))[0]!.reference.get('y')!.data;
    expect(Array.from(withTrained)).not.toEqual(Array.from(ref));
  });
});
