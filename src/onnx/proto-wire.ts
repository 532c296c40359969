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
const utf8Encoder = new TextEncoder();

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

/** Large payloads are kept by reference instead of copied into the scratch buffer. */
const BY_REFERENCE = 256;

/**
 * Append-only writer. Small writes go to a growable scratch buffer; big byte payloads (tensor data) and
 * embedded messages are kept as references, so the only full copy is the final `finish()`.
 */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private flushed = 0;
  private head = new Uint8Array(256);
  private pos = 0;
  private view = new DataView(this.head.buffer);

  /** Total bytes written so far. */
  get length(): number {
    return this.flushed + this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.head.length) return;
    const next = new Uint8Array(Math.max(this.head.length * 2, this.pos + n));
    next.set(this.head.subarray(0, this.pos));
    this.head = next;
    this.view = new DataView(next.buffer);
  }

  private flushHead(): void {
    if (this.pos === 0) return;
    this.pushPart(this.head.slice(0, this.pos));
    this.pos = 0;
  }

  private pushPart(p: Uint8Array): void {
    this.parts.push(p);
    this.flushed += p.byteLength;
  }

  key(field: number, wireType: number): this {
    return this.uint32(((field << 3) | wireType) >>> 0);
  }

  uint32(v: number): this {
    this.reserve(5);
    let x = v >>> 0;
    while (x >= 0x80) {
      this.head[this.pos++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.head[this.pos++] = x;
    return this;
  }

  /** Signed 64-bit varint from a JS number (clamped to the int64 range, so 2^63 from a rounded INT64_MAX stays INT64_MAX). */
  int64(v: number): this {
    if (v >= 0 && v < TWO_32 && Number.isInteger(v)) return this.uint32(v);
    if (v >= 9223372036854775807) return this.int64Big(9223372036854775807n);
    if (v <= -9223372036854775808) return this.int64Big(-9223372036854775808n);
    return this.int64Big(BigInt(Math.trunc(v)));
  }

  int64Big(v: bigint): this {
    let x = BigInt.asUintN(64, v);
    this.reserve(10);
    while (x >= 0x80n) {
      this.head[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.head[this.pos++] = Number(x);
    return this;
  }

  float(v: number): this {
    this.reserve(4);
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  double(v: number): this {
    this.reserve(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
    return this;
  }

  /** A length-delimited field holding `bytes` (referenced, not copied, when large). */
  bytesField(field: number, bytes: Uint8Array): this {
    this.key(field, WIRE.len).int64(bytes.byteLength);
    if (bytes.byteLength >= BY_REFERENCE) {
      this.flushHead();
      this.pushPart(bytes);
      return this;
    }
    this.reserve(bytes.byteLength);
    this.head.set(bytes, this.pos);
    this.pos += bytes.byteLength;
    return this;
  }

  stringField(field: number, s: string): this {
    return this.bytesField(field, utf8Encoder.encode(s));
  }

  varintField(field: number, v: number): this {
    return this.key(field, WIRE.varint).int64(v);
  }

  floatField(field: number, v: number): this {
    return this.key(field, WIRE.fixed32).float(v);
  }

  /** An embedded message (or a packed repeated field) built by `build` on a child writer. */
  messageField(field: number, build: (w: ProtoWriter) => void): this {
    const child = new ProtoWriter();
    build(child);
    child.flushHead();
    this.key(field, WIRE.len).int64(child.length);
    this.flushHead();
    for (const p of child.parts) this.pushPart(p);
    return this;
  }

  /** All bytes written, as one new buffer. */
  finish(): Uint8Array {
    this.flushHead();
    const out = new Uint8Array(this.flushed);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }
}
