import { describe, expect, it } from 'vitest';
import { DATA_TYPE_CODE, type DataType } from '../../../src/ir/tensor.js';
import { decodeModel } from '../../../src/onnx/read.js';
import { ProtoWriter } from '../../../src/onnx/proto-writer.js';
import { WIRE } from '../../../src/onnx/proto-wire.js';
import { runOrt } from './simplify/ort.js';

type Fill = (t: ProtoWriter) => void;

/** TensorProto fields (onnx.proto): dims 1, data_type 2, float_data 4, int32_data 5, string_data 6, int64_data 7, name 8, double_data 10, uint64_data 11. */
function tensor(w: ProtoWriter, name: string, dtype: DataType, dims: number[], fill: Fill): void {
  w.messageField(5, (t) => {
    t.messageField(1, (p) => { for (const d of dims) p.int64(d); });
    t.varintField(2, DATA_TYPE_CODE[dtype]);
    t.stringField(8, name);
    fill(t);
  });
}

const packedVarints = (field: number, values: number[]): Fill => (t) => t.messageField(field, (p) => { for (const v of values) p.int64(v); });

/**
 * A model y_k = Cast(W_k → float) for initializers stored in every non-raw form; onnxruntime decodes them
 * independently, so its outputs are the expected values.
 */
function model(): Uint8Array {
  const forms: [string, DataType, number[], Fill][] = [
    ['f_packed', 'float32', [3], (t) => t.messageField(4, (p) => { p.float(1.5); p.float(-2); p.float(3.25); })],
    ['f_unpacked', 'float32', [2], (t) => { t.floatField(4, 0.5); t.floatField(4, -0.125); }],
    ['i8', 'int8', [3], packedVarints(5, [-128, 5, 127])],
    ['u16', 'uint16', [2], packedVarints(5, [65535, 7])],
    ['b', 'bool', [3], packedVarints(5, [1, 0, 1])],
    ['h', 'float16', [2], packedVarints(5, [0x3c00, 0xc500])], // 1.0, -5.0
    ['i64', 'int64', [2], packedVarints(7, [-3, 1 << 30])],
    ['d', 'float64', [2], (t) => t.messageField(10, (p) => { p.double(0.1); p.double(-7); })],
    ['u32', 'uint32', [2], packedVarints(11, [4000000000, 9])],
  ];
  const w = new ProtoWriter();
  w.varintField(1, 8);
  w.messageField(7, (g) => {
    for (const [name] of forms) g.messageField(1, (n) => n.stringField(1, name).stringField(2, `y_${name}`).stringField(3, `cast_${name}`).stringField(4, 'Cast').messageField(5, (a) => a.stringField(1, 'to').varintField(3, 1).varintField(20, 2)));
    for (const [name, dtype, dims, fill] of forms) tensor(g, name, dtype, dims, fill);
    for (const [name] of forms) g.messageField(12, (v) => v.stringField(1, `y_${name}`).messageField(2, (ty) => ty.messageField(1, (tt) => tt.varintField(1, 1))));
    g.varintField(99, 1).key(98, WIRE.fixed64).double(0); // unknown graph fields must be skipped
  });
  w.messageField(8, (o) => o.varintField(2, 13));
  w.stringField(50, 'unknown model-level field');
  return w.finish();
}

describe('tensor data in non-raw forms', () => {
  it('decodes float_data, int32_data (int8/uint16/bool/float16 bits), int64_data, double_data, uint64_data like onnxruntime', async () => {
    const bytes = model();
    const m = decodeModel(bytes);
    const init = m.graph.initializers;
    expect(init.get('f_packed')!.data).toEqual(Float32Array.from([1.5, -2, 3.25]));
    expect(init.get('f_unpacked')!.data).toEqual(Float32Array.from([0.5, -0.125]));
    expect(init.get('i8')!.data).toEqual(Int8Array.from([-128, 5, 127]));
    expect(init.get('u16')!.data).toEqual(Uint16Array.from([65535, 7]));
    expect(init.get('b')).toEqual({ dtype: 'bool', dims: [3], data: Uint8Array.from([1, 0, 1]) });
    expect(init.get('h')!.data).toEqual(Uint16Array.from([0x3c00, 0xc500]));
    expect(init.get('i64')!.data).toEqual(BigInt64Array.from([-3n, 1073741824n]));
    expect(init.get('d')!.data).toEqual(Float64Array.from([0.1, -7]));
    expect(init.get('u32')!.data).toEqual(Uint32Array.from([4000000000, 9]));
    const ort = await runOrt(bytes, {});
    for (const [name, t] of init) {
      const asFloat = Float32Array.from(t.dtype === 'float16' ? [1, -5] : Array.from(t.data as ArrayLike<number | bigint>, Number));
      expect(ort[`y_${name}`], name).toEqual(asFloat);
    }
  });
});
