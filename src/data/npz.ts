/**
 * NumPy `.npz` archives: a zip of `.npy` members (stored or deflated). Read through zip.ts, so only the members
 * asked for are touched: a stored member can be read by byte range like a `.npy` file (never copied whole), a
 * deflated one is inflated in memory up to a cap checked before inflating.
 */
import { InputError } from '../errors.js';
import type { Tensor } from '../ir/tensor.js';
import { npyHeaderSize, parseNpy, parseNpyHeader, type NpyHeader } from './npy.js';
import { bytesAccess, memberDataOffset, readMember, readZipDirectory, type RandomAccess, type ZipEntry } from './zip.js';

/** Largest deflated member inflated into memory (larger arrays: save uncompressed, they are then range-read). */
export const MAX_INFLATED_MEMBER_BYTES = 2 ** 31 - 1;

/** One array of an archive: its key (member name without `.npy`, what `numpy.load(...)[key]` uses). */
export interface NpzMember { key: string; entry: ZipEntry }

/** The arrays of an archive, in archive order, without reading any of them. */
export async function listNpz(src: RandomAccess, source: string): Promise<NpzMember[]> {
  const entries = await readZipDirectory(src, source);
  return entries.filter((e) => !e.name.endsWith('/')).map((entry) => ({ key: entry.name.endsWith('.npy') ? entry.name.slice(0, -4) : entry.name, entry }));
}

/** A stored member's `.npy` header and the archive offset of its first element (for range reads), else undefined. */
export async function storedNpyLayout(src: RandomAccess, m: NpzMember, source: string): Promise<{ header: NpyHeader; dataStart: number } | undefined> {
  if (m.entry.method !== 0) return undefined;
  const where = `${source} member '${m.entry.name}'`;
  const start = await memberDataOffset(src, m.entry, source);
  const size = npyHeaderSize(await src.read(start, Math.min(12, m.entry.size)), where);
  if (size > m.entry.size) throw new InputError(`${where} is truncated inside its .npy header`);
  const header = parseNpyHeader(await src.read(start, size), where);
  return { header, dataStart: start + header.dataOffset };
}

/** Reads one array into memory. */
export async function readNpzArray(src: RandomAccess, m: NpzMember, source: string, maxBytes = MAX_INFLATED_MEMBER_BYTES): Promise<Tensor> {
  const bytes = await readMember(src, m.entry, source, maxBytes);
  return parseNpy(bytes, `${source} member '${m.entry.name}'`);
}

/** Every array of an in-memory archive (tools and tests; data files use listNpz + readNpzArray). */
export async function parseNpz(bytes: Uint8Array, source = 'the input'): Promise<Map<string, Tensor>> {
  const src = bytesAccess(bytes);
  const out = new Map<string, Tensor>();
  for (const m of await listNpz(src, source)) out.set(m.key, await readNpzArray(src, m, source));
  return out;
}
