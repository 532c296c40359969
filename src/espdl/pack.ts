/**
 * PDL3 multi-model packages, byte-compatible with esp-dl/fbs_loader/pack_espdl_models.py `pack_models_pdl3`
 * (docs/esp-dl.md §1.2): 60-byte header (magic, 16-byte version, package_size, SHA-256 with its own field zeroed,
 * model_num), 12-byte entries {data_offset, name_offset, name_length}, the names (no NUL), zero padding to
 * 16, then each EDL2 sub-model zero-padded to a multiple of 16. Only EDL2 sub-models are accepted.
 */
import { InputError } from '../errors.js';
import { parseContainer, PDL3_HEADER_BYTES, PDL3_SHA_OFFSET } from './container.js';
import { sha256 as pureSha256 } from './crypto.js';

export interface NamedModel {
  /** Entry name: the sub-model's file name including `.espdl` (what `FbsLoader::load(name)` matches). */
  name: string;
  /** The whole single-model EDL2 file. */
  bytes: Uint8Array;
}

const pad16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * Packs EDL2 models into one PDL3 file, sorted by name as the pack tool sorts its inputs (the model index on
 * the device is the position in that order).
 * @param version package_version, ASCII, at most 15 characters (default "v1.0" like the tool).
 * @param sha256 SHA-256 implementation (default: pure TS).
 */
export function packPdl3(models: NamedModel[], version = 'v1.0', sha256: (d: Uint8Array) => Uint8Array = pureSha256): Uint8Array {
  if (models.length === 0) throw new InputError('pack: no models given');
  if (!/^[\x20-\x7e]{0,15}$/.test(version)) throw new InputError(`pack: package version "${version}" must be at most 15 ASCII characters`);
  const sorted = [...models].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const enc = new TextEncoder();
  const names = sorted.map((m) => enc.encode(m.name));
  sorted.forEach((m, i) => {
    if (i > 0 && m.name === sorted[i - 1].name) throw new InputError(`pack: two models are named ${m.name}`);
    const c = parseContainer(m.bytes, m.name);
    if (c.format !== 'EDL2') throw new InputError(`pack: ${m.name}: PDL3 only supports EDL2 sub-models (this is ${c.format})`);
  });
  const nameStart = PDL3_HEADER_BYTES + 12 * sorted.length;
  const namesEnd = nameStart + names.reduce((s, n) => s + n.byteLength, 0);
  const dataOffsets: number[] = [];
  let at = pad16(namesEnd);
  for (const m of sorted) {
    dataOffsets.push(at);
    at += pad16(m.bytes.byteLength);
  }
  const out = new Uint8Array(at);
  const view = new DataView(out.buffer);
  out.set(enc.encode('PDL3'));
  out.set(enc.encode(version), 4);
  view.setUint32(20, out.byteLength, true);
  view.setUint32(56, sorted.length, true);
  let nameAt = nameStart;
  sorted.forEach((m, i) => {
    const e = PDL3_HEADER_BYTES + 12 * i;
    view.setUint32(e, dataOffsets[i], true);
    view.setUint32(e + 4, nameAt, true);
    view.setUint32(e + 8, names[i].byteLength, true);
    out.set(names[i], nameAt);
    nameAt += names[i].byteLength;
    out.set(m.bytes, dataOffsets[i]);
  });
  out.set(sha256(out), PDL3_SHA_OFFSET); // computed while the field is still zero
  return out;
}

/** The models of a package (PDL1/2/3) as single-model files (header + payload, package padding dropped). */
export function unpack(pkg: Uint8Array, what = 'package'): { version: string | null; models: NamedModel[] } {
  const c = parseContainer(pkg, what);
  if (!c.format.startsWith('PDL')) throw new InputError(`${what}: not a package (${c.format} is a single model)`);
  if (c.package && !c.package.sha256Ok) throw new InputError(`${what}: PDL3 package SHA-256 does not match its contents (corrupt file)`);
  const models = c.models.map((m, i) => {
    const headerBytes = m.header.magic === 'EDL2' ? 16 : 12;
    return { name: m.name ?? `model_${i}.espdl`, bytes: pkg.slice(m.offset - headerBytes, m.offset + m.header.length) };
  });
  return { version: c.package?.version ?? null, models };
}
