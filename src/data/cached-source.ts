/**
 * A DataSource that keeps what it has read. Calibration, analysis and training iterate the same data many times
 * per quantization (and a search quantizes many times), so small data is read from its files once; data larger
 * than the budget is streamed every time, as before (memory stays flat in the number of samples).
 */
import type { Tensor } from '../ir/tensor.js';
import type { DataSource } from './source.js';

type Batch = Record<string, Tensor>;

interface Kept {
  batches: Batch[];
  /** The source's batches all fit: later iterations never read the source. */
  complete: boolean;
}

const bytesOf = (batch: Batch): number => Object.values(batch).reduce((s, t) => s + (t.data as ArrayBufferView).byteLength, 0);

/** Keeps the batches of `source` (per batch size asked for) while all of them together fit in `maxBytes`. */
export function keptInMemory(source: DataSource, maxBytes: number): DataSource {
  const kept = new Map<number, Kept>();
  let bytes = 0;
  let tooLarge = false;
  // An iteration that starts while another one is filling the memory just streams.
  let filling = false;

  async function* fill(entry: Kept, batchSize: number): AsyncGenerator<Batch> {
    yield* entry.batches;
    let index = 0;
    for await (const batch of source.batches(batchSize)) {
      // The batches served from memory are read again to reach the next ones (sources cannot seek).
      if (index++ < entry.batches.length) continue;
      if (!tooLarge) {
        bytes += bytesOf(batch);
        if (bytes > maxBytes) { tooLarge = true; kept.clear(); } else entry.batches.push(batch);
      }
      yield batch;
    }
    if (!tooLarge) entry.complete = true;
  }

  return {
    count: source.count,
    files: source.files,
    async *batches(batchSize: number) {
      const entry = kept.get(batchSize);
      if (entry?.complete) { yield* entry.batches; return; }
      if (tooLarge || filling) { yield* source.batches(batchSize); return; }
      const filled = entry ?? { batches: [], complete: false };
      kept.set(batchSize, filled);
      filling = true;
      try {
        yield* fill(filled, batchSize);
      } finally {
        filling = false;
      }
    },
  };
}
