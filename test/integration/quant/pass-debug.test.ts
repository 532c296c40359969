/**
 * The pass runner's debug hooks on the real quantize and export pipelines: with validation and dumps on, every
 * pass leaves a consistent graph, the dumps come in ESP-PPQ's pass order, and the results are the very same as
 * without them (the hooks only watch).
 */
import { describe, expect, it } from 'vitest';
import { memoryDataSource } from '../../../src/data/memory-source.js';
import { exportEspdl } from '../../../src/espdl/export/index.js';
import { ensureShapes } from '../../../src/exec/infer-shapes.js';
import type { PassStep } from '../../../src/ir/pass.js';
import { nullLogger } from '../../../src/log.js';
import { ortRuntime } from '../../../src/node/ort-runtime.js';
import { defaultQuantOptions } from '../../../src/quant/options.js';
import { quantizeGraph } from '../../../src/quant/quantize.js';
import { tensorReport } from '../../../src/quant/report.js';
import { f32, model, node, rand, vi } from '../../unit/onnx/graph-builder.js';

const runtime = ortRuntime();

function convNet() {
  const r = rand(7);
  return model({
    nodes: [
      node('Conv', 'conv', ['x', 'w', 'b'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
      node('Relu', 'relu', ['c'], ['r']),
      node('MaxPool', 'pool', ['r'], ['p'], { kernel_shape: [2, 2], strides: [2, 2] }),
      node('Sigmoid', 'sig', ['p'], ['s']),
      node('Add', 'add', ['p', 's'], ['y']),
    ],
    inputs: [vi('x', [1, 3, 8, 8])], outputs: [vi('y', [1, 4, 4, 4])],
    initializers: { w: f32([4, 3, 3, 3], r), b: f32([4], r) },
  });
}

describe('pass debug hooks on quantize and export', () => {
  it('validate after every pass, dump every pass, change nothing', async () => {
    const data = memoryDataSource({ x: f32([4, 3, 8, 8], rand(11)) });
    const opts = { ...defaultQuantOptions('esp32s3', 8), calibSteps: 4 };
    const plain = convNet();
    await ensureShapes(plain, runtime);
    const watched = convNet();
    await ensureShapes(watched, runtime);
    const dumps: PassStep[] = [];
    const debug = { validate: true, dump: (step: PassStep, text: string) => { expect(text.length).toBeGreaterThan(0); dumps.push(step); } };

    const a = await quantizeGraph(plain, opts, { runtime, data, batchSize: 2, logger: nullLogger });
    const b = await quantizeGraph(watched, opts, { runtime, data, batchSize: 2, logger: nullLogger, debug });
    expect(tensorReport(b.graph)).toEqual(tensorReport(a.graph));
    expect(exportEspdl(b.graph, { passHooks: debug }).espdl).toEqual(exportEspdl(a.graph).espdl);

    expect(dumps.map((s) => `${s.pipeline}/${s.pass}`)).toEqual([
      'prequant/convtranspose_decomposition', 'prequant/dispatch',
      'quantize/quantize_fusion', 'quantize/quantize_simplify', 'quantize/parameter_quantize',
      'quantize/runtime_calibration', 'quantize/quant_alignment', 'quantize/passive_parameter_quantize',
      'export/normalise_opset', 'export/fuse_relu_like', 'export/insert_matmul_pre_nodes', 'export/reset_graph_layout',
      'export/insert_quant_nodes', 'export/insert_requant_nodes', 'export/insert_dequant_nodes', 'export/insert_quant_type',
      'export/quant_variable_to_int', 'export/reset_param_layout', 'export/quant_rnn', 'export/add_lut', 'export/check_graph',
    ]);
  });
});
