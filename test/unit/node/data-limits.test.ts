/**
 * Resource limits on data files (issue 14): an .npz costs only the members the model uses (an unused one is not
 * even inflated), a deflated member is capped by its declared size and a size limit checked before inflating,
 * stored members are range-read from disk, and a search space's size is checked before it is expanded.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/autoquant/settings.js';
import { expandStrategies, MAX_SEARCH_SPACE } from '../../../src/autoquant/space.js';
import { encodeNpy } from '../../helpers/npy.js';
import { listNpz, readNpzArray } from '../../../src/data/npz.js';
import { bytesAccess, type RandomAccess } from '../../../src/data/zip.js';
import { InputError } from '../../../src/errors.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import { openDataSource } from '../../../src/node/data-files.js';

const dir = mkdtempSync(path.join(tmpdir(), 'data-limits-'));
const x: Tensor = { dtype: 'float32', dims: [4, 3], data: Float32Array.from({ length: 12 }, (_, i) => i / 4) };
const IN = [{ name: 'x', dims: [1, 3] }];

/** Replaces the data of member `name` (deflated) by garbage of the same length, keeping the directory intact. */
function corruptMember(zip: Uint8Array, name: string): Uint8Array {
  const out = zip.slice();
  const at = Buffer.from(out).indexOf(Buffer.from(name));
  for (let i = at + name.length; i < at + name.length + 40; i++) out[i] = 0xff;
  return out;
}

async function values(file: string): Promise<number[]> {
  const src = await openDataSource(file, IN);
  const got: number[] = [];
  for await (const b of src.batches(3)) got.push(...(b.x!.data as Float32Array));
  return got;
}

describe('.npz members', () => {
  it('an unused member is never inflated: a broken one does not matter', async () => {
    const zip = zipSync({ 'x.npy': [encodeNpy(x), { level: 0 }], 'junk.npy': [new Uint8Array(1 << 20), { level: 9 }] });
    const file = path.join(dir, 'unused.npz');
    writeFileSync(file, corruptMember(zip, 'junk.npy'));
    expect(await values(file)).toEqual([...(x.data as Float32Array)]);
  });

  it('reads only the directory and the member asked for', async () => {
    let seed = 1;
    const noise = Uint8Array.from({ length: 1 << 16 }, () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24);
    const zip = zipSync({ 'x.npy': [encodeNpy(x), { level: 6 }], 'big.npy': [noise, { level: 1 }] });
    const inner = bytesAccess(zip);
    let read = 0;
    const counting: RandomAccess = { size: inner.size, read: async (p, l) => { read += l; return inner.read(p, l); } };
    const members = await listNpz(counting, 'a.npz');
    expect(members.map((m) => m.key)).toEqual(['x', 'big']);
    const t = await readNpzArray(counting, members[0]!, 'a.npz');
    expect([...(t.data as Float32Array)]).toEqual([...(x.data as Float32Array)]);
    const bigCompressed = members[1]!.entry.compressedSize;
    expect(bigCompressed).toBeGreaterThan(10_000);
    expect(read).toBeLessThan(zip.byteLength - bigCompressed);
  });

  it('a member larger than the cap is refused before inflating; one that inflates past its declared size stops there', async () => {
    const zip = zipSync({ 'x.npy': [encodeNpy(x), { level: 6 }] });
    const [m] = await listNpz(bytesAccess(zip), 'c.npz');
    await expect(readNpzArray(bytesAccess(zip), m!, 'c.npz', 64)).rejects.toThrow(/c\.npz member 'x\.npy' holds 176 bytes uncompressed; at most 64 are read into memory/);
    // A lying directory: declares 100 bytes for 176 of data (central directory uncompressed size at +24).
    const lying = zip.slice();
    const cd = Buffer.from(lying).lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    new DataView(lying.buffer).setUint32(cd + 24, 100, true);
    const [l] = await listNpz(bytesAccess(lying), 'l.npz');
    await expect(readNpzArray(bytesAccess(lying), l!, 'l.npz')).rejects.toThrow(/inflates to more than its declared 100 bytes/);
  });

  it('stored members are read by range, deflated ones inflated; both give the same samples', async () => {
    for (const level of [0, 9] as const) {
      const file = path.join(dir, `level${level}.npz`);
      writeFileSync(file, zipSync({ 'x.npy': [encodeNpy(x), { level }] }));
      expect(await values(file)).toEqual([...(x.data as Float32Array)]);
    }
  });

  it('a corrupt member fails its CRC check', async () => {
    const zip = zipSync({ 'x.npy': [encodeNpy(x), { level: 0 }] });
    const bad = zip.slice();
    bad[Buffer.from(bad).indexOf(Buffer.from('x.npy')) + 5 + 130] ^= 1;
    const [m] = await listNpz(bytesAccess(bad), 'b.npz');
    await expect(readNpzArray(bytesAccess(bad), m!, 'b.npz')).rejects.toThrow(/fails its CRC check/);
  });
});

describe('search space sizes', () => {
  it('two {range} knobs of 10^6 values each are refused by their product, before anything is expanded', () => {
    const text = 'strategy_space: {weight_equalization: [true]}\nparam_space:\n  weight_equalization:\n' +
      '    value_threshold: {range: [0.000001, 1.0, 0.000001]}\n    iterations: {range: [1, 1000000, 1]}\n';
    const s = loadSettings(text, 'big.yml');
    const err = (() => { try { expandStrategies(s.strategy_space, s.param_space); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`param_space.weight_equalization has 1,000,000,000,000 combinations; at most ${MAX_SEARCH_SPACE.toLocaleString('en-US')} are searched: use coarser steps or fewer values`);
  });

  it('a long strategy_space list product is refused too; spaces at the limit still expand', () => {
    const many = `[${Array(200).fill('false').join(', ')}]`;
    const s = loadSettings(`strategy_space: {mixed_precision: ${many}, weight_equalization: ${many}}\n`, 's.yml');
    expect(() => expandStrategies(s.strategy_space, s.param_space)).toThrow(/strategy_space has 40,000 combinations/);
    const ok = loadSettings('strategy_space: {weight_equalization: [true]}\nparam_space:\n  weight_equalization:\n    value_threshold: {range: [0.0001, 1.0, 0.0001]}\n', 'ok.yml');
    expect(expandStrategies(ok.strategy_space, ok.param_space)[0]!['weight_equalization']!.paramCandidates).toHaveLength(MAX_SEARCH_SPACE);
  });
});
