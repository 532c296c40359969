import { describe, expect, it } from 'vitest';
import type { Model } from '../../../../src/ir/graph.js';
import { nullLogger } from '../../../../src/log.js';
import type { OpQuant, QuantizedGraph } from '../../../../src/quant/types.js';
import { runTrainingPass } from '../../../../src/quant/training/run-pass.js';
import { tinyBlock } from './tiny-block.js';

/** The tiny block as a whole QuantizedGraph (one block), with a collector serving its cached batches. */
function tinyGraph(seed: number) {
  const t = tinyBlock(seed, { wBits: 4 });
  const nodes = t.block.ops.map((o) => o.node);
  const model = {
    graph: { name: 'g', nodes, inputs: [], outputs: [], initializers: new Map(t.block.params), valueInfo: new Map() },
  } as unknown as Model;
  const ops = new Map<string, OpQuant>(t.block.ops.map((o) => [o.node.name, { node: o.node, platform: 'ESPDL_INT8', inputs: [...o.inputs], outputs: [...o.outputs] }]));
  const qg: QuantizedGraph = { model, target: 'esp32p4', bits: 8, ops, fp32Nodes: [] };
  return { qg, ...t };
}

describe('runTrainingPass', () => {
  it('TQT: trains the one block, writes weights and exponents into the graph and re-derives bias exponents', async () => {
    const { qg, batches, configs } = tinyGraph(11);
    const seen: string[][] = [];
    const outcomes = await runTrainingPass(qg, {
      kind: 'tqt', options: { interestedLayers: [], lr: 1e-5, steps: 300, blockSize: 4, isScaleTrainable: true, gamma: 0, intLambda: 0 },
    }, async (_g, b) => { seen.push([...b.inputs, '|', ...b.outputs]); return batches; }, nullLogger);
    expect(seen).toEqual([['x', '|', 'y']]);
    expect(outcomes.map((o) => o.status)).toEqual(['updated']);
    const o = outcomes[0]!;
    if (o.status !== 'updated') return;
    expect(qg.model.graph.initializers.get('w1')).toBe(o.params.get('w1'));
    for (const [cfg, e] of o.exponents) expect(cfg.exponent).toEqual(e);
    const [cx, cw1, cb1] = configs;
    expect(cb1!.exponent).toBe((cx!.exponent as number) + (cw1!.exponent as number));
  });
  it('interested_layers that match no block leave the graph untouched', async () => {
    const { qg } = tinyGraph(12);
    const before = qg.model.graph.initializers.get('w1');
    const outcomes = await runTrainingPass(qg, {
      kind: 'blockwise_reconstruction', options: { interestedLayers: ['nope'], lr: 1e-2, steps: 10, blockSize: 4, isScaleTrainable: false, gamma: 1 },
    }, async () => { throw new Error('must not collect'); }, nullLogger);
    expect(outcomes).toEqual([]);
    expect(qg.model.graph.initializers.get('w1')).toBe(before);
  });
});
