import { describe, expect, it } from 'vitest';
import { keptInMemory } from '../../../src/data/cached-source.js';
import { memoryDataSource } from '../../../src/data/memory-source.js';
import type { DataSource } from '../../../src/data/source.js';

/** A source over 10 samples of 4 floats that counts the batches it reads. */
function counting(): { source: DataSource; reads: () => number } {
  const inner = memoryDataSource({ x: { dtype: 'float32', dims: [10, 4], data: Float32Array.from({ length: 40 }, (_, i) => i) } });
  let reads = 0;
  return {
    reads: () => reads,
    source: { count: 10, files: ['x.npy'], async *batches(n) { for await (const b of inner.batches(n)) { reads++; yield b; } } },
  };
}

async function firsts(source: DataSource, batchSize: number, stopAfter = Infinity): Promise<number[]> {
  const out: number[] = [];
  for await (const b of source.batches(batchSize)) {
    out.push((b.x!.data as Float32Array)[0]!);
    if (out.length >= stopAfter) break;
  }
  return out;
}

describe('keptInMemory', () => {
  it('reads small data once per batch size, and serves the same batches after', async () => {
    const { source, reads } = counting();
    const kept = keptInMemory(source, 1024);
    expect(await firsts(kept, 4)).toEqual([0, 16, 32]);
    expect(reads()).toBe(3);
    expect(await firsts(kept, 4)).toEqual([0, 16, 32]);
    expect(await firsts(kept, 4)).toEqual([0, 16, 32]);
    expect(reads()).toBe(3);
    expect(await firsts(kept, 8)).toEqual([0, 32]);
    expect(reads()).toBe(5);
    expect(kept.count).toBe(10);
    expect(kept.files).toEqual(['x.npy']);
  });

  it('keeps the part an early stop read, and reads the rest the next time', async () => {
    const { source, reads } = counting();
    const kept = keptInMemory(source, 1024);
    expect(await firsts(kept, 2, 2)).toEqual([0, 8]);
    expect(reads()).toBe(2);
    expect(await firsts(kept, 2)).toEqual([0, 8, 16, 24, 32]);
    expect(await firsts(kept, 2)).toEqual([0, 8, 16, 24, 32]);
    // The second pass re-read the two kept batches to reach the third (no seek), the third pass read nothing.
    expect(reads()).toBe(7);
  });

  it('streams data larger than the budget every time', async () => {
    const { source, reads } = counting();
    const kept = keptInMemory(source, 100); // 160 bytes of samples
    expect(await firsts(kept, 4)).toEqual([0, 16, 32]);
    expect(await firsts(kept, 4)).toEqual([0, 16, 32]);
    expect(reads()).toBe(6);
  });
});
