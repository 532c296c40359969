/**
 * A bounds-checked FlatBuffers table reader. The generated accessors in ./generated/ trust their input
 * (the flatbuffers runtime returns `undefined`/0 for out-of-range reads and loops over bogus vector lengths),
 * so model files from users are decoded through this instead: every offset is checked and a corrupt buffer
 * becomes an InputError naming the byte offset, never a RangeError or a hang.
 */
import { InputError } from '../errors.js';

const utf8 = new TextDecoder('utf-8');

/** A little-endian byte buffer that refuses out-of-range reads and remembers where objects start. */
export class CheckedBuffer {
  readonly view: DataView;
  /** Start offsets of every string, vector, table and vtable visited (to bound vector byte lengths). */
  readonly starts: number[] = [];

  constructor(readonly bytes: Uint8Array, readonly what: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  fail(problem: string, offset: number): never {
    throw new InputError(`${this.what}: corrupt FlatBuffer: ${problem} at byte ${offset}`);
  }

  need(pos: number, size: number): void {
    if (!Number.isInteger(pos) || pos < 0 || size < 0 || pos + size > this.bytes.byteLength) {
      this.fail(`${size}-byte read outside the ${this.bytes.byteLength}-byte buffer`, pos);
    }
  }

  u8(pos: number): number { this.need(pos, 1); return this.view.getUint8(pos); }
  i8(pos: number): number { this.need(pos, 1); return this.view.getInt8(pos); }
  u16(pos: number): number { this.need(pos, 2); return this.view.getUint16(pos, true); }
  i32(pos: number): number { this.need(pos, 4); return this.view.getInt32(pos, true); }
  u32(pos: number): number { this.need(pos, 4); return this.view.getUint32(pos, true); }
  i64(pos: number): bigint { this.need(pos, 8); return this.view.getBigInt64(pos, true); }
  f32(pos: number): number { this.need(pos, 4); return this.view.getFloat32(pos, true); }
  f64(pos: number): number { this.need(pos, 8); return this.view.getFloat64(pos, true); }

  /** Follows a uoffset stored at `pos` and returns the absolute target. */
  deref(pos: number): number {
    const target = pos + this.u32(pos);
    if (target >= this.bytes.byteLength) this.fail(`offset ${target} beyond the end of the buffer`, pos);
    return target;
  }

  /** The root table (uoffset at byte 0; no file identifier, no size prefix). */
  root(): Table {
    if (this.bytes.byteLength < 8) this.fail('buffer too small for a root table', 0);
    return new Table(this, this.deref(0));
  }
}

/** One table: field access by slot number (slot k lives at vtable offset 4 + 2k). */
export class Table {
  private readonly vtable: number;
  private readonly vtableSize: number;
  private readonly tableSize: number;

  constructor(readonly buf: CheckedBuffer, readonly pos: number) {
    this.vtable = pos - buf.i32(pos);
    this.vtableSize = buf.u16(this.vtable);
    this.tableSize = buf.u16(this.vtable + 2);
    if (this.vtableSize < 4 || this.vtableSize % 2 !== 0) buf.fail(`bad vtable size ${this.vtableSize}`, this.vtable);
    buf.need(this.vtable, this.vtableSize);
    buf.need(pos, Math.max(this.tableSize, 4));
    buf.starts.push(pos, this.vtable);
  }

  /** Absolute position of a field's inline data, or 0 when absent. */
  field(slot: number): number {
    const vo = 4 + 2 * slot;
    if (vo + 2 > this.vtableSize) return 0;
    const off = this.buf.u16(this.vtable + vo);
    if (off === 0) return 0;
    if (off >= this.tableSize) this.buf.fail(`field ${slot} outside its table`, this.pos);
    return this.pos + off;
  }

  has(slot: number): boolean { return this.field(slot) !== 0; }
  int8(slot: number, dflt = 0): number { const p = this.field(slot); return p ? this.buf.i8(p) : dflt; }
  uint8(slot: number, dflt = 0): number { const p = this.field(slot); return p ? this.buf.u8(p) : dflt; }
  int32(slot: number, dflt = 0): number { const p = this.field(slot); return p ? this.buf.i32(p) : dflt; }
  int64(slot: number, dflt = 0n): bigint { const p = this.field(slot); return p ? this.buf.i64(p) : dflt; }
  /** Inline struct field: its absolute position, or 0. */
  struct(slot: number): number { return this.field(slot); }

  string(slot: number): string | null {
    const p = this.field(slot);
    return p ? readString(this.buf, this.buf.deref(p)) : null;
  }

  table(slot: number): Table | null {
    const p = this.field(slot);
    return p ? new Table(this.buf, this.buf.deref(p)) : null;
  }

  /** A vector's element count and the absolute start of its elements, or null when absent. */
  vector(slot: number, elemSize: number): { start: number; length: number } | null {
    const p = this.field(slot);
    if (!p) return null;
    const at = this.buf.deref(p);
    const length = this.buf.u32(at);
    this.buf.need(at + 4, length * elemSize);
    this.buf.starts.push(at);
    return { start: at + 4, length };
  }

  tables(slot: number): Table[] {
    const v = this.vector(slot, 4);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => new Table(this.buf, this.buf.deref(v.start + 4 * i)));
  }

  strings(slot: number): string[] {
    const v = this.vector(slot, 4);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => readString(this.buf, this.buf.deref(v.start + 4 * i)));
  }

  int64s(slot: number): bigint[] {
    const v = this.vector(slot, 8);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => this.buf.i64(v.start + 8 * i));
  }

  /** int64 vector as numbers (exact below 2^53, which covers dims and exponents). */
  numbers64(slot: number): number[] {
    return this.int64s(slot).map(Number);
  }

  int32s(slot: number): number[] {
    const v = this.vector(slot, 4);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => this.buf.i32(v.start + 4 * i));
  }

  float32s(slot: number): number[] {
    const v = this.vector(slot, 4);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => this.buf.f32(v.start + 4 * i));
  }

  float64s(slot: number): number[] {
    const v = this.vector(slot, 8);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => this.buf.f64(v.start + 8 * i));
  }

  /** The bytes of a [ubyte] vector (a view, no copy). */
  bytes(slot: number, elemSize = 1): Uint8Array | null {
    const v = this.vector(slot, elemSize);
    return v ? this.buf.bytes.subarray(v.start, v.start + v.length * elemSize) : null;
  }
}

function readString(buf: CheckedBuffer, at: number): string {
  const length = buf.u32(at);
  buf.need(at + 4, length);
  buf.starts.push(at);
  return utf8.decode(buf.bytes.subarray(at + 4, at + 4 + length));
}
