/**
 * A reader for the zip archives numpy writes (`.npz`: stored or deflated members, zip64 for large ones) that
 * reads the central directory first and then only the members asked for, through a RandomAccess (a file
 * handle in node/, bytes in tests): an unused member costs nothing, a stored member is never copied, and a
 * deflated member is inflated in a stream that stops at its declared size and at a caller's cap, so a small
 * archive cannot claim more memory than it says (APPNOTE.TXT 6.3: https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT).
 */
import { Inflate } from 'fflate';
import { InputError } from '../errors.js';

/** Reads byte ranges of an archive. */
export interface RandomAccess {
  readonly size: number;
  /** `length` bytes at `position` (fewer only at the end of the data). */
  read(position: number, length: number): Promise<Uint8Array>;
}

/** A RandomAccess over bytes in memory. */
export function bytesAccess(bytes: Uint8Array): RandomAccess {
  return { size: bytes.byteLength, read: async (pos, len) => bytes.subarray(pos, Math.min(bytes.byteLength, pos + len)) };
}

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** More members than any .npz holds; the directory is refused beyond this before it is walked. */
export const MAX_ZIP_ENTRIES = 65536;

function u64(v: DataView, off: number): number {
  const n = v.getBigUint64(off, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('zip64 field beyond 2^53');
  return Number(n);
}

async function exact(src: RandomAccess, pos: number, len: number, source: string, what: string): Promise<DataView> {
  if (pos < 0 || len < 0 || pos + len > src.size) throw new InputError(`${source} is not a valid .npz (zip) file: ${what} lies outside the file`);
  const b = await src.read(pos, len);
  if (b.byteLength !== len) throw new InputError(`${source} is not a valid .npz (zip) file: ${what} is truncated`);
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Locates the central directory: {offset, size, count} from the (zip64) end-of-central-directory record. */
async function directoryBounds(src: RandomAccess, source: string): Promise<{ offset: number; size: number; count: number }> {
  // numpy writes no archive comment: the record is then the last 22 bytes; else search the longest comment's reach.
  const short = src.size >= 22 ? await exact(src, src.size - 22, 22, source, 'the end of the archive') : undefined;
  const plain = short !== undefined && short.getUint32(0, true) === EOCD && short.getUint16(20, true) === 0;
  const tailLen = plain ? 22 : Math.min(src.size, 22 + 0xffff);
  const tail = plain ? short : await exact(src, src.size - tailLen, tailLen, source, 'the end of the archive');
  let at = -1;
  for (let i = tailLen - 22; i >= 0; i--) if (tail.getUint32(i, true) === EOCD) { at = i; break; }
  if (at < 0) throw new InputError(`${source} is not a valid .npz (zip) file: no end-of-central-directory record`);
  let count = tail.getUint16(at + 10, true);
  let size = tail.getUint32(at + 12, true);
  let offset = tail.getUint32(at + 16, true);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locAt = src.size - tailLen + at - 20;
    const loc = await exact(src, locAt, 20, source, 'the zip64 locator');
    if (loc.getUint32(0, true) !== ZIP64_LOCATOR) throw new InputError(`${source} is not a valid .npz (zip) file: zip64 locator missing`);
    const rec = await exact(src, u64(loc, 8), 56, source, 'the zip64 directory record');
    if (rec.getUint32(0, true) !== ZIP64_EOCD) throw new InputError(`${source} is not a valid .npz (zip) file: bad zip64 directory record`);
    count = u64(rec, 32);
    size = u64(rec, 40);
    offset = u64(rec, 48);
  }
  if (count > MAX_ZIP_ENTRIES) throw new InputError(`${source} lists ${count} members; at most ${MAX_ZIP_ENTRIES} are read`);
  return { offset, size, count };
}

/** Zip64 extra field (id 1): the 64-bit values of the fields that were 0xFFFFFFFF, in order. */
function applyZip64(extra: DataView, e: ZipEntry): void {
  for (let p = 0; p + 4 <= extra.byteLength;) {
    const id = extra.getUint16(p, true);
    const len = extra.getUint16(p + 2, true);
    if (id === 1) {
      let q = p + 4;
      const next = (): number => {
        if (q + 8 > p + 4 + len) throw new RangeError('short zip64 extra field');
        const v = u64(extra, q);
        q += 8;
        return v;
      };
      if (e.size === 0xffffffff) e.size = next();
      if (e.compressedSize === 0xffffffff) e.compressedSize = next();
      if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = next();
      return;
    }
    p += 4 + len;
  }
}

/** The archive's members, from its central directory (no member data is read). */
export async function readZipDirectory(src: RandomAccess, source: string): Promise<ZipEntry[]> {
  const { offset, size, count } = await directoryBounds(src, source);
  const dir = await exact(src, offset, size, source, 'the central directory');
  const out: ZipEntry[] = [];
  const names = new TextDecoder('utf-8', { fatal: false });
  let p = 0;
  try {
    for (let i = 0; i < count; i++) {
      if (dir.getUint32(p, true) !== CENTRAL) throw new RangeError(`member ${i} has no central directory header`);
      const nameLen = dir.getUint16(p + 28, true);
      const extraLen = dir.getUint16(p + 30, true);
      const commentLen = dir.getUint16(p + 32, true);
      const e: ZipEntry = {
        method: dir.getUint16(p + 10, true), crc32: dir.getUint32(p + 16, true), compressedSize: dir.getUint32(p + 20, true),
        size: dir.getUint32(p + 24, true), localHeaderOffset: dir.getUint32(p + 42, true),
        name: names.decode(new Uint8Array(dir.buffer, dir.byteOffset + p + 46, nameLen)),
      };
      applyZip64(new DataView(dir.buffer, dir.byteOffset + p + 46 + nameLen, extraLen), e);
      out.push(e);
      p += 46 + nameLen + extraLen + commentLen;
    }
  } catch (err) {
    if (err instanceof RangeError) throw new InputError(`${source} is not a valid .npz (zip) file: ${err.message}`, { cause: err });
    throw err;
  }
  return out;
}

/** Byte offset of a member's data (after its local header), checked to lie inside the archive. */
export async function memberDataOffset(src: RandomAccess, e: ZipEntry, source: string): Promise<number> {
  const h = await exact(src, e.localHeaderOffset, 30, source, `the header of member '${e.name}'`);
  if (h.getUint32(0, true) !== LOCAL) throw new InputError(`${source} is not a valid .npz (zip) file: member '${e.name}' has no local header`);
  const start = e.localHeaderOffset + 30 + h.getUint16(26, true) + h.getUint16(28, true);
  if (start + e.compressedSize > src.size) throw new InputError(`${source} is not a valid .npz (zip) file: member '${e.name}' is truncated`);
  return start;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (zip's). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const CHUNK = 1 << 16;

/**
 * A member's bytes in memory. `maxBytes` is checked against the declared size before anything is inflated;
 * inflating stops as soon as the output exceeds the declared size (a lying header), and the CRC is checked.
 */
export async function readMember(src: RandomAccess, e: ZipEntry, source: string, maxBytes: number): Promise<Uint8Array> {
  const where = `${source} member '${e.name}'`;
  if (e.size > maxBytes) {
    throw new InputError(`${where} holds ${e.size} bytes uncompressed; at most ${maxBytes} are read into memory ` +
      '(save it with numpy.savez instead of savez_compressed, or as .npy files, which are read from disk)');
  }
  if (e.method !== 0 && e.method !== 8) throw new InputError(`${where} uses zip compression method ${e.method}; numpy writes stored (0) or deflated (8)`);
  const start = await memberDataOffset(src, e, source);
  let out: Uint8Array;
  if (e.method === 0) {
    if (e.compressedSize !== e.size) throw new InputError(`${where}: stored member with different sizes (corrupt archive)`);
    const v = await exact(src, start, e.size, source, `member '${e.name}'`);
    out = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  } else {
    out = new Uint8Array(e.size);
    let filled = 0;
    let overflow = false;
    const inflate = new Inflate((chunk) => {
      if (filled + chunk.byteLength > out.byteLength) {
        overflow = true;
        throw new InputError(`${where} inflates to more than its declared ${e.size} bytes (corrupt or hostile archive)`);
      }
      out.set(chunk, filled);
      filled += chunk.byteLength;
    });
    try {
      for (let pos = 0; pos < e.compressedSize; pos += CHUNK) {
        const len = Math.min(CHUNK, e.compressedSize - pos);
        inflate.push(await src.read(start + pos, len), pos + len >= e.compressedSize);
      }
      if (e.compressedSize === 0) inflate.push(new Uint8Array(0), true);
    } catch (err) {
      if (overflow || err instanceof InputError) throw err;
      throw new InputError(`${where} does not inflate: ${(err as Error).message}`, { cause: err });
    }
    if (filled !== e.size) throw new InputError(`${where} inflates to ${filled} bytes, its header says ${e.size} (corrupt archive)`);
  }
  if (crc32(out) !== e.crc32) throw new InputError(`${where} fails its CRC check (corrupt archive)`);
  return out;
}
