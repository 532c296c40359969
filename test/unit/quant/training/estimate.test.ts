import { describe, expect, it } from 'vitest';
import type { Attribute, Graph } from '../../../../src/ir/graph.js';
import { onnxOpWork } from '../../../../src/cost/cost-graph.js';
import { estimateStepSeconds, estimateTrainingSeconds } from '../../../../src/quant/training/estimate.js';

/** x[1,8,16,16] → Conv 3×3 8→16 pad 1 → depthwise 3×3 on 16 channels pad 1. */
function twoConvs(): Graph {
  const f32 = (dims: number[]) => ({ dtype: 'float32' as const, dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });
  const pads = { type: 'ints' as const, value: [1, 1, 1, 1] };
  return {
    name: 'g',
    inputs: [{ name: 'x', elemType: 'float32', shape: [1, 8, 16, 16] }],
    outputs: [{ name: 'z', elemType: 'float32', shape: [1, 16, 16, 16] }],
    valueInfo: [],
    initializers: new Map([['w1', f32([16, 8, 3, 3])], ['w2', f32([16, 1, 3, 3])]]),
    nodes: [
      { name: 'conv', opType: 'Conv', domain: '', inputs: ['x', 'w1'], outputs: ['y'], attributes: new Map([['pads', pads]]) },
      { name: 'dw', opType: 'Conv', domain: '', inputs: ['y', 'w2'], outputs: ['z'], attributes: new Map<string, Attribute>([['pads', pads], ['group', { type: 'int', value: 16 }]]) },
    ],
  } as unknown as Graph;
}

describe('training time estimate', () => {
  it('charges 3× the forward multiply-adds at the GEMM or depthwise rate plus a per-element cost, per image of the batch', () => {
    const rates = { gemmMacsPerSecond: 1e9, depthwiseMacsPerSecond: 1e8, secondsPerElement: 1e-8 };
    // conv: 16·16·16 outputs × 72 MACs; depthwise: 4096 outputs × 9 MACs; 4096 output elements each.
    const perImage = (3 * 4096 * 72) / 1e9 + (3 * 4096 * 9) / 1e8 + 2 * 4096 * 1e-8;
    expect(estimateStepSeconds(onnxOpWork(twoConvs()), 8, rates)).toBeCloseTo(8 * perImage, 12);
    expect(estimateTrainingSeconds(onnxOpWork(twoConvs()), 500, 8, rates)).toBeCloseTo(500 * 8 * perImage, 9);
  });
});
