/** Protocol Buffers writer (see proto-wire.ts for the reader and wire types). */
import { WIRE } from './proto-wire.js';

const TWO_32 = 4294967296;
const utf8Encoder = new TextEncoder();

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
