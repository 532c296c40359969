import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as flatbuffers from 'flatbuffers';
import { Attribute } from '../../../src/espdl/generated/espdl/attribute.js';
import { AttributeType } from '../../../src/espdl/generated/espdl/attribute-type.js';
import { Graph } from '../../../src/espdl/generated/espdl/graph.js';
import { Model } from '../../../src/espdl/generated/espdl/model.js';
import { Node } from '../../../src/espdl/generated/espdl/node.js';
import { readEspdlModel } from '../../../src/espdl/read.js';
import { canonicalView } from '../../../src/espdl/canonical.js';
import { parseContainer, writeEdl2 } from '../../../src/espdl/container.js';
import { fixture } from '../../helpers/paths.js';

/** A model with one node carrying FLOATS attributes: `wide` as esp-ppq writes it (float64 in [float]), `narrow` per schema. */
function modelWithFloats(wide: number[], narrow: number[]): Uint8Array {
  const b = new flatbuffers.Builder(256);
  const attr = (name: string, vector: flatbuffers.Offset) => {
    const n = b.createString(name);
    Attribute.startAttribute(b);
    Attribute.addName(b, n);
    Attribute.addAttrType(b, AttributeType.FLOATS);
    Attribute.addFloats(b, vector);
    return Attribute.endAttribute(b);
  };
  // esp-ppq: CreateNumpyVector(np.array(v).astype(float)) → 8-byte elements, element count as length.
  b.startVector(8, wide.length, 8);
  for (let i = wide.length - 1; i >= 0; i--) b.addFloat64(wide[i]);
  const a1 = attr('scales', b.endVector());
  const a2 = attr('weights', Attribute.createFloatsVector(b, narrow));
  const attrs = Node.createAttributeVector(b, [a1, a2]);
  const op = b.createString('Resize');
  Node.startNode(b);
  Node.addOpType(b, op);
  Node.addAttribute(b, attrs);
  const node = Node.endNode(b);
  const nodes = Graph.createNodeVector(b, [node]);
  Graph.startGraph(b);
  Graph.addNode(b, nodes);
  const g = Graph.endGraph(b);
  Model.startModel(b);
  Model.addGraph(b, g);
  b.finish(Model.endModel(b));
  return b.asUint8Array();
}

describe('FLOATS attributes (esp-ppq float64-in-[float] quirk)', () => {
  it('detects float64 data by its byte length and reports it; keeps float32 vectors as they are', () => {
    const m = readEspdlModel(modelWithFloats([1, 1, 2, 2], [0.25, -1.5, 3]), 'q');
    const [scales, weights] = m.graph.nodes[0].attributes;
    expect(scales.floatsStorage).toBe('float64');
    expect(scales.floats).toEqual([1, 1, 2, 2]);
    // what a schema-following reader (ESP-DL) sees: low/high words of the doubles 1.0 and 2.0 as float32
    expect(scales.floatsAsF32).toEqual([0, 1.875, 0, 1.875]);
    expect(weights.floatsStorage).toBe('float32');
    expect(weights.floats).toEqual([0.25, -1.5, 3]);
    expect(m.warnings).toEqual(['node ? attribute scales: FLOATS holds float64 data in a [float] field (esp-ppq quirk)']);
    const canon = canonicalView(writeEdl2(modelWithFloats([0.5], [1]), false)) as { nodes: { attributes: Record<string, unknown> }[] };
    expect(canon.nodes[0].attributes.scales).toEqual({ type: 6, floats_len: 1, floats_as_f32: [0] });
    expect(canon.nodes[0].attributes.weights).toEqual({ type: 6, floats_len: 1, floats_as_f32: [1] });
  });
});

describe('writeEdl2', () => {
  it('re-wraps a payload into the identical esp-ppq file; sets mode 1 when encrypted; pads to 16', () => {
    const file = new Uint8Array(readFileSync(fixture('espdl', 'examples_tutorial_how_to_run_model_main_models_p4_model.espdl')));
    const payload = parseContainer(file).models[0].payload;
    expect(Buffer.from(writeEdl2(payload, false)).equals(Buffer.from(file))).toBe(true);
    const enc = writeEdl2(payload, true);
    expect(Array.from(enc.subarray(4, 8))).toEqual([1, 0, 0, 0]);
    const odd = writeEdl2(new Uint8Array(20).fill(7), false);
    expect(odd.byteLength).toBe(48);
    expect(Array.from(odd.subarray(8, 12))).toEqual([32, 0, 0, 0]);
    expect(Array.from(odd.subarray(36))).toEqual(new Array(12).fill(0));
  });
});
