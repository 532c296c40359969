/**
 * Writer check against ESP-DL's own test models (fixtures/espdl: one Gemm + Relu, written by an older ESP-PPQ for
 * targets c, esp32s3, esp32p4). The float model is rebuilt from the C file's integers (its NHWC weight is the
 * plain [N, C] matrix) and exported for each target with the files' exponents and test values; weights, biases,
 * structure and test tensors must come out byte-identical — the C file checks the NHWC path, the others the
 * (N/16)HWC16 blocking.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../helpers/paths.js';
import { parseContainer } from '../../../../src/espdl/container.js';
import { readEspdlModel } from '../../../../src/espdl/read.js';
import type { EspdlTensorView } from '../../../../src/espdl/read.js';
import { exportEspdl } from '../../../../src/espdl/export/index.js';
import { quantizedGraphFromPpqJson } from '../../../helpers/ppq-config.js';
import type { Attribute, Model } from '../../../../src/ir/graph.js';
import type { Tensor } from '../../../../src/ir/tensor.js';
import type { Target } from '../../../../src/quant/types.js';

function golden(target: string, shape: string) {
  const bytes = new Uint8Array(readFileSync(fixture('espdl', `test_apps_esp-dl_models_${target}_Gemm_linear_${shape}_relu_s8.espdl`)));
  return readEspdlModel(parseContainer(bytes).models[0]!.payload);
}

function floats(t: EspdlTensorView, dims: number[]): Tensor {
  const e = t.exponents[0]!;
  return { dtype: 'float32', dims, data: Float32Array.from(t.values as ArrayLike<number>, (v) => Number(v) * 2 ** e) };
}

const policy = { PER_TENSOR: true, PER_CHANNEL: false, LINEAR: true, FLOATING: false, SYMMETRICAL: true, ASYMMETRICAL: false, POWER_OF_2: true, DYNAMIC: false };
function cfg(bits: number, state: string, hash: number, dominator = hash) {
  const half = 2 ** (bits - 1);
  return { bit_width: bits, policy, state, quant_min: -half, quant_max: half - 1, hash, dominator };
}

/** torch.nn.Linear (+ ReLU) as ONNX: Gemm(transB = 1) → Relu. */
function buildModel(w: Tensor, b: Tensor, inName: string, outName: string, c: number, n: number, relu: boolean): Model {
  const attrs = new Map<string, Attribute>([['transB', { type: 'int', value: 1 }], ['alpha', { type: 'float', value: 1 }], ['beta', { type: 'float', value: 1 }]]);
  return {
    irVersion: 7, opsetImports: [{ domain: '', version: 13 }], producerName: '', producerVersion: '', domain: '', modelVersion: 0,
    docString: '', metadataProps: [],
    graph: {
      name: 'main_graph',
      nodes: [
        { name: '/ops/ops.0/Gemm', opType: 'Gemm', domain: '', inputs: [inName, 'ops.0.weight', 'ops.0.bias'], outputs: [relu ? 'g' : outName], attributes: attrs },
        ...(relu ? [{ name: '/ops/ops.1/Relu', opType: 'Relu', domain: '', inputs: ['g'], outputs: [outName], attributes: new Map<string, Attribute>() }] : []),
      ],
      inputs: [{ name: inName, dtype: 'float32', shape: [1, c] }],
      outputs: [{ name: outName, dtype: 'float32', shape: [1, n] }],
      initializers: new Map([['ops.0.weight', w], ['ops.0.bias', b]]),
      valueInfo: new Map([['g', { name: 'g', dtype: 'float32' as const, shape: [1, n] }]]),
    },
  };
}

const PLATFORM: Record<string, string> = { c: 'ESPDL_C_INT8', esp32s3: 'ESPDL_S3_INT8', esp32p4: 'ESPDL_INT8' };
const raw = (t: EspdlTensorView): string => Buffer.from(t.raw).toString('hex');

describe('exportEspdl against ESP-DL test models (Gemm + Relu)', () => {
  for (const [shape, c, n] of [['ishap_1_16_kshap_16_16', 16, 16], ['ishap_1_31_kshap_32_31', 31, 32], ['ishap_1_64_kshap_32_64', 64, 32]] as const) {
    it(`${shape}: c, esp32s3 and esp32p4 files reproduced`, () => {
      const ref = golden('c', shape);
      const wC = ref.graph.initializers.find((t) => t.name === 'ops.0.weight')!;
      const bC = ref.graph.initializers.find((t) => t.name === 'ops.0.bias')!;
      const w = floats(wC, [n, c]);
      const b = floats(bC, [n]);
      for (const target of ['c', 'esp32s3', 'esp32p4'] as const) {
        const gold = golden(target, shape);
        const g = gold.graph;
        const inName = g.inputs[0]!.name!;
        const outName = g.outputs[0]!.name!;
        const [eIn, eW, eOut] = [g.inputs[0]!.exponents[0]!, wC.exponents[0]!, g.outputs[0]!.exponents[0]!];
        // Some files of this set carry no Relu despite their name (activation "Linear").
        const relu = g.nodes[0]!.attributes.find((a) => a.name === 'activation')!.s === 'Relu';
        const gemm = { [inName]: cfg(8, 'ACTIVATED', 1), 'ops.0.weight': cfg(8, 'ACTIVATED', 2), 'ops.0.bias': cfg(32, 'PASSIVE', 3) };
        const json = {
          configs: relu
            ? { '/ops/ops.0/Gemm': { ...gemm, g: cfg(8, 'OVERLAPPED', 4, 6) }, '/ops/ops.1/Relu': { g: cfg(8, 'OVERLAPPED', 5, 6), [outName]: cfg(8, 'ACTIVATED', 6) } }
            : { '/ops/ops.0/Gemm': { ...gemm, [outName]: cfg(8, 'ACTIVATED', 6) } },
          dispatchings: { '/ops/ops.0/Gemm': PLATFORM[target]!, ...(relu ? { '/ops/ops.1/Relu': PLATFORM[target]! } : {}) },
          values: { 1: { scale: 2 ** eIn, zero_point: 0 }, 2: { scale: 2 ** eW, zero_point: 0 }, 3: { scale: 2 ** (eIn + eW), zero_point: 0 }, 6: { scale: 2 ** eOut, zero_point: 0 } },
        };
        const qg = quantizedGraphFromPpqJson(buildModel(w, b, inName, outName, c, n, relu), json, target as Target, 8);
        const testValues = {
          inputs: { [inName]: floats(g.testInputs[0]!, [1, c]) },
          outputs: { [outName]: floats(g.testOutputs[0]!, [1, n]) },
        };
        const ours = readEspdlModel(parseContainer(exportEspdl(qg, { metadataProps: { target }, testValues }).espdl).models[0]!.payload);
        expect(ours.irVersion).toBe(gold.irVersion);
        expect(ours.metadataProps).toEqual(gold.metadataProps);
        expect(ours.graph.name).toBe(g.name);
        expect(ours.graph.nodes.map((x) => [x.name, x.opType, x.inputs, x.outputs, x.attributes])).toEqual(g.nodes.map((x) => [x.name, x.opType, x.inputs, x.outputs, x.attributes]));
        for (const name of ['ops.0.weight', 'ops.0.bias']) {
          const a = ours.graph.initializers.find((t) => t.name === name)!;
          const e = g.initializers.find((t) => t.name === name)!;
          expect([a.dims, a.dataType, a.exponents, a.docString, raw(a)], `${target} ${name}`).toEqual([e.dims, e.dataType, e.exponents, e.docString, raw(e)]);
        }
        expect(ours.graph.initializers).toHaveLength(g.initializers.length);
        expect(ours.graph.inputs).toEqual(g.inputs);
        expect(ours.graph.outputs).toEqual(g.outputs);
        expect(ours.graph.testInputs.map(raw)).toEqual(g.testInputs.map(raw));
        expect(ours.graph.testOutputs.map(raw)).toEqual(g.testOutputs.map(raw));
      }
    });
  }
});
