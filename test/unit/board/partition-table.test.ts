import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { findPartition, parsePartitionTable } from '../../../src/board/partition-table.js';
import { generatePartitionTable, partitionTableFromCsv } from '../../helpers/partition-table.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const md5 = (d: Uint8Array): Uint8Array => new Uint8Array(createHash('md5').update(d).digest());
// Expected binaries: built by fixtures/make-partition-vectors.py (Python struct + hashlib), see its header.
const vector = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(__dirname, 'fixtures', name)));
const firmwareCsv = readFileSync(path.join(REPO_ROOT, 'runner/firmware/partitions.csv'), 'utf8');

const P4_CSV = `# Name, Type, SubType, Offset, Size, Flags
nvs,      data, nvs,     ,  0x6000,
factory,  app,  factory, ,  2000K,
model_partition1, data, spiffs, , 4000K, encrypted:readonly
`;

describe('partition tables', () => {
  it('CSV → binary of the firmware table equals the gen_esp32part layout byte for byte', () => {
    const entries = partitionTableFromCsv(firmwareCsv);
    expect(entries.map((e) => [e.name, e.offset, e.size])).toEqual([
      ['nvs', 0x9000, 0x6000], ['phy_init', 0xf000, 0x1000], ['factory', 0x10000, 0x200000], ['model', 0x210000, 0x500000],
    ]);
    expect(generatePartitionTable(entries, md5)).toEqual(vector('partitions-firmware.bin'));
    expect(generatePartitionTable(entries, md5, false)).toEqual(vector('partitions-firmware-nomd5.bin'));
  });

  it('handles a table offset of 0x9000, flags and a 16-byte name without NUL', () => {
    const entries = partitionTableFromCsv(P4_CSV, 0x9000);
    expect(generatePartitionTable(entries, md5)).toEqual(vector('partitions-p4-0x9000.bin'));
    expect(entries[2]).toEqual({ name: 'model_partition1', type: 1, subtype: 0x82, offset: 0x204000, size: 4000 * 1024, encrypted: true, readonly: true });
  });

  it('parses the binaries back, with or without the MD5 entry', () => {
    const parsed = parsePartitionTable(vector('partitions-p4-0x9000.bin'), md5);
    expect(parsed).toEqual(partitionTableFromCsv(P4_CSV, 0x9000));
    expect(findPartition(parsePartitionTable(vector('partitions-firmware-nomd5.bin'), md5), 'model').offset).toBe(0x210000);
  });

  it('reads a table from a 4 KiB flash sector dump (0xFF after the table)', () => {
    const sector = new Uint8Array(0x1000).fill(0xff);
    sector.set(vector('partitions-firmware.bin'));
    expect(parsePartitionTable(sector, md5)).toHaveLength(4);
  });

  it('rejects a corrupted table', () => {
    const bad = vector('partitions-firmware.bin').slice();
    bad[4] ^= 1;
    expect(() => parsePartitionTable(bad, md5)).toThrow(/MD5 entry at byte 128 does not match/);
    const badMagic = vector('partitions-firmware.bin').slice();
    badMagic[32] = 0x12;
    expect(() => parsePartitionTable(badMagic, md5)).toThrow(/bad magic 1250 at byte 32/);
    expect(() => parsePartitionTable(vector('partitions-firmware.bin').subarray(0, 128), md5)).toThrow(/end-of-table/);
  });

  it('reports CSV errors with the line', () => {
    expect(() => partitionTableFromCsv('nvs, data, nvs, 0x8000, 0x1000')).toThrow(/line 1: offset 0x8000 overlaps/);
    expect(() => partitionTableFromCsv('x, app, , , 1M')).toThrow(InputError);
    expect(() => partitionTableFromCsv('x, data, spiffs, , 12Q')).toThrow(/"12Q" is not a number/);
    expect(() => findPartition([], 'model')).toThrow(/no partition named "model"/);
  });
});
