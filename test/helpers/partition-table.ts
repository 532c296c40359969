/**
 * Making ESP-IDF partition tables for tests (the product only reads them: src/board/partition-table.ts): the
 * binary form gen_esp32part.py writes and its CSV reading.
 */
import {
  DEFAULT_PARTITION_TABLE_OFFSET, PARTITION_ENTRY, PARTITION_FLAGS, PARTITION_SUBTYPES, PARTITION_TABLE_MAX_LENGTH,
  PARTITION_TABLE_SECTOR, PARTITION_TYPES, type Md5, type PartitionEntry,
} from '../../src/board/partition-table.js';
import { InputError } from '../../src/errors.js';

/** Serialises entries (with the MD5 entry unless `withMd5` is false), padded with 0xFF to 0xC00 bytes. */
export function generatePartitionTable(entries: readonly PartitionEntry[], md5: Md5, withMd5 = true): Uint8Array {
  const used = entries.length * PARTITION_ENTRY + (withMd5 ? PARTITION_ENTRY : 0);
  if (used >= PARTITION_TABLE_MAX_LENGTH) throw new InputError(`partition table: ${entries.length} entries do not fit in 0xC00 bytes`);
  const out = new Uint8Array(PARTITION_TABLE_MAX_LENGTH).fill(0xff);
  const view = new DataView(out.buffer);
  entries.forEach((e, i) => {
    const at = i * PARTITION_ENTRY;
    const name = new TextEncoder().encode(e.name);
    if (name.length > 16) throw new InputError(`partition "${e.name}": name longer than 16 bytes`);
    out.set([0xaa, 0x50, e.type, e.subtype], at);
    view.setUint32(at + 4, e.offset, true);
    view.setUint32(at + 8, e.size, true);
    out.fill(0, at + 12, at + 28);
    out.set(name, at + 12);
    view.setUint32(at + 28, (e.encrypted ? PARTITION_FLAGS.encrypted : 0) | (e.readonly ? PARTITION_FLAGS.readonly : 0), true);
  });
  if (withMd5) {
    const at = entries.length * PARTITION_ENTRY;
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
