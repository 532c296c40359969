/** A DataSource over tensors already in memory (library API, tests, the search's reference batches). */
import type { Tensor } from '../ir/tensor.js';
import { numel } from '../ir/tensor.js';
import type { DataSource } from './source.js';

/**
 * Samples from in-memory tensors, one per model input, each [N, ...sample dims]. Batches are views
 * (subarrays), so iterating costs no copies.
 */
export function memoryDataSource(inputs: Readonly<Record<string, Tensor>>, opts: { limit?: number } = {}): DataSource {
  const entries = Object.entries(inputs);
  const total = Math.min(...entries.map(([, t]) => t.dims[0] ?? 0));
  const count = Math.min(total, opts.limit ?? total);
  return {
    count,
    files: [],
    async *batches(batchSize: number) {
      for (let start = 0; start < count; start += batchSize) {
        const end = Math.min(count, start + batchSize);
        const batch: Record<string, Tensor> = {};
        for (const [name, t] of entries) {
          const per = numel(t.dims.slice(1));
          batch[name] = { dtype: t.dtype, dims: [end - start, ...t.dims.slice(1)], data: (t.data as Float32Array).subarray(start * per, end * per) };
        }
        yield batch;
      }
    },
  };
}
