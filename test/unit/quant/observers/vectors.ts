/**
 * Loads test/fixtures/torch/vectors.json (made by test/fixtures/torch/make-vectors.py with torch 1.13) and
 * regenerates its input tensors: the same xorshift32 → exact-float32 construction as the script's `gen`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../helpers/paths.js';

// The vectors file is read as loose JSON; each test picks the fields it knows.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function loadVectors(): Json {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/torch/vectors.json'), 'utf8'));
}

export function gen(seed: number, n: number, kind: string, shift = 0): Float32Array {
  let x = seed >>> 0;
  const next = (): number => {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    return x;
  };
  const out = new Float32Array(n);
  const mul = Math.fround(2 ** (shift - 22));
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < 4; k++) s += next() >>> 10;
    out[i] = Math.fround((s - (1 << 23)) * mul);
  }
  if (kind === 'relu') for (let i = 0; i < n; i++) out[i] = Math.max(out[i]!, 0);
  if (kind === 'cube') for (let i = 0; i < n; i++) out[i] = Math.fround(Math.fround(out[i]! * out[i]!) * out[i]!);
  if (kind === 'spiky' || kind === 'spiky-relu') {
    for (let i = 0; i < n; i += 499) out[i] = Math.fround(out[i]! * 32);
    if (kind === 'spiky-relu') for (let i = 0; i < n; i++) out[i] = Math.max(out[i]!, 0);
  }
  return out;
}
