/**
 * A whole-flash image for QEMU (`-drive file=…,if=mtd,format=raw`): every part at its offset, the rest
 * 0xFF (erased flash), padded to 2, 4, 8 or 16 MB — the only sizes Espressif's QEMU accepts. Equivalent to
 * `esptool merge_bin --fill-flash-size <N>MB @flash_args` (what `idf.py qemu` and pytest-embedded do).
 */
import { InputError } from '../errors.js';
import { findPartition, type PartitionEntry } from './partition-table.js';

export const MB = 1024 * 1024;
/** Flash sizes QEMU (esp32, esp32s3, esp32c3) accepts. */
export const QEMU_FLASH_SIZES = [2 * MB, 4 * MB, 8 * MB, 16 * MB] as const;

export interface ImagePart {
  /** For error messages: the file or partition name. */
  readonly name: string;
  readonly offset: number;
  readonly data: Uint8Array;
}

/**
 * Parses a flash size as written in flasher_args.json / sdkconfig ('4MB', '16MB'); undefined for
 * 'keep'/'detect' (then the smallest size that fits is used).
 */
export function parseFlashSize(text: string): number | undefined {
  if (text === 'keep' || text === 'detect') return undefined;
  const m = /^(\d+)MB$/i.exec(text.trim());
  if (!m) throw new InputError(`flash size "${text}": expected e.g. 4MB, 8MB, keep or detect`);
  return Number(m[1]) * MB;
}

/**
 * Composes the image. `size` undefined → the smallest QEMU size that holds every part. Throws InputError
 * when parts overlap or do not fit, or the size is not one QEMU accepts.
 */
export function composeFlashImage(parts: readonly ImagePart[], size?: number): Uint8Array {
  const sorted = [...parts].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (sorted[i].offset < prev.offset + prev.data.length) {
      throw new InputError(`flash image: ${sorted[i].name} at 0x${sorted[i].offset.toString(16)} overlaps ${prev.name} (0x${prev.offset.toString(16)}–0x${(prev.offset + prev.data.length).toString(16)})`);
    }
  }
  const end = sorted.reduce((m, p) => Math.max(m, p.offset + p.data.length), 0);
  const total = size ?? QEMU_FLASH_SIZES.find((s) => s >= end);
  if (total === undefined) throw new InputError(`flash image: the parts end at 0x${end.toString(16)}, beyond 16 MB`);
  if (!(QEMU_FLASH_SIZES as readonly number[]).includes(total)) throw new InputError(`flash image: ${total} bytes is not 2, 4, 8 or 16 MB`);
  if (end > total) throw new InputError(`flash image: the parts end at 0x${end.toString(16)}, beyond the ${total / MB} MB flash`);
  const image = new Uint8Array(total).fill(0xff);
  for (const p of sorted) image.set(p.data, p.offset);
  return image;
}

/** The image part that puts `data` (an .espdl or PDL3 pack) into the named partition; checks it fits. */
export function partitionPart(table: readonly PartitionEntry[], name: string, data: Uint8Array, label: string): ImagePart {
  const p = findPartition(table, name);
  if (data.length > p.size) throw new InputError(`${label}: ${data.length} bytes do not fit the "${name}" partition (${p.size} bytes at 0x${p.offset.toString(16)})`);
  return { name: label, offset: p.offset, data };
}
