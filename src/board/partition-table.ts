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

/** Bytes per table row; row flag bits (gen_esp32part.py). */
export const PARTITION_ENTRY = 32;
export const PARTITION_FLAGS = { encrypted: 1, readonly: 2 } as const;

/** Parses a binary table (as read from flash or partition-table.bin). Verifies the MD5 entry if present. */
export function parsePartitionTable(bytes: Uint8Array, md5: Md5): PartitionEntry[] {
  const out: PartitionEntry[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + PARTITION_ENTRY <= bytes.length; at += PARTITION_ENTRY) {
    const row = bytes.subarray(at, at + PARTITION_ENTRY);
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
      encrypted: (flags & PARTITION_FLAGS.encrypted) !== 0, readonly: (flags & PARTITION_FLAGS.readonly) !== 0,
    });
  }
  throw new InputError('partition table: no end-of-table marker (32 × 0xFF) found');
}

/** The partition of that name; InputError listing the names when absent. */
export function findPartition(entries: readonly PartitionEntry[], name: string): PartitionEntry {
  const p = entries.find((e) => e.name === name);
  if (!p) throw new InputError(`no partition named "${name}" in the partition table (has: ${entries.map((e) => e.name).join(', ')})`);
  return p;
}

function hex2(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}
