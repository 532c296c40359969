/**
 * Protocol Buffers wire format (proto2/proto3 binary encoding), just what ONNX needs: varints (int32/int64
 * as two's complement, no zigzag), fixed32/fixed64, length-delimited fields, packed and unpacked repeated.
 * Hand-written so the package needs no protobuf runtime or generated code.
 */

/** Wire types of a field key. */
export const WIRE = { varint: 0, fixed64: 1, len: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

/** A malformed message; `offset` is the byte where decoding failed (absolute in the top buffer). */
export class ProtoError extends Error {
  constructor(reason: string, readonly offset: number) {
    super(`${reason} at byte ${offset}`);
    this.name = 'ProtoError';
  }
}

const TWO_32 = 4294967296;
const utf8 = new TextDecoder('utf-8');

/** Sequential reader over one message (a window [pos, end) of a shared buffer). */
export class ProtoReader {
  pos: number;
  readonly end: number;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a field key; returns [fieldNumber, wireType]. */
  key(): [number, number] {
    const at = this.pos;
    const k = this.uint32();
    const field = k >>> 3;
    if (field === 0) throw new ProtoError('field number 0', at);
    return [field, k & 7];
  }

  /** A varint truncated to its low 32 bits (unsigned). */
  uint32(): number {
    const [lo] = this.varint();
    return lo >>> 0;
  }

  /** A varint as signed int32 (what proto int32/enum fields hold). */
  int32(): number {
    const [lo] = this.varint();
    return lo | 0;
  }

  /** A varint as a JS number, interpreted as signed int64 (exact below 2^53 in magnitude). */
  int64(): number {
    const [lo, hi] = this.varint();
    return (hi | 0) * TWO_32 + (lo >>> 0);
  }

  /** A varint as an exact signed 64-bit BigInt. */
  int64Big(): bigint {
    const [lo, hi] = this.varint();
    return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
  }

  /** A varint as an exact unsigned 64-bit BigInt. */
  uint64Big(): bigint {
    const [lo, hi] = this.varint();
    return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  }

  /** Raw varint as [low 32 bits, high 32 bits]. */
  varint(): [number, number] {
    const start = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoError('truncated varint', start);
      const b = this.buf[this.pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) return [lo, hi];
    }
    throw new ProtoError('varint longer than 10 bytes', start);
  }

  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A length-delimited field's payload, as a view (no copy). */
  bytes(): Uint8Array {
    const [start, end] = this.lenWindow();
    return this.buf.subarray(start, end);
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  /** Reads a length prefix and returns the absolute [start, end) of the payload, advancing past it. */
  lenWindow(): [number, number] {
    const at = this.pos;
    const len = this.int64();
    if (len < 0 || len > this.end - this.pos) throw new ProtoError(`length ${len} exceeds the message`, at);
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }

  /** A sub-reader over an embedded message. */
  message(): ProtoReader {
    const [start, end] = this.lenWindow();
    return new ProtoReader(this.buf, start, end);
  }

  /**
   * Repeated scalar field: calls `one` for each element, whether the field was written packed (wire type 2)
   * or as one element per key.
   */
  repeated(wireType: number, elemWire: number, one: (r: ProtoReader) => void): void {
    if (wireType === WIRE.len && elemWire !== WIRE.len) {
      const sub = this.message();
      while (!sub.done) one(sub);
      return;
    }
    this.expect(wireType, elemWire);
    one(this);
  }

  expect(wireType: number, want: number): void {
    if (wireType !== want) throw new ProtoError(`wire type ${wireType} where ${want} was expected`, this.pos);
  }

  /** Skips an unknown field's value. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE.varint: this.varint(); return;
      case WIRE.fixed64: this.need(8); this.pos += 8; return;
      case WIRE.len: this.lenWindow(); return;
      case WIRE.fixed32: this.need(4); this.pos += 4; return;
      case WIRE.startGroup: this.skipGroup(); return;
      default: throw new ProtoError(`invalid wire type ${wireType}`, this.pos);
    }
  }

  private skipGroup(): void {
    for (;;) {
      if (this.done) throw new ProtoError('unterminated group', this.pos);
      const [, w] = this.key();
      if (w === WIRE.endGroup) return;
      this.skip(w);
    }
  }

  private need(n: number): void {
    if (this.end - this.pos < n) throw new ProtoError(`truncated ${n}-byte value`, this.pos);
  }
}
