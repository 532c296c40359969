import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parseContainer } from '../../../src/espdl/container.js';
import {
  ATTRIBUTE_TYPE_NAMES, readEspdlModel, tensorDataTypeName, type EspdlTensorView, type EspdlValueInfoView,
} from '../../../src/espdl/read.js';
import { InputError } from '../../../src/errors.js';
import { fixture } from '../../helpers/paths.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Our view in the shape of fixtures/espdl/*.structure.json (written by an independent reader). */
function asStructure(file: Uint8Array): unknown {
  const c = parseContainer(file);
  const entry = c.models[0];
  const m = readEspdlModel(entry.payload);
  const tensor = (t: EspdlTensorView) => ({
    name: t.name, dims: t.dims, data_type: tensorDataTypeName(t.dataType), exponents: t.exponents,
    doc_string: t.docString, raw_len: t.raw.byteLength,
    raw_aligned16: t.rawOffset !== null && (entry.offset + t.rawOffset) % 16 === 0, raw_sha256: sha256(t.raw),
  });
  const vi = (v: EspdlValueInfoView) => ({
    name: v.name, exponents: v.exponents, elem_type: tensorDataTypeName(v.elemType ?? 0), dims: v.dims,
  });
  return {
    magic: entry.header.magic, encrypted: entry.header.mode === 1, length: entry.header.length,
    payload_len_mod16: entry.header.length % 16,
    model: {
      ir_version: m.irVersion, opset_import_len: m.opsetImport.length, producer_name: m.producerName,
      model_version: m.modelVersion, metadata_props: Object.fromEntries(m.metadataProps.map((p) => [p.key, p.value])),
      graph: {
        name: m.graph.name,
        nodes: m.graph.nodes.map((n) => ({
          op_type: n.opType, name: n.name, inputs: n.inputs, outputs: n.outputs,
          attributes: n.attributes.map((a) => {
            const { name, type, ...rest } = a;
            return { name, type: ATTRIBUTE_TYPE_NAMES[type], ...rest };
          }),
        })),
        initializers: m.graph.initializers.map(tensor),
        inputs: m.graph.inputs.map(vi), outputs: m.graph.outputs.map(vi), value_info: m.graph.valueInfo.map(vi),
        test_inputs: m.graph.testInputs.map(tensor), test_outputs: m.graph.testOutputs.map(tensor),
      },
    },
  };
}

describe('readEspdlModel on the golden ESP-DL files', () => {
  const dir = fixture('espdl');
  const files = readdirSync(dir).filter((f) => f.endsWith('.espdl'));

  it('decodes all 15 files exactly as their *.structure.json', () => {
    expect(files.length).toBe(15);
    for (const f of files) {
      const want = JSON.parse(readFileSync(`${dir}/${f.replace(/\.espdl$/, '.structure.json')}`, 'utf8'));
      expect(asStructure(readFileSync(`${dir}/${f}`)), f).toEqual(want);
    }
  });
});

describe('readEspdlModel on the ESP-DL model zoo', () => {
  const zoo = (name: string) => readFileSync(fixture('espdl-zoo', name));

  it('MobileNetV2 P4: the structure docs/esp-dl.md §1.5 documents, every raw_data 16-aligned in the file', () => {
    const file = zoo('models_imagenet_cls_models_p4_imagenet_cls_mobilenetv2_s8_v1.espdl');
    expect(file.byteLength).toBe(3_899_216);
    const entry = parseContainer(file).models[0];
    const m = readEspdlModel(entry.payload);
    const counts: Record<string, number> = {};
    for (const n of m.graph.nodes) counts[n.opType ?? ''] = (counts[n.opType ?? ''] ?? 0) + 1;
    expect(m.graph.nodes.length).toBe(70);
    expect(counts).toEqual({ Conv: 52, Add: 10, RequantizeLinear: 4, GlobalAveragePool: 1, Transpose: 1, Flatten: 1, Gemm: 1 });
    expect(m.graph.inputs.map((v) => [v.name, v.elemType, v.dims, v.exponents])).toEqual([['input.1', 3, [1, 224, 224, 3], [-6]]]);
    expect(m.graph.outputs.map((v) => [v.name, v.elemType, v.dims, v.exponents])).toEqual([['466', 3, [1, 1000], [-2]]]);
    const firstConvWeight = m.graph.initializers.find((t) => t.name === m.graph.nodes[0].inputs[1])!;
    expect(firstConvWeight.exponents.length).toBe(32);
    expect(firstConvWeight.dims).toEqual([3, 3, 3, 32]);
    for (const t of m.graph.initializers) expect((entry.offset + t.rawOffset!) % 16, t.name ?? '').toBe(0);
    expect(m.graph.testInputs.length + m.graph.testOutputs.length).toBe(0);
  });

  it('MobileNetV2 S3 has a single exponent on the first conv weight; both YOLO11n files decode', () => {
    const s3 = readEspdlModel(parseContainer(zoo('models_imagenet_cls_models_s3_imagenet_cls_mobilenetv2_s8_v1.espdl')).models[0].payload);
    const w = s3.graph.initializers.find((t) => t.name === s3.graph.nodes[0].inputs[1])!;
    expect(w.exponents).toEqual([-7]);
    for (const chip of ['p4', 's3']) {
      const y = readEspdlModel(parseContainer(zoo(`models_coco_detect_models_${chip}_coco_detect_yolo11n_s8_v1.espdl`)).models[0].payload);
      expect(y.graph.inputs[0].dims).toEqual([1, 640, 640, 3]);
      expect(y.graph.nodes.length).toBeGreaterThan(100);
      for (const t of y.graph.initializers) expect(t.raw.byteLength).toBeGreaterThanOrEqual(t.numel * (t.dataType === 6 ? 4 : 1));
    }
  });
});

describe('bad input', () => {
  const good = readFileSync(fixture('espdl', 'examples_tutorial_how_to_run_model_main_models_p4_model.espdl'));

  it('unknown magic, truncated header, length beyond the file', () => {
    expect(() => parseContainer(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0]), 'x.espdl')).toThrow(/x\.espdl: unknown magic "PK\\u0003\\u0004" at byte 0/);
    expect(() => parseContainer(good.subarray(0, 10), 'x.espdl')).toThrow(/truncated file: length at byte 8/);
    expect(() => parseContainer(good.subarray(0, 1000), 'x.espdl')).toThrow(
      /x\.espdl: truncated file: the model length 7648 at byte 8 runs to byte 7664, beyond the end of the 1000-byte file/,
    );
    expect(() => parseContainer(good.subarray(0, 2))).toThrow(InputError);
  });

  it('corrupt FlatBuffers give InputError with a byte offset, never a RangeError', () => {
    const payload = new Uint8Array(parseContainer(good).models[0].payload); // a copy (Buffer#slice would share memory)
    const badRoot = new Uint8Array(payload);
    new DataView(badRoot.buffer).setUint32(0, 0x7fff_fff0, true);
    expect(() => readEspdlModel(badRoot, 'm')).toThrow(/m: corrupt FlatBuffer: offset \d+ beyond the end of the buffer at byte 0/);
    // Flip every 4-byte word in turn: each decode must either succeed or throw InputError.
    let failures = 0;
    for (let pos = 0; pos < payload.byteLength; pos += 4) {
      const bad = new Uint8Array(payload);
      new DataView(bad.buffer).setUint32(pos, 0xfffffff0 ^ pos, true);
      try {
        readEspdlModel(bad, 'm');
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(10);
    expect(() => readEspdlModel(payload.subarray(0, 200), 'm')).toThrow(InputError);
  });
});
