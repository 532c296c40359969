/**
 * Hashes and the AES seam for `.espdl` files, without node:crypto (core must stay platform-free): SHA-1 and
 * SHA-256 come from @noble/hashes (audited, pure JS); AES-128-CTR is injected (`AesCtr`, node adapter in
 * src/node/espdl-crypto.ts).
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { InputError } from '../errors.js';

/** AES-128-CTR: encrypts or decrypts `data` (the same operation) with a 16-byte key and counter block. */
export type AesCtr = (key: Uint8Array, iv: Uint8Array, data: Uint8Array) => Uint8Array;

/** ESP-DL's fixed initial counter block 0x10..0x1F (fbs_loader.cpp nonce; esp-ppq helper.py iv=range(16,32)). */
export const ESPDL_AES_IV: Readonly<Uint8Array> = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);

/** Checks an AES-128 key (16 bytes) and returns it. */
export function checkAesKey(key: Uint8Array): Uint8Array {
  if (key.byteLength !== 16) throw new InputError(`the AES key must be 16 bytes (32 hex digits), got ${key.byteLength}`);
  return key;
}

/**
 * Parses a 32-hex-digit key (optionally `0x`-prefixed, `:`/space/comma separated as esp-ppq logs it). `name` is
 * how the user gave it (the flag). The message never repeats the text: a near-miss key is still a secret.
 */
export function parseHexKey(text: string, name = '--key'): Uint8Array {
  const hex = text.replace(/0x/gi, '').replace(/[\s,:]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
    const what = /^[0-9a-fA-F]*$/.test(hex) ? `${hex.length} hex digits` : 'characters that are not hex digits';
    throw new InputError(`${name} must be an AES-128 key of 16 bytes written as 32 hex digits; the value given has ${what} (not shown)`);
  }
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

/** Lowercase hex of bytes. */
export const toHex: (bytes: Uint8Array) => string = bytesToHex;

/** SHA-1 (the canonical view's `raw_sha1`, ESP-PPQ's candidate hash) and SHA-256 (PDL3 checksum), as bytes. */
export { sha1 } from '@noble/hashes/legacy.js';
export { sha256 } from '@noble/hashes/sha2.js';
