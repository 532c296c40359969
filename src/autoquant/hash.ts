/**
 * The candidate hash (resume key), byte-compatible with ESP-PPQ
 * (esp_ppq/autoquant/interface.py::_strategy_hash):
 *   sha1(json.dumps({"strategy": {m: value}, "params": {m: params minus collecting_device}}, sort_keys=True))
 */
import { dumps } from './py-json.js';
import { isPyDict, type PyDict, type PyValue } from './py-value.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { SampledParams, Strategy } from './space.js';

/** Dropped from the hash because ESP-PPQ overwrites it with the run's device (resume across devices). */
const HASH_IGNORED_PARAM_KEYS: ReadonlySet<string> = new Set(['collecting_device']);

/** `{module: switch}` as ESP-PPQ records it (`{k: v["value"]}`). */
export function strategyValues(strategy: Strategy): Record<string, boolean> {
  return Object.fromEntries(Object.entries(strategy).map(([k, v]) => [k, v.value]));
}

/**
 * The exact text ESP-PPQ hashes. `values` is the `{module: switch}` map (a summary record's `strategy`),
 * `params` the sampled params (a record's `params`), or null for a strategy-only hash (fast-mode early-stop log).
 */
export function hashPayload(values: PyDict, params: PyDict | null): string {
  const payload: PyDict = { strategy: values };
  if (params !== null) {
    const p: PyDict = {};
    for (const [module, v] of Object.entries(params)) {
      p[module] = isPyDict(v)
        ? Object.fromEntries(Object.entries(v).filter(([k]) => !HASH_IGNORED_PARAM_KEYS.has(k)))
        : (v as PyValue);
    }
    payload.params = p;
  }
  return dumps(payload, { sortKeys: true });
}

/** 40 lowercase hex chars; identical to ESP-PPQ's for the same strategy/params (ASCII payload → UTF-8 = bytes). */
export function candidateHash(values: PyDict, params: PyDict | null): string {
  return bytesToHex(sha1(new TextEncoder().encode(hashPayload(values, params))));
}

/** `candidateHash` of an expanded strategy and one of its samples. */
export function strategyHash(strategy: Strategy, params: SampledParams | null): string {
  return candidateHash(strategyValues(strategy), params);
}
