/**
 * Quantize/Requantize/Dequantize insertion (docs/esp-ppq.md §5.4 e, §3.8): hand-made graphs with hand-written
 * ESP-PPQ configs, expected nodes and parameters derived from the rules by hand.
 */
import { describe, expect, it } from 'vitest';
import type { Model, Node } from '../../../../src/ir/graph.js';
import { float32Tensor } from '../../../../src/ir/tensor.js';
import { parseContainer } from '../../../../src/espdl/container.js';
import { readEspdlModel } from '../../../../src/espdl/read.js';
import { exportEspdl } from '../../../../src/espdl/export/index.js';
import { quantizedGraphFromPpqJson } from '../../../helpers/ppq-config.js';

const node = (name: string, opType: string, inputs: string[], outputs: string[]): Node =>
  ({ name, opType, domain: '', inputs, outputs, attributes: new Map() });

function model(nodes: Node[], output: string, inits: Record<string, number>): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: '', producerVersion: '', domain: '',
    modelVersion: 0, docString: '', metadataProps: [],
    graph: {
      name: 'q', nodes, inputs: [{ name: 'x', dtype: 'float32', shape: [1, 4] }],
      outputs: [{ name: output, dtype: 'float32', shape: [1, 4] }],
      initializers: new Map(Object.entries(inits).map(([k, v]) => [k, float32Tensor([], Float32Array.of(v))])),
      valueInfo: new Map(['p', 'a', 'y'].map((n) => [n, { name: n, dtype: 'float32' as const, shape: [1, 4] }])),
    },
  };
}

const policy = { PER_TENSOR: true, PER_CHANNEL: false, LINEAR: true, FLOATING: false, SYMMETRICAL: true, ASYMMETRICAL: false, POWER_OF_2: true, DYNAMIC: false };
let hash = 100;
/** An op entry: var → exponent (ACTIVATED, self-dominated), all with `bits`. */
function op(bits: number, vars: Record<string, number>, values: Record<string, { scale: number; zero_point: number }>) {
  const half = 2 ** (bits - 1);
  return Object.fromEntries(Object.entries(vars).map(([v, e]) => {
    const h = hash++;
    values[h] = { scale: 2 ** e, zero_point: 0 };
    return [v, { bit_width: bits, policy, state: 'ACTIVATED', quant_min: -half, quant_max: half - 1, hash: h, dominator: h }];
  }));
}

function exportGraph(m: Model, configs: Record<string, unknown>, platform: string, bits: 8 | 16) {
  const dispatchings = Object.fromEntries(Object.keys(configs).map((k) => [k, platform]));
  return exportEspdl(quantizedGraphFromPpqJson(m, { configs, dispatchings, values: VALUES }, 'esp32p4', bits));
}
let VALUES: Record<string, { scale: number; zero_point: number }> = {};

function graphOf(bytes: Uint8Array) {
  return readEspdlModel(parseContainer(bytes).models[0]!.payload).graph;
}

describe('quant node insertion', () => {
  it('QuantizeLinear after a float producer, DequantizeLinear before a float consumer', () => {
    VALUES = {};
    const m = model([
      node('pow1', 'Pow', ['x', 'e1'], ['p']), node('relu', 'Relu', ['p'], ['a']), node('pow2', 'Pow', ['a', 'e2'], ['y']),
    ], 'y', { e1: 2, e2: 3 });
    const g = graphOf(exportGraph(m, { relu: op(8, { p: -5, a: -5 }, VALUES) }, 'ESPDL_INT8', 8).espdl);
    const byName = new Map(g.nodes.map((n) => [n.name, n]));
    const q = byName.get('PPQ_Operation_0')!;
    expect(q.opType).toBe('QuantizeLinear');
    expect(q.inputs).toEqual(['p', 'PPQ_Variable_1', 'PPQ_Variable_2']);
    expect(q.outputs).toEqual(['PPQ_Variable_0']);
    expect(byName.get('relu')!.inputs).toEqual(['PPQ_Variable_0']);
    const dq = byName.get('PPQ_Operation_1')!;
    expect(dq.opType).toBe('DequantizeLinear');
    expect(dq.inputs).toEqual(['a', 'PPQ_Variable_4', 'PPQ_Variable_5']);
    expect(byName.get('pow2')!.inputs).toEqual(['PPQ_Variable_3', 'e2']);
    // quant_type follows the consumer's platform: S8 for the Quantize feeding relu, F32 for the Dequantize feeding pow2
    const qt = (n: typeof q) => n.attributes.find((a) => a.name === 'quant_type')!.s;
    expect([qt(q), qt(dq), qt(byName.get('pow1')!)]).toEqual(['S8', 'F32', 'F32']);
    const inits = new Map(g.initializers.map((t) => [t.name, t]));
    expect(inits.get('PPQ_Variable_1')!.dims).toEqual([]);
    expect([...(inits.get('PPQ_Variable_1')!.values as Float32Array)]).toEqual([2 ** -5]);
    expect(inits.get('PPQ_Variable_2')!.dataType).toBe(3); // INT8 zero point
    const vi = new Map(g.valueInfo.map((v) => [v.name, v]));
    expect(vi.get('PPQ_Variable_0')!.exponents).toEqual([-5]);
    expect(vi.get('p')!.exponents).toEqual([0]);
    expect(vi.get('PPQ_Variable_3')!.exponents).toEqual([0]);
    const lut = inits.get('Relu_lut_0')!.values as Int8Array;
    expect([lut[0], lut[127], lut[128], lut[130], lut[255]]).toEqual([0, 0, 0, 2, 127]);
  });

  it('RequantizeLinear where the consumer scale differs (rescale = consumer / producer scale)', () => {
    VALUES = {};
    const m = model([node('r1', 'Relu', ['x'], ['a']), node('r2', 'Relu', ['a'], ['y'])], 'y', {});
    const g = graphOf(exportGraph(m, { r1: op(8, { x: -6, a: -5 }, VALUES), r2: op(8, { a: -4, y: -4 }, VALUES) }, 'ESPDL_INT8', 8).espdl);
    const rq = g.nodes.find((n) => n.opType === 'RequantizeLinear')!;
    expect(rq.inputs).toEqual(['a', 'PPQ_Variable_1', 'PPQ_Variable_2']);
    expect(g.nodes.find((n) => n.name === 'r2')!.inputs).toEqual(['PPQ_Variable_0']);
    const scale = g.initializers.find((t) => t.name === 'PPQ_Variable_1')!;
    expect([...(scale.values as Float32Array)]).toEqual([2]);
    expect(g.valueInfo.find((v) => v.name === 'PPQ_Variable_0')!.exponents).toEqual([-4]);
    expect(g.valueInfo.find((v) => v.name === 'a')!.exponents).toEqual([-5]);
  });

  it('no RequantizeLinear when scales differ by less than 1e-5 (ESP-PPQ compares scales, not exponents)', () => {
    VALUES = {};
    const m = model([node('r1', 'Relu', ['x'], ['a']), node('r2', 'Relu', ['a'], ['y'])], 'y', {});
    // 2^-19 − 2^-20 ≈ 9.5e-7 < 1e-5
    const res = exportGraph(m, { r1: op(16, { x: -20, a: -20 }, VALUES), r2: op(16, { a: -19, y: -19 }, VALUES) }, 'ESPDL_INT16', 16);
    expect(graphOf(res.espdl).nodes.map((n) => n.opType)).toEqual(['Relu', 'Relu']);
  });

  it('RequantizeLinear when bit widths differ even with equal scales', () => {
    VALUES = {};
    const m = model([node('r1', 'Relu', ['x'], ['a']), node('r2', 'Relu', ['a'], ['y'])], 'y', {});
    const configs = { r1: op(8, { x: -5, a: -5 }, VALUES), r2: op(16, { a: -5, y: -5 }, VALUES) };
    const dispatchings = { r1: 'ESPDL_INT8', r2: 'ESPDL_INT16' };
    const res = exportEspdl(quantizedGraphFromPpqJson(m, { configs, dispatchings, values: VALUES }, 'esp32p4', 8));
    const g = graphOf(res.espdl);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Relu', 'RequantizeLinear', 'Relu']);
    expect(g.initializers.find((t) => t.name === 'PPQ_Variable_2')!.dataType).toBe(5); // INT16 zero point
    expect(g.valueInfo.find((v) => v.name === 'PPQ_Variable_0')!.elemType).toBe(5);
  });
});

describe('opset normalisation', () => {
  it('Squeeze axes and Split split attributes become int64 inputs', () => {
    VALUES = {};
    const sq = node('sq', 'Squeeze', ['x'], ['a']);
    sq.attributes.set('axes', { type: 'ints', value: [0] });
    const sp = node('sp', 'Split', ['a'], ['y', 'z']);
    sp.attributes.set('split', { type: 'ints', value: [1, 3] });
    sp.attributes.set('axis', { type: 'int', value: 0 });
    const m = model([sq, sp], 'y', {});
    m.graph.outputs.push({ name: 'z', dtype: 'float32', shape: [3] });
    m.graph.valueInfo.set('a', { name: 'a', dtype: 'float32', shape: [4] });
    const configs = { sq: op(8, { x: -5, a: -5 }, VALUES), sp: op(8, { a: -5, y: -5, z: -5 }, VALUES) };
    const g = graphOf(exportGraph(m, configs, 'ESPDL_INT8', 8).espdl);
    const byName = new Map(g.nodes.map((n) => [n.name, n]));
    expect(byName.get('sq')!.inputs).toEqual(['x', 'PPQ_Variable_0']);
    expect(byName.get('sq')!.attributes.map((a) => a.name)).toEqual(['quant_type']);
    expect(byName.get('sp')!.inputs).toEqual(['a', 'PPQ_Variable_1']);
    const inits = new Map(g.initializers.map((t) => [t.name, t]));
    expect(inits.get('PPQ_Variable_0')!.dataType).toBe(7);
    expect([...(inits.get('PPQ_Variable_0')!.values as BigInt64Array)]).toEqual([0n]);
    expect([...(inits.get('PPQ_Variable_1')!.values as BigInt64Array)]).toEqual([1n, 3n]);
  });
});
