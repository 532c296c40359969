/**
 * ESP-IDF partition tables: the binary format the bootloader reads and the CSV users write.
 *
 * Format (ESP-IDF components/partition_table/gen_esp32part.py, version 1.5; implemented from its
 * description, not copied):
 * - a sequence of 32-byte little-endian entries `<2sBBLL16sL`: magic `AA 50` (u16 0x50AA), type u8,
 *   subtype u8, offset u32, size u32, name 16 bytes (UTF-8, NUL-padded, not necessarily NUL-terminated),
 *   flags u32 (bit 0 encrypted, bit 1 readonly);
 * - then, unless disabled, an MD5 entry: `EB EB` + 14 × `FF` + MD5 of all preceding entry bytes;
 * - then `FF` padding up to 0xC00 bytes (the rest of the 4 KiB sector is left for a signature); a 32-byte
 *   all-`FF` row ends the table when reading.
 * CSV: `name, type, subtype, offset, size, flags`; empty offsets continue after the previous partition,
 * aligned to 64 KiB for `app` and 4 KiB otherwise, the first one after the table (table offset + 0x1000);
 * numbers accept 0x…, decimal and K/M suffixes (×1024).
 */
import { InputError } from '../errors.js';

export interface PartitionEntry {
  readonly name: string;
  readonly type: number;
  readonly subtype: number;
  readonly offset: number;
  readonly size: number;
  readonly encrypted: boolean;
  readonly readonly: boolean;
}

/** Computes MD5 (16 bytes); injected so the core stays free of node:crypto. */
export type Md5 = (data: Uint8Array) => Uint8Array;

export const PARTITION_TABLE_MAX_LENGTH = 0xc00;
export const PARTITION_TABLE_SECTOR = 0x1000;
export const DEFAULT_PARTITION_TABLE_OFFSET = 0x8000;

export const PARTITION_TYPES = { app: 0x00, data: 0x01, bootloader: 0x02, partition_table: 0x03 } as const;

const OTA_APP_SUBTYPES = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`ota_${i}`, 0x10 + i]));

/** Subtype keywords per type (esp_partition_subtype_t). */
export const PARTITION_SUBTYPES: Readonly<Record<number, Readonly<Record<string, number>>>> = {
  0x00: { factory: 0x00, test: 0x20, ...OTA_APP_SUBTYPES, tee_0: 0x30, tee_1: 0x31 },
  0x01: {
    ota: 0x00, phy: 0x01, nvs: 0x02, coredump: 0x03, nvs_keys: 0x04, efuse: 0x05, undefined: 0x06,
    esphttpd: 0x80, fat: 0x81, spiffs: 0x82, littlefs: 0x83, tee_ota: 0x90,
  },
  0x02: { primary: 0x00, ota: 0x01, recovery: 0x02 },
  0x03: { primary: 0x00, ota: 0x01 },
};

const ENTRY = 32;
const FLAG_ENCRYPTED = 1;
const FLAG_READONLY = 2;

/** Parses a binary table (as read from flash or partition-table.bin). Verifies the MD5 entry if present. */
export function parsePartitionTable(bytes: Uint8Array, md5: Md5): PartitionEntry[] {
  const out: PartitionEntry[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + ENTRY <= bytes.length; at += ENTRY) {
    const row = bytes.subarray(at, at + ENTRY);
    if (row.every((b) => b === 0xff)) return out;
    if (row[0] === 0xeb && row[1] === 0xeb) {
      const want = md5(bytes.subarray(0, at));
      if (!row.subarray(16).every((b, i) => b === want[i])) throw new InputError(`partition table: MD5 entry at byte ${at} does not match the entries before it`);
      continue;
    }
    if (row[0] !== 0xaa || row[1] !== 0x50) throw new InputError(`partition table: bad magic ${hex2(row[0])}${hex2(row[1])} at byte ${at} (expected AA50)`);
    const nameBytes = row.subarray(12, 28);
    const end = nameBytes.indexOf(0);
    const flags = view.getUint32(at + 28, true);
    out.push({
      name: new TextDecoder().decode(end >= 0 ? nameBytes.subarray(0, end) : nameBytes),
      type: row[2], subtype: row[3], offset: view.getUint32(at + 4, true), size: view.getUint32(at + 8, true),
      encrypted: (flags & FLAG_ENCRYPTED) !== 0, readonly: (flags & FLAG_READONLY) !== 0,
    });
  }
  throw new InputError('partition table: no end-of-table marker (32 × 0xFF) found');
}

/** Serialises entries (with the MD5 entry unless `withMd5` is false), padded with 0xFF to 0xC00 bytes. */
export function generatePartitionTable(entries: readonly PartitionEntry[], md5: Md5, withMd5 = true): Uint8Array {
  const used = entries.length * ENTRY + (withMd5 ? ENTRY : 0);
  if (used >= PARTITION_TABLE_MAX_LENGTH) throw new InputError(`partition table: ${entries.length} entries do not fit in 0xC00 bytes`);
  const out = new Uint8Array(PARTITION_TABLE_MAX_LENGTH).fill(0xff);
  const view = new DataView(out.buffer);
  entries.forEach((e, i) => {
    const at = i * ENTRY;
    const name = new TextEncoder().encode(e.name);
    if (name.length > 16) throw new InputError(`partition "${e.name}": name longer than 16 bytes`);
    out.set([0xaa, 0x50, e.type, e.subtype], at);
    view.setUint32(at + 4, e.offset, true);
    view.setUint32(at + 8, e.size, true);
    out.fill(0, at + 12, at + 28);
    out.set(name, at + 12);
    view.setUint32(at + 28, (e.encrypted ? FLAG_ENCRYPTED : 0) | (e.readonly ? FLAG_READONLY : 0), true);
  });
  if (withMd5) {
    const at = entries.length * ENTRY;
    out.set([0xeb, 0xeb], at);
    out.set(md5(out.subarray(0, at)), at + 16);
  }
  return out;
}

/** Parses a partition CSV the way gen_esp32part does (offsets filled in, sizes resolved). */
export function partitionTableFromCsv(csv: string, tableOffset = DEFAULT_PARTITION_TABLE_OFFSET): PartitionEntry[] {
  const rows = csv.split(/\r?\n/).map((l, i) => ({ line: l.trim(), no: i + 1 })).filter((r) => r.line !== '' && !r.line.startsWith('#'));
  let lastEnd = tableOffset + PARTITION_TABLE_SECTOR;
  return rows.map(({ line, no }) => {
    const f = `${line},,,,`.split(',').map((s) => s.trim());
    const where = `partition CSV line ${no}`;
    if (f[1] === '') throw new InputError(`${where}: the type field is empty`);
    const type = parseCsvInt(f[1], where, PARTITION_TYPES);
    if (f[2] === '' && type === PARTITION_TYPES.app) throw new InputError(`${where}: an app partition needs a subtype`);
    const subtype = f[2] === '' ? 0x06 : parseCsvInt(f[2], where, PARTITION_SUBTYPES[type] ?? {});
    if (f[4] === '') throw new InputError(`${where}: the size field is empty`);
    let size = parseCsvInt(f[4], where);
    const flags = f[5] === '' ? [] : f[5].split(':');
    for (const flag of flags) if (flag !== 'encrypted' && flag !== 'readonly') throw new InputError(`${where}: unknown flag "${flag}"`);
    const primary = (type === PARTITION_TYPES.bootloader || type === PARTITION_TYPES.partition_table) && subtype === 0;
    let offset = f[3] === '' ? undefined : parseCsvInt(f[3], where);
    if (!primary) {
      if (offset !== undefined && offset < lastEnd) throw new InputError(`${where}: offset 0x${offset.toString(16)} overlaps the previous partition (ends 0x${lastEnd.toString(16)})`);
      if (offset === undefined) {
        const align = type === PARTITION_TYPES.app ? 0x10000 : 0x1000;
        offset = Math.ceil(lastEnd / align) * align;
      }
      if (size < 0) size = -size - offset;
      lastEnd = offset + size;
    }
    if (offset === undefined) throw new InputError(`${where}: the ${f[0]} partition needs an explicit offset`);
    return { name: f[0], type, subtype, offset, size, encrypted: flags.includes('encrypted'), readonly: flags.includes('readonly') };
  });
}

/** The partition of that name; InputError listing the names when absent. */
export function findPartition(entries: readonly PartitionEntry[], name: string): PartitionEntry {
  const p = entries.find((e) => e.name === name);
  if (!p) throw new InputError(`no partition named "${name}" in the partition table (has: ${entries.map((e) => e.name).join(', ')})`);
  return p;
}

function parseCsvInt(text: string, where: string, keywords: Readonly<Record<string, number>> = {}): number {
  const m = /^(-?(?:0x[0-9a-f]+|0o?[0-7]+|0b[01]+|\d+))([km]?)$/i.exec(text);
  if (m) {
    const mult = { '': 1, k: 1024, m: 1024 * 1024 }[m[2].toLowerCase() as '' | 'k' | 'm'];
    const neg = m[1].startsWith('-');
    const body = neg ? m[1].slice(1) : m[1];
    const v = /^0[0-7]+$/.test(body) ? Number.NaN : Number(body);
    if (Number.isFinite(v)) return (neg ? -v : v) * mult;
  }
  const kw = keywords[text.toLowerCase()];
  if (kw !== undefined) return kw;
  throw new InputError(`${where}: "${text}" is not a number${Object.keys(keywords).length ? ` or one of ${Object.keys(keywords).join(', ')}` : ''}`);
}

function hex2(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}
