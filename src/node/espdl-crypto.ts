/**
 * node:crypto adapters for `.espdl` encryption (docs/esp-dl.md §1.2 "Encryption"): AES-128-CTR over the
 * FlatBuffer payload only, fixed counter block 0x10..0x1F, header mode word 1. The core (src/espdl/) takes
 * the cipher as the `AesCtr` parameter; this module supplies it.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { InputError } from '../errors.js';
import { parseContainer, writeEdl2 } from '../espdl/container.js';
import type { AesCtr } from '../espdl/crypto.js';
import { cryptPayload, readContainerModel } from '../espdl/open-model.js';

/** AES-128-CTR via node:crypto (the counter block increments as a 128-bit big-endian integer, like mbedtls). */
export const nodeAesCtr: AesCtr = (key, iv, data) => {
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  const head = cipher.update(data);
  const tail = cipher.final();
  const out = new Uint8Array(head.byteLength + tail.byteLength);
  out.set(head);
  out.set(tail, head.byteLength);
  return out;
};

/** Encrypts an EDL2 payload (FlatBuffer) with ESP-DL's IV. */
export function encryptPayload(key: Uint8Array, payload: Uint8Array): Uint8Array {
  return cryptPayload(key, payload, nodeAesCtr);
}

/** Decrypts an EDL2 payload with ESP-DL's IV (no validity check: see decryptEspdlFile). */
export function decryptPayload(key: Uint8Array, payload: Uint8Array): Uint8Array {
  return cryptPayload(key, payload, nodeAesCtr);
}

/** A fresh random 16-byte key (esp-ppq uses random.getrandbits; any CSPRNG is better). */
export function randomAesKey(): Uint8Array {
  return new Uint8Array(randomBytes(16));
}

/** Turns a plain single-model EDL2 file into an encrypted one (mode 1, same length). */
export function encryptEspdlFile(fileBytes: Uint8Array, key: Uint8Array, what = 'file'): Uint8Array {
  const c = parseContainer(fileBytes, what);
  const m = c.models[0];
  if (c.format !== 'EDL2') throw new InputError(`${what}: only single EDL2 models can be encrypted (this is ${c.format})`);
  if (m.header.mode === 1) throw new InputError(`${what}: the model is already encrypted`);
  return writeEdl2(encryptPayload(key, m.payload), true);
}

/**
 * Turns an encrypted single-model EDL2 file back into a plain one.
 * @throws InputError "wrong key or corrupt encrypted model" when the key does not give a valid Model.
 */
export function decryptEspdlFile(fileBytes: Uint8Array, key: Uint8Array, what = 'file'): Uint8Array {
  const c = parseContainer(fileBytes, what);
  const m = c.models[0];
  if (c.format !== 'EDL2') throw new InputError(`${what}: only single EDL2 models can be decrypted (this is ${c.format})`);
  if (m.header.mode !== 1) throw new InputError(`${what}: the model is not encrypted`);
  readContainerModel(m, what, { key, aes: nodeAesCtr });
  return writeEdl2(decryptPayload(key, m.payload), false);
}
