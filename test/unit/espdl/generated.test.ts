import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as flatbuffers from 'flatbuffers';
import { Tensor } from '../../../src/espdl/generated/espdl/tensor.js';
import { AlignedBytes } from '../../../src/espdl/generated/espdl/aligned-bytes.js';
import { Model } from '../../../src/espdl/generated/espdl/model.js';
import { Graph } from '../../../src/espdl/generated/espdl/graph.js';
import { fixture } from '../../helpers/paths.js';

describe('generated FlatBuffers code', () => {
  it('places raw_data (AlignedBytes) 16-byte aligned from the buffer start', () => {
    const b = new flatbuffers.Builder(64);
    const name = b.createString('w'); // 1 byte + NUL: leaves the builder misaligned on purpose
    Tensor.startRawDataVector(b, 2);
    for (let k = 1; k >= 0; k--) AlignedBytes.createAlignedBytes(b, Array.from({ length: 16 }, (_, i) => k * 16 + i));
    const raw = b.endVector();
    Tensor.startTensor(b);
    Tensor.addName(b, name);
    Tensor.addRawData(b, raw);
    const t = Tensor.endTensor(b);
    const inits = Graph.createInitializerVector(b, [t]);
    Graph.startGraph(b);
    Graph.addInitializer(b, inits);
    const g = Graph.endGraph(b);
    Model.startModel(b);
    Model.addGraph(b, g);
    b.finish(Model.endModel(b));
    const bytes = b.asUint8Array();
    expect(bytes.length % 16).toBe(0);
    const model = Model.getRootAsModel(new flatbuffers.ByteBuffer(bytes));
    const tensor = model.graph()!.initializer(0)!;
    const first = tensor.rawData(0)!;
    expect(first.bb_pos % 16).toBe(0);
    expect(first.bytes(5)).toBe(5);
    expect(tensor.rawData(1)!.bytes(15)).toBe(31);
    expect(tensor.name()).toBe('w');
  });

  it('decodes the ESP-DL tutorial model (graph name, ir_version)', () => {
    const file = readFileSync(fixture('espdl', 'examples_tutorial_how_to_run_model_main_models_p4_model.espdl'));
    const payload = new Uint8Array(file.buffer, file.byteOffset + 16, file.readUInt32LE(8));
    const model = Model.getRootAsModel(new flatbuffers.ByteBuffer(payload));
    expect(model.irVersion()).toBe(7);
    expect(model.graph()!.name()).toBe('torch_jit');
    expect(model.graph()!.nodeLength()).toBe(3);
  });
});
