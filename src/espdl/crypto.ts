/**
 * Hashes and the AES seam for `.espdl` files, without node:crypto (core must stay platform-free):
 * SHA-1 (the canonical view's `raw_sha1`) and SHA-256 (PDL3 package checksum, inspector digests) are
 * implemented here; AES-128-CTR is injected (`AesCtr`, node adapter in src/node/espdl-crypto.ts).
 */
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

/** Parses a 32-hex-digit key (optionally `0x`-prefixed, `:`/space/comma separated as esp-ppq logs it). */
export function parseHexKey(text: string): Uint8Array {
  const hex = text.replace(/0x/gi, '').replace(/[\s,:]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new InputError(`--key must be 16 bytes as 32 hex digits, got "${text}"`);
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Message padding shared by SHA-1 and SHA-256 (big-endian bit length). */
function padMessage(data: Uint8Array): DataView {
  const total = Math.ceil((data.byteLength + 9) / 64) * 64;
  const buf = new Uint8Array(total);
  buf.set(data);
  buf[data.byteLength] = 0x80;
  const view = new DataView(buf.buffer);
  const bits = data.byteLength * 8;
  view.setUint32(total - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(total - 4, bits >>> 0);
  return view;
}

function digestBytes(h: Uint32Array): Uint8Array {
  const out = new Uint8Array(h.length * 4);
  const view = new DataView(out.buffer);
  h.forEach((w, i) => view.setUint32(4 * i, w));
  return out;
}

/** SHA-1 (FIPS 180-4) of `data`, as 20 bytes. */
export function sha1(data: Uint8Array): Uint8Array {
  const m = padMessage(data);
  const h = Uint32Array.of(0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0);
  const w = new Uint32Array(80);
  for (let off = 0; off < m.byteLength; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = m.getUint32(off + 4 * i);
    for (let i = 16; i < 80; i++) { const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]; w[i] = (x << 1) | (x >>> 31); }
    let [a, b, c, d, e] = h;
    for (let i = 0; i < 80; i++) {
      const f = i < 20 ? (b & c) | (~b & d) : i < 40 ? b ^ c ^ d : i < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
      const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6;
      const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) >>> 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
  }
  return digestBytes(h);
}

const K256 = Uint32Array.of(
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
);

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/** SHA-256 (FIPS 180-4) of `data`, as 32 bytes. */
export function sha256(data: Uint8Array): Uint8Array {
  const m = padMessage(data);
  const h = Uint32Array.of(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19);
  const w = new Uint32Array(64);
  for (let off = 0; off < m.byteLength; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = m.getUint32(off + 4 * i);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
  return digestBytes(h);
}
