/**
 * exportEspdl on a hand-made Conv → Sigmoid model with a hand-written ESP-PPQ config: LUT sizes and entries
 * computed by hand, attribute order, layouts, bias dtype, metadata, and the reader's dominator handling.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { opsFixture } from '../../../helpers/paths.js';
import { loadModel } from './parity-helpers.js';
import type { Attribute, Model } from '../../../../src/ir/graph.js';
import { float32Tensor } from '../../../../src/ir/tensor.js';
import { parseContainer } from '../../../../src/espdl/container.js';
import { readEspdlModel } from '../../../../src/espdl/read.js';
import { exportEspdl } from '../../../../src/espdl/export/index.js';
import { lutGrid } from '../../../../src/espdl/export/lut.js';
import { quantizedGraphFromPpqJson } from '../../../helpers/ppq-config.js';
import { exponentOf } from '../../../../src/quant/types.js';

function model(): Model {
  const attrs = new Map<string, Attribute>([
    ['strides', { type: 'ints', value: [1, 1] }], ['pads', { type: 'ints', value: [0, 0, 0, 0] }],
    ['group', { type: 'int', value: 1 }], ['kernel_shape', { type: 'ints', value: [1, 1] }],
    ['dilations', { type: 'ints', value: [1, 1] }],
  ]);
  return {
    irVersion: 7, opsetImports: [{ domain: '', version: 13 }], producerName: 'test', producerVersion: '', domain: '',
    modelVersion: 0, docString: '', metadataProps: [],
    graph: {
      name: 'g',
      nodes: [
        { name: 'conv', opType: 'Conv', domain: '', inputs: ['x', 'w', 'b'], outputs: ['c'], attributes: attrs },
        { name: 'sig', opType: 'Sigmoid', domain: '', inputs: ['c'], outputs: ['y'], attributes: new Map() },
      ],
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2, 4, 4] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [1, 3, 4, 4] }],
      initializers: new Map([
        ['w', float32Tensor([3, 2, 1, 1], Float32Array.from([0.5, -0.25, 0.125, 1, -1, 0]))],
        ['b', float32Tensor([3], Float32Array.from([0.5, -0.5, 0.25]))],
      ]),
      valueInfo: new Map([['c', { name: 'c', dtype: 'float32' as const, shape: [1, 3, 4, 4] }]]),
    },
  };
}

const policy = { PER_TENSOR: true, PER_CHANNEL: false, LINEAR: true, FLOATING: false, SYMMETRICAL: true, ASYMMETRICAL: false, POWER_OF_2: true, DYNAMIC: false };
function cfg(bits: number, state: string, hash: number, dominator = hash) {
  const half = 2 ** (bits - 1);
  return { bit_width: bits, policy, state, quant_min: -half, quant_max: half - 1, hash, dominator };
}
/** ESP-PPQ's model.json for the S3 graph: x 2^-4 (int8: 2^-4, int16: 2^-11 …) etc. */
function ppqJson(bits: 8 | 16, e: { x: number; w: number; c: number; y: number }) {
  const platform = bits === 8 ? 'ESPDL_S3_INT8' : 'ESPDL_S3_INT16';
  return {
    configs: {
      conv: { x: cfg(bits, 'ACTIVATED', 1), w: cfg(bits, 'ACTIVATED', 2), b: cfg(bits === 8 ? 20 : 40, 'PASSIVE', 3), c: cfg(bits, 'ACTIVATED', 4) },
      sig: { c: cfg(bits, 'OVERLAPPED', 5, 4), y: cfg(bits, 'ACTIVATED', 6) },
    },
    dispatchings: { conv: platform, sig: platform },
    values: {
      1: { scale: 2 ** e.x, zero_point: 0 }, 2: { scale: 2 ** e.w, zero_point: 0 }, 3: { scale: 2 ** (e.x + e.w), zero_point: 0 },
      4: { scale: 2 ** e.c, zero_point: 0 }, 6: { scale: 2 ** e.y, zero_point: 0 },
    },
  };
}

function read(bytes: Uint8Array) {
  return readEspdlModel(parseContainer(bytes).models[0]!.payload).graph;
}

describe('quantizedGraphFromPpqJson', () => {
  it('links dominated configs and reads exponents from scales', () => {
    const qg = quantizedGraphFromPpqJson(model(), ppqJson(8, { x: -4, w: -6, c: -3, y: -7 }), 'esp32s3', 8);
    const sigIn = qg.ops.get('sig')!.inputs[0]!;
    expect(sigIn.state).toBe('OVERLAPPED');
    expect(sigIn.dominator).toBe(qg.ops.get('conv')!.outputs[0]);
    expect(exponentOf(sigIn)).toBe(-3);
    expect(qg.ops.get('conv')!.inputs[2]!.qmax).toBe(2 ** 19 - 1);
    expect(sigIn.rounding).toBe('half_up');
    expect(qg.fp32Nodes).toEqual([]);
  });
});

describe('quantizedGraphFromPpqJson on an ESP-PPQ export with a fused Relu', () => {
  it('rebuilds the Relu ESP-PPQ fused away: conv output OVERLAPPED under the Relu output', () => {
    const dir = opsFixture('esp32p4_8', 'Conv', '03_conv2d_ishap_1_16_22_22_kshap_32_16_5_5_relu');
    const m = loadModel(path.join(dir, 'model.onnx'));
    const qg = quantizedGraphFromPpqJson(m, JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')), 'esp32p4', 8);
    const conv = qg.ops.get('/ops/conv/Conv')!;
    const relu = [...qg.ops.values()].find((q) => q.node.opType === 'Relu')!;
    expect(conv.outputs[0]!.state).toBe('OVERLAPPED');
    expect(conv.outputs[0]!.dominator).toBe(relu.outputs[0]);
    expect(relu.inputs[0]!.dominator).toBe(relu.outputs[0]);
    expect(exponentOf(relu.outputs[0]!)).toBe(-1);
    expect(exponentOf(conv.inputs[1]!)).toEqual([-8, -7, -6, -5, -8, -7, -6, -5, -8, -7, -6, -5, -8, -7, -6, -5, -8, -7, -6, -5, -8, -7, -6, -5, -8, -7, -6, -5, -8, -7, -6, -5]);
    expect(conv.inputs[1]!.perChannel).toBe(true);
    expect(conv.inputs[2]!.bits).toBe(32);
    expect(conv.inputs[0]!.rounding).toBe('half_even');
  });
});

describe('exportEspdl on a small graph', () => {
  it('int8: 256-entry LUT with hand-computed entries, sorted attributes, NHWC shapes, int32 bias', () => {
    const qg = quantizedGraphFromPpqJson(model(), ppqJson(8, { x: -4, w: -6, c: -3, y: -7 }), 'esp32s3', 8);
    const res = exportEspdl(qg, { info: true });
    const g = read(res.espdl);
    const lut = g.initializers.find((t) => t.name === 'Sigmoid_lut_0')!;
    expect(lut.dims).toEqual([256]);
    expect(lut.exponents).toEqual([-7]);
    const v = lut.values as Int8Array;
    // index = q + 128, x = q · 2^-3, entry = round(sigmoid(x) · 2^7) clamped to [-128, 127]
    expect(v[128]).toBe(64); // sigmoid(0) = 0.5
    expect(v[136]).toBe(94); // sigmoid(1) · 128 = 93.58
    expect(v[120]).toBe(34); // sigmoid(-1) · 128 = 34.42
    expect(v[0]).toBe(0); // sigmoid(-16) · 128 ≈ 1.4e-5
    expect(v[255]).toBe(127); // sigmoid(15.875) · 128 ≈ 128 → clamped
    const conv = g.nodes.find((n) => n.name === 'conv')!;
    expect(conv.attributes.map((a) => a.name)).toEqual(['activation', 'dilations', 'group', 'kernel_shape', 'pads', 'quant_type', 'strides']);
    expect(g.nodes.find((n) => n.name === 'sig')!.attributes.map((a) => a.name)).toEqual(['lut', 'quant_type']);
    expect(g.inputs[0]!.exponents).toEqual([-4]);
    const x = g.valueInfo.find((vi) => vi.name === 'x')!;
    expect(x.exponents).toEqual([-4]);
    const b = g.initializers.find((t) => t.name === 'b')!;
    expect(b.dataType).toBe(6); // INT32 for a 20-bit bias
    expect(b.exponents).toEqual([-10]);
    expect([...(b.values as Int32Array)]).toEqual([512, -512, 256]);
    const w = g.initializers.find((t) => t.name === 'w')!;
    expect(w.docString).toBe('layout ==> (N/16)HWC16_UNALIGNED');
    expect(w.dims).toEqual([1, 1, 2, 3]);
    // w · 2^6 = [[32,-16],[8,64],[-64,0]] → NHWC rows per output channel
    expect([...(w.values as Int8Array)]).toEqual([32, -16, 8, 64, -64, 0]);
    expect(JSON.parse(res.configJson).dispatchings).toEqual({ conv: 'ESPDL_S3_INT8', sig: 'ESPDL_S3_INT8' });
    expect(res.info).toContain("  %y = Sigmoid[lut = 'Sigmoid_lut_0', quant_type = 'S8'](%c)\n");
    expect(res.info).toContain('  %x[INT8, 1x4x4x2], exponents: [-4]\n');
    expect(exportEspdl(qg).info).toBeUndefined();
  });

  it('int16: LUT step 256 gives 257 entries (last input 32768)', () => {
    const qg = quantizedGraphFromPpqJson(model(), ppqJson(16, { x: -11, w: -13, c: -11, y: -15 }), 'esp32s3', 16);
    const res = exportEspdl(qg, { metadataProps: { target: 'esp32s3', extra: '1' }, modelVersion: 3 });
    const m = readEspdlModel(parseContainer(res.espdl).models[0]!.payload);
    expect(m.metadataProps).toEqual([{ key: 'target', value: 'esp32s3' }, { key: 'extra', value: '1' }]);
    expect(m.irVersion).toBe(7);
    expect(Number(m.modelVersion)).toBe(3);
    const g = m.graph;
    const lut = g.initializers.find((t) => t.name === 'Sigmoid_lut_0')!;
    expect(lut.dims).toEqual([257]);
    const v = lut.values as Int16Array;
    expect(v[128]).toBe(16384); // q = 0
    expect(v[256]).toBe(32767); // q = 32768 → x = 16 → clamped
    expect(v[136]).toBe(Math.floor((1 / (1 + Math.exp(-1))) * 32768 + 0.5)); // q = 2048 → x = 1
  });

  it('warns when ESP-DL would need a negative requantization shift (output − input − weight exponent < 0)', () => {
    const qg = quantizedGraphFromPpqJson(model(), ppqJson(8, { x: -4, w: -6, c: -12, y: -7 }), 'esp32s3', 8);
    const res = exportEspdl(qg);
    expect(res.warnings.filter((w) => w.includes('conv(type: Conv)'))).toHaveLength(1);
    const ok = exportEspdl(quantizedGraphFromPpqJson(model(), ppqJson(8, { x: -4, w: -6, c: -3, y: -7 }), 'esp32s3', 8));
    expect(ok.warnings).toEqual([]);
  });

  it('does not mutate the quantized graph', () => {
    const qg = quantizedGraphFromPpqJson(model(), ppqJson(8, { x: -4, w: -6, c: -3, y: -7 }), 'esp32s3', 8);
    const before = JSON.stringify(qg.model.graph.nodes.map((n) => [n.name, n.inputs, n.outputs, [...n.attributes.keys()]]));
    const w = qg.model.graph.initializers.get('w')!;
    exportEspdl(qg);
    expect(JSON.stringify(qg.model.graph.nodes.map((n) => [n.name, n.inputs, n.outputs, [...n.attributes.keys()]]))).toBe(before);
    expect(qg.model.graph.initializers.get('w')).toBe(w);
    expect(w.dtype).toBe('float32');
    expect(qg.ops.get('conv')!.node.attributes.has('activation')).toBe(false);
  });

  it('LUT grid sizes', () => {
    expect(lutGrid(false, 1)).toHaveLength(256);
    expect(lutGrid(true, 256)).toHaveLength(257);
    expect(lutGrid(true, 256).at(-1)).toBe(32768);
    expect(lutGrid(true, 1)).toHaveLength(65536);
    expect(lutGrid(true, 1).at(-1)).toBe(32767);
  });
});
