import { mkdtempSync, rmSync, openSync, closeSync, ftruncateSync, writeSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import { recordingLogger } from '../../fakes/recording-logger.js';
import { encodeNpy } from '../../helpers/npy.js';
import { openDataSource } from '../../../src/node/data-files.js';
import { fixture } from '../../helpers/paths.js';

const IN = [{ name: 'x', dims: [1, 1, 2, 2] }];

/** Sample i of a test array has every value = i + j/10 (j = element index), so order is checkable. */
function array(n: number, sample: number[], dtype: 'float32' | 'float64' | 'int32' = 'float32', first = 0): Tensor {
  const per = sample.reduce((a, b) => a * b, 1);
  const data = dtype === 'float32' ? new Float32Array(n * per) : dtype === 'float64' ? new Float64Array(n * per) : new Int32Array(n * per);
  for (let i = 0; i < n; i++) for (let j = 0; j < per; j++) data[i * per + j] = dtype === 'int32' ? i : first + i + j / 10;
  return { dtype, dims: [n, ...sample], data };
}

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'data-files-'));
}

function save(dir: string, name: string, t: Tensor): string {
  const f = path.join(dir, name);
  writeFileSync(f, encodeNpy(t));
  return f;
}

async function collect(src: { batches(b: number): AsyncIterable<Record<string, Tensor>> }, b: number, name = 'x') {
  const out: { dims: readonly number[]; first: number[] }[] = [];
  for await (const batch of src.batches(b)) {
    const t = batch[name]!;
    const per = t.dims.slice(1).reduce((a, c) => a * c, 1);
    out.push({ dims: t.dims, first: Array.from({ length: t.dims[0]! }, (_, i) => Math.fround((t.data as Float32Array)[i * per]!)) });
  }
  return out;
}

describe('openDataSource', () => {
  it('streams a .npy in batches with a partial last batch', async () => {
    const f = save(tmp(), 'a.npy', array(5, [1, 2, 2]));
    const src = await openDataSource(f, IN);
    expect([src.count, src.files]).toEqual([5, [f]]);
    expect(await collect(src, 2)).toEqual([
      { dims: [2, 1, 2, 2], first: [0, 1] }, { dims: [2, 1, 2, 2], first: [2, 3] }, { dims: [1, 1, 2, 2], first: [4] },
    ]);
    // Second pass works too, and values inside a sample keep their order.
    for await (const b of src.batches(5)) expect([...(b.x!.data as Float32Array).subarray(4, 8)]).toEqual([1, 1.1, 1.2, 1.3].map(Math.fround));
  });

  it('accepts [N, 1, C, H, W] (per-sample shape incl. batch 1) and a limit', async () => {
    const f = save(tmp(), 'a.npy', array(4, [1, 1, 2, 2]));
    const src = await openDataSource(f, IN, { limit: 3 });
    expect(src.count).toBe(3);
    expect(await collect(src, 8)).toEqual([{ dims: [3, 1, 2, 2], first: [0, 1, 2] }]);
  });

  it('concatenates a folder of .npy sorted by name, batches spanning files', async () => {
    const dir = tmp();
    save(dir, 'b.npy', array(2, [1, 2, 2], 'float32', 10));
    save(dir, 'a.npy', array(3, [1, 2, 2], 'float32', 0));
    save(dir, 'c.npy', array(1, [1, 2, 2], 'float32', 20));
    writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    const src = await openDataSource(dir, IN);
    expect(src.files.map((f) => path.basename(f))).toEqual(['a.npy', 'b.npy', 'c.npy']);
    expect(await collect(src, 4)).toEqual([{ dims: [4, 1, 2, 2], first: [0, 1, 2, 10] }, { dims: [2, 1, 2, 2], first: [11, 20] }]);
  });

  it('converts float64 to float32 and warns', async () => {
    const log = recordingLogger();
    const f = save(tmp(), 'd.npy', array(2, [1, 2, 2], 'float64'));
    const src = await openDataSource(f, IN, { logger: log });
    const [b] = await collect(src, 2);
    expect(b).toEqual({ dims: [2, 1, 2, 2], first: [0, 1] });
    expect(log.lines).toEqual([{ level: 'warn', message: `data file ${f} holds float64 values; converting to float32` }]);
  });

  it('rejects integer data, a shape mismatch, a missing file and an unknown extension', async () => {
    const dir = tmp();
    const i = save(dir, 'i.npy', array(2, [1, 2, 2], 'int32'));
    await expect(openDataSource(i, IN)).rejects.toThrow(new InputError(`data file ${i} holds int32 values; calibration data for float input 'x' must be float32 (or float64, which is converted)`));
    const s = save(dir, 's.npy', array(2, [3, 2, 2]));
    await expect(openDataSource(s, IN)).rejects.toThrow(new InputError(`data file ${s} has shape [2, 3, 2, 2], which does not fit model input 'x' of shape [1, 1, 2, 2]: expected [N, 1, 2, 2] (N samples)`));
    await expect(openDataSource(path.join(dir, 'none.npy'), IN)).rejects.toThrow(`data file not found: ${path.join(dir, 'none.npy')}`);
    writeFileSync(path.join(dir, 'x.csv'), '1,2');
    await expect(openDataSource(path.join(dir, 'x.csv'), IN)).rejects.toThrow(/expected a \.npy, a \.npz or a folder/);
    await expect(openDataSource(s, [...IN, { name: 'y', dims: [1, 3] }])).rejects.toThrow(/the model has 2 inputs \(x, y\); give a \.npz/);
  });

  it('NaN/Inf names the file and sample index when read', async () => {
    const dir = tmp();
    save(dir, 'a.npy', array(3, [1, 2, 2]));
    const bad = array(3, [1, 2, 2]);
    (bad.data as Float32Array)[2 * 4 + 1] = NaN;
    const b = save(dir, 'b.npy', bad);
    const src = await openDataSource(dir, IN);
    await expect(collect(src, 2)).rejects.toThrow(new InputError(`data file ${b}: sample 2 contains NaN (NaN/Inf are not allowed in calibration data)`));
  });

  it('.npz: single array, named arrays for several inputs, missing name', async () => {
    const dir = tmp();
    const one = path.join(dir, 'one.npz');
    writeFileSync(one, zipSync({ 'whatever.npy': encodeNpy(array(3, [1, 2, 2])) }));
    expect(await collect(await openDataSource(one, IN), 3)).toEqual([{ dims: [3, 1, 2, 2], first: [0, 1, 2] }]);
    const two = path.join(dir, 'two.npz');
    writeFileSync(two, zipSync({ 'x.npy': encodeNpy(array(2, [1, 2, 2])), 'y.npy': encodeNpy(array(2, [3], 'float32', 5)) }, { level: 6 }));
    const inputs = [...IN, { name: 'y', dims: [1, 3] }];
    const src = await openDataSource(two, inputs);
    const batches = [];
    for await (const b of src.batches(2)) batches.push([b.x!.dims, b.y!.dims, [...(b.y!.data as Float32Array)]]);
    expect(batches).toEqual([[[2, 1, 2, 2], [2, 3], [5, 5.1, 5.2, 6, 6.1, 6.2].map(Math.fround)]]);
    await expect(openDataSource(two, [...inputs, { name: 'z', dims: [1] }])).rejects.toThrow(`data file ${two} has no array named 'z' (it has: x, y); name each array after a model input`);
  });

  it('digits calib.npy: 64 samples in 8 batches of 8, values as in the file', async () => {
    const f = fixture('digits/calib.npy');
    const src = await openDataSource(f, [{ name: 'input', dims: [1, 1, 32, 32] }]);
    expect(src.count).toBe(64);
    const raw = readFileSync(f);
    let k = 0;
    for await (const b of src.batches(8)) {
      expect(b.input!.dims).toEqual([8, 1, 32, 32]);
      const d = b.input!.data as Float32Array;
      const want = raw.subarray(128 + k * 8 * 4096, 128 + (k + 1) * 8 * 4096);
      expect(Buffer.from(d.buffer, d.byteOffset, d.byteLength).equals(want)).toBe(true);
      k++;
    }
    expect(k).toBe(8);
  });

  it('does not load a big file whole (3 GB sparse .npy, only first batch read)', async () => {
    const dir = tmp();
    const f = path.join(dir, 'big.npy');
    const n = 3 * 1024 * 256; // samples of 4096 bytes → 3 GiB
    const header = encodeNpy({ dtype: 'float32', dims: [n, 1, 32, 32], data: new Float32Array(0) }).subarray(0, 128);
    const fd = openSync(f, 'w');
    writeSync(fd, header);
    ftruncateSync(fd, 128 + n * 4096);
    closeSync(fd);
    const src = await openDataSource(f, [{ name: 'input', dims: [1, 1, 32, 32] }]);
    expect(src.count).toBe(n);
    for await (const b of src.batches(4)) {
      expect(b.input!.dims).toEqual([4, 1, 32, 32]);
      break;
    }
    rmSync(dir, { recursive: true });
  });
});
