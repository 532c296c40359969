import { describe, expect, it } from 'vitest';
import { createCipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseHexKey, sha1, sha256, toHex } from '../../../src/espdl/crypto.js';
import { canonicalView } from '../../../src/espdl/canonical.js';
import {
  decryptEspdlFile, decryptPayload, encryptEspdlFile, encryptPayload, nodeAesCtr,
} from '../../../src/node/espdl-crypto.js';
import { InputError } from '../../../src/errors.js';
import { fixture } from '../../helpers/paths.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

/** Independent CTR: AES-ECB of the counter blocks 0x10..0x1F, +1 per block (big-endian), XOR. */
function referenceCtr(key: Uint8Array, data: Uint8Array): Uint8Array {
  const ecb = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  const counter = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);
  const out = new Uint8Array(data.byteLength);
  for (let off = 0; off < data.byteLength; off += 16) {
    const ks = ecb.update(counter);
    for (let i = 0; i < 16 && off + i < data.byteLength; i++) out[off + i] = data[off + i] ^ ks[i];
    for (let i = 15; i >= 0; i--) if (++counter[i] <= 0xff) break; else counter[i] = 0;
  }
  return out;
}

describe('hashes', () => {
  it('sha1/sha256 agree with node:crypto on edge lengths', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 1000]) {
      const d = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 255);
      expect(toHex(sha1(d))).toBe(createHash('sha1').update(d).digest('hex'));
      expect(toHex(sha256(d))).toBe(createHash('sha256').update(d).digest('hex'));
    }
    expect(toHex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('AES-128-CTR encryption of .espdl payloads', () => {
  const key = hex('2b7e151628aed2a6abf7158809cf4f3c');
  const file = new Uint8Array(readFileSync(fixture('espdl', 'examples_tutorial_how_to_run_model_main_models_p4_model.espdl')));

  it('nodeAesCtr passes NIST SP 800-38A F.5.1', () => {
    const iv = hex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
    const ct = nodeAesCtr(key, iv, hex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51'));
    expect(toHex(ct)).toBe('874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff');
  });

  it('uses the fixed IV 0x10..0x1F over the payload only; mode word 1; decrypt restores the bytes', () => {
    const payload = file.subarray(16);
    const enc = encryptPayload(key, payload);
    expect(toHex(enc)).toBe(toHex(referenceCtr(key, payload)));
    expect(decryptPayload(key, enc)).toEqual(payload);
    const encFile = encryptEspdlFile(file, key);
    expect(encFile.byteLength).toBe(file.byteLength);
    expect(Array.from(encFile.subarray(0, 16))).toEqual([0x45, 0x44, 0x4c, 0x32, 1, 0, 0, 0, ...file.subarray(8, 12), 0, 0, 0, 0]);
    expect(toHex(encFile.subarray(16))).toBe(toHex(referenceCtr(key, payload)));
    expect(toHex(decryptEspdlFile(encFile, key))).toBe(toHex(file));
    const view = canonicalView(encFile, { key, aes: nodeAesCtr }) as { header: { encrypted: number }; graph_name: string };
    expect(view.header.encrypted).toBe(1);
    expect(view.graph_name).toBe('torch_jit');
  });

  it('a wrong or missing key is an InputError', () => {
    const encFile = encryptEspdlFile(file, key);
    const wrong = parseHexKey('00112233445566778899aabbccddeeff');
    expect(() => decryptEspdlFile(encFile, wrong, 'm.espdl')).toThrow(/m\.espdl: wrong key or corrupt encrypted model/);
    expect(() => canonicalView(encFile, { key: wrong, aes: nodeAesCtr, what: 'm.espdl' })).toThrow(/wrong key/);
    expect(() => canonicalView(encFile, { what: 'm.espdl' })).toThrow(/encrypted .*--key/);
    expect(() => parseHexKey('abcd')).toThrow(InputError);
    expect(Array.from(parseHexKey('0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c'))).toEqual(Array.from(key));
  });
});
