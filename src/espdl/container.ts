/**
 * The `.espdl` container layer (docs/esp-dl.md §1.2; esp-dl/fbs_loader/include/fbs_loader.hpp, fbs_loader.cpp,
 * pack_espdl_models.py): single models EDL1/EDL2 and packages PDL1/PDL2/PDL3. All integers little-endian.
 */
import { InputError } from '../errors.js';
import { sha256, toHex } from './crypto.js';

export type EspdlFormat = 'EDL1' | 'EDL2' | 'PDL1' | 'PDL2' | 'PDL3';

export interface ModelHeader {
  magic: 'EDL1' | 'EDL2';
  /** 0 = plain, 1 = AES-128-CTR encrypted payload. */
  mode: number;
  /** Byte length of the FlatBuffer (or ciphertext) that follows the header. */
  length: number;
  /** The EDL2 padding word (0 in every known file); null for EDL1, which has none. */
  pad: number | null;
}

export interface ContainerModel {
  /** Package entry name (the sub-model's file name, e.g. `a.espdl`); absent for single-model files. */
  name?: string;
  header: ModelHeader;
  /** The FlatBuffer (or ciphertext), a view into the file bytes. */
  payload: Uint8Array;
  /** Absolute file offset of `payload`. */
  offset: number;
}

export interface PackageInfo {
  /** PDL3 package_version string (NULs stripped). */
  version: string;
  /** package_size field. */
  size: number;
  /** package_sha256 field, lowercase hex. */
  sha256: string;
  /** Whether SHA-256 over the package with that field zeroed equals the field. */
  sha256Ok: boolean;
}

export interface ParsedContainer {
  format: EspdlFormat;
  models: ContainerModel[];
  /** PDL3 only. */
  package?: PackageInfo;
}

const MAGICS: readonly EspdlFormat[] = ['EDL1', 'EDL2', 'PDL1', 'PDL2', 'PDL3'];
/** PDL3 header: magic 4 + version 16 + size 4 + sha256 32 + model_num 4 (pack_espdl_models.py). */
export const PDL3_HEADER_BYTES = 60;
export const PDL3_SHA_OFFSET = 24;

function u32(bytes: Uint8Array, pos: number, what: string, field: string): number {
  if (pos + 4 > bytes.byteLength) {
    throw new InputError(`${what}: truncated file: ${field} at byte ${pos} needs 4 bytes, the file has ${bytes.byteLength}`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getUint32(0, true);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/**
 * Splits a `.espdl` file into its models. `what` names the file in error messages.
 * @throws InputError for an unknown magic, a truncated header, or a length/offset beyond the file.
 */
export function parseContainer(bytes: Uint8Array, what = 'file'): ParsedContainer {
  if (bytes.byteLength < 4) throw new InputError(`${what}: truncated file: ${bytes.byteLength} bytes, no magic at byte 0`);
  const magic = ascii(bytes, 0, 4);
  const format = MAGICS.find((m) => m === magic);
  if (!format) {
    throw new InputError(`${what}: unknown magic ${JSON.stringify(magic)} at byte 0 (expected EDL2, EDL1, PDL1, PDL2 or PDL3): not an .espdl file`);
  }
  if (format === 'EDL1' || format === 'EDL2') return { format, models: [readModel(bytes, 0, format, what)] };
  if (format === 'PDL3') return readPdl3(bytes, what);
  const count = u32(bytes, 4, what, 'model_num');
  const inner = format === 'PDL1' ? 'EDL1' : 'EDL2';
  return { format, models: readEntries(bytes, 8, count, inner, what) };
}

/** One EDL1/EDL2 record at `at` (EDL1: 12-byte header; EDL2: 16 bytes with a pad word). */
function readModel(bytes: Uint8Array, at: number, expect: 'EDL1' | 'EDL2', what: string): ContainerModel {
  const magic = ascii(bytes, at, at + 4);
  if (magic !== expect) throw new InputError(`${what}: expected a ${expect} model at byte ${at}, found ${JSON.stringify(magic)}`);
  const mode = u32(bytes, at + 4, what, 'mode');
  const length = u32(bytes, at + 8, what, 'length');
  const pad = expect === 'EDL2' ? u32(bytes, at + 12, what, 'padding') : null;
  if (mode !== 0 && mode !== 1) throw new InputError(`${what}: bad mode ${mode} at byte ${at + 4} (0 plain, 1 encrypted)`);
  const offset = at + (expect === 'EDL2' ? 16 : 12);
  if (offset + length > bytes.byteLength) {
    throw new InputError(
      `${what}: truncated file: the model length ${length} at byte ${at + 8} runs to byte ${offset + length}, beyond the end of the ${bytes.byteLength}-byte file`,
    );
  }
  return { header: { magic: expect, mode, length, pad }, payload: bytes.subarray(offset, offset + length), offset };
}

function readEntries(bytes: Uint8Array, at: number, count: number, inner: 'EDL1' | 'EDL2', what: string): ContainerModel[] {
  if (at + 12 * count > bytes.byteLength) {
    throw new InputError(`${what}: truncated file: ${count} package entries at byte ${at} run beyond the ${bytes.byteLength}-byte file`);
  }
  const models: ContainerModel[] = [];
  for (let i = 0; i < count; i++) {
    const e = at + 12 * i;
    const dataOffset = u32(bytes, e, what, 'data_offset');
    const nameOffset = u32(bytes, e + 4, what, 'name_offset');
    const nameLength = u32(bytes, e + 8, what, 'name_length');
    if (nameOffset + nameLength > bytes.byteLength) {
      throw new InputError(`${what}: package entry ${i} name (byte ${nameOffset}, ${nameLength} bytes) is beyond the end of the file`);
    }
    if (dataOffset + 4 > bytes.byteLength) {
      throw new InputError(`${what}: package entry ${i} data offset ${dataOffset} (entry at byte ${e}) is beyond the end of the file`);
    }
    const name = new TextDecoder('utf-8').decode(bytes.subarray(nameOffset, nameOffset + nameLength));
    models.push({ name, ...readModel(bytes, dataOffset, inner, `${what} [${name}]`) });
  }
  return models;
}

function readPdl3(bytes: Uint8Array, what: string): ParsedContainer {
  if (bytes.byteLength < PDL3_HEADER_BYTES) {
    throw new InputError(`${what}: truncated file: a PDL3 header needs ${PDL3_HEADER_BYTES} bytes, the file has ${bytes.byteLength}`);
  }
  const version = ascii(bytes, 4, 20).replace(/\0+$/, '');
  const size = u32(bytes, 20, what, 'package_size');
  const stored = bytes.slice(PDL3_SHA_OFFSET, PDL3_SHA_OFFSET + 32);
  if (size > bytes.byteLength) {
    throw new InputError(`${what}: truncated file: package_size ${size} at byte 20 is beyond the end of the ${bytes.byteLength}-byte file`);
  }
  const count = u32(bytes, 56, what, 'model_num');
  const models = readEntries(bytes, PDL3_HEADER_BYTES, count, 'EDL2', what);
  const hex = toHex(stored);
  return { format: 'PDL3', models, package: { version, size, sha256: hex, sha256Ok: hex === pdl3Sha256Hex(bytes.subarray(0, size)) } };
}

/** SHA-256 of a PDL3 package with its 32-byte checksum field zeroed (pack_espdl_models.py rule), as hex. */
export function pdl3Sha256Hex(pkg: Uint8Array): string {
  const copy = pkg.slice();
  copy.fill(0, PDL3_SHA_OFFSET, PDL3_SHA_OFFSET + 32);
  return toHex(sha256(copy));
}

/**
 * Wraps a FlatBuffer (or its ciphertext) in the 16-byte EDL2 header: "EDL2", mode (1 if encrypted),
 * length, 0 (esp-ppq helper.py::save). A payload whose length is not a multiple of 16 is zero-padded
 * first (trailing zeros do not change a FlatBuffer; esp-ppq's buffers are already multiples of 16).
 */
export function writeEdl2(flatbuffer: Uint8Array, encrypted: boolean): Uint8Array {
  const length = Math.ceil(flatbuffer.byteLength / 16) * 16;
  const out = new Uint8Array(16 + length);
  out.set([0x45, 0x44, 0x4c, 0x32]);
  const view = new DataView(out.buffer);
  view.setUint32(4, encrypted ? 1 : 0, true);
  view.setUint32(8, length, true);
  out.set(flatbuffer, 16);
  return out;
}
