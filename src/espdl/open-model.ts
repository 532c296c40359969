/**
 * From container entry to decoded model: decrypts when the header says so (AES-128-CTR with ESP-DL's fixed
 * counter block, docs/esp-dl.md §1.2 "Encryption") and decodes the FlatBuffer. A wrong key yields random bytes,
 * so the decrypted buffer must decode as a sane Model (root in range, graph present) or it is rejected.
 */
import { InputError } from '../errors.js';
import type { ContainerModel } from './container.js';
import { checkAesKey, ESPDL_AES_IV, type AesCtr } from './crypto.js';
import { readEspdlModel, type EspdlModelView } from './read.js';

export interface KeyOptions {
  /** 16-byte AES key for encrypted models (mode 1). */
  key?: Uint8Array;
  /** AES-128-CTR implementation (src/node/espdl-crypto.ts `nodeAesCtr`); needed only with `key`. */
  aes?: AesCtr;
}

/** AES-128-CTR over an EDL2 payload with ESP-DL's IV (encryption and decryption are the same operation). */
export function cryptPayload(key: Uint8Array, payload: Uint8Array, aes: AesCtr): Uint8Array {
  return aes(checkAesKey(key), ESPDL_AES_IV, payload);
}

/** The plain FlatBuffer of a container entry, decrypting it if needed. */
export function plainPayload(model: ContainerModel, what: string, opts: KeyOptions = {}): Uint8Array {
  if (model.header.mode !== 1) return model.payload;
  if (!opts.key) throw new InputError(`${what}: the model is encrypted (mode 1): pass its 16-byte AES key (--key HEX)`);
  if (!opts.aes) throw new InputError(`${what}: the model is encrypted but no AES implementation was provided`);
  return cryptPayload(opts.key, model.payload, opts.aes);
}

/**
 * Decodes a container entry into a model view.
 * @throws InputError "wrong key or corrupt encrypted model" when decryption does not give a sane Model.
 */
export function readContainerModel(model: ContainerModel, what: string, opts: KeyOptions = {}): EspdlModelView {
  const payload = plainPayload(model, what, opts);
  if (model.header.mode !== 1) return readEspdlModel(payload, what);
  try {
    return readEspdlModel(payload, what);
  } catch (err) {
    throw new InputError(`${what}: wrong key or corrupt encrypted model: the decrypted data is not a valid ESP-DL model`, { cause: err });
  }
}
