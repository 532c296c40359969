import { describe, expect, it } from 'vitest';
import { ProtoError, ProtoReader, WIRE } from '../../../src/onnx/proto-wire.js';
import { ProtoWriter } from '../../../src/onnx/proto-writer.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('proto-wire varints', () => {
  // Expected bytes from the Protocol Buffers encoding guide (varint 150 = 96 01, 300 = ac 02) and two's complement.
  it('encodes varints as the protobuf spec shows', () => {
    expect(hex(new ProtoWriter().uint32(150).finish())).toBe('9601');
    expect(hex(new ProtoWriter().int64(300).finish())).toBe('ac02');
    expect(hex(new ProtoWriter().int64(-1).finish())).toBe('ffffffffffffffffff01');
    expect(hex(new ProtoWriter().int64Big(9223372036854775807n).finish())).toBe('ffffffffffffffff7f');
    // A rounded INT64_MAX (2^63 as a double) must not wrap to INT64_MIN.
    expect(hex(new ProtoWriter().int64(2 ** 63).finish())).toBe('ffffffffffffffff7f');
    expect(hex(new ProtoWriter().int64Big(-9223372036854775808n).finish())).toBe('80808080808080808001');
  });

  it('decodes signed int64 exactly as BigInt and approximately as number', () => {
    const r = new ProtoReader(Uint8Array.from(Buffer.from('ffffffffffffffffff01' + 'ffffffffffffffff7f' + 'ac02', 'hex')));
    expect(r.int64Big()).toBe(-1n);
    expect(r.int64Big()).toBe(9223372036854775807n);
    expect(r.int64()).toBe(300);
    expect(r.done).toBe(true);
    const n = new ProtoReader(Uint8Array.from(Buffer.from('feffffffffffffffff01', 'hex')));
    expect(n.int64()).toBe(-2);
  });

  it('reads packed and unpacked repeated fields the same', () => {
    // field 8 packed: key 0x42, len 3, values 1, 2, 150 ; unpacked: key 0x40 per value
    const packed = Uint8Array.from([0x42, 4, 1, 2, 0x96, 0x01]);
    const unpacked = Uint8Array.from([0x40, 1, 0x40, 2, 0x40, 0x96, 0x01]);
    for (const bytes of [packed, unpacked]) {
      const r = new ProtoReader(bytes);
      const got: number[] = [];
      while (!r.done) {
        const [field, wire] = r.key();
        expect(field).toBe(8);
        r.repeated(wire, WIRE.varint, (s) => got.push(s.int64()));
      }
      expect(got).toEqual([1, 2, 150]);
    }
  });

  it('fixed32 floats are little-endian IEEE', () => {
    expect(hex(new ProtoWriter().floatField(2, 1.5).finish())).toBe('150000c03f');
  });

  it('reports truncation with the byte offset', () => {
    expect(() => new ProtoReader(Uint8Array.from([0x96])).int64()).toThrow(new ProtoError('truncated varint', 0));
    const r = new ProtoReader(Uint8Array.from([0x0a, 0x05, 0x61]));
    r.key();
    expect(() => r.bytes()).toThrow('length 5 exceeds the message at byte 1');
  });

  it('skips unknown fields of every wire type', () => {
    const w = new ProtoWriter();
    w.varintField(1, 7).key(2, WIRE.fixed64).double(1).key(3, WIRE.fixed32).float(2).stringField(4, 'x').varintField(9, 42);
    const r = new ProtoReader(w.finish());
    let nine = -1;
    while (!r.done) {
      const [f, wt] = r.key();
      if (f === 9) nine = r.int64();
      else r.skip(wt);
    }
    expect(nine).toBe(42);
  });

  it('nested messages keep large payloads intact', () => {
    const big = new Uint8Array(1000).map((_, i) => i & 255);
    const w = new ProtoWriter().messageField(5, (m) => m.bytesField(9, big).varintField(2, 1));
    const r = new ProtoReader(w.finish());
    expect(r.key()).toEqual([5, WIRE.len]);
    const m = r.message();
    expect(m.key()).toEqual([9, WIRE.len]);
    expect(m.bytes()).toEqual(big);
    expect(m.key()).toEqual([2, WIRE.varint]);
    expect(m.int64()).toBe(1);
  });
});
