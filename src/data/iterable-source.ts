/**
 * A DataSource over a user's data loader (the library API's `calibDataloader`, like a PyTorch DataLoader):
 * an array or re-iterable of batches, or a function returning a fresh (async) iterable per pass. Each batch is a
 * Tensor (single-input models) or a record of tensors by input name, with the batch as the first dimension.
 * The loader decides the batch size, as ESP-PPQ's DataLoader does.
 */
import { InputError } from '../errors.js';
import type { Tensor } from '../ir/tensor.js';
import type { DataSource } from './source.js';

export type Batch = Tensor | Record<string, Tensor>;
export type DataLoader = Iterable<Batch> | AsyncIterable<Batch> | (() => Iterable<Batch> | AsyncIterable<Batch>);

const isTensor = (b: Batch): b is Tensor => 'dtype' in b && 'dims' in b && 'data' in b;

function freshIterable(loader: DataLoader): Iterable<Batch> | AsyncIterable<Batch> {
  if (typeof loader === 'function') return loader();
  const it = (Symbol.asyncIterator in loader ? loader[Symbol.asyncIterator]() : (loader as Iterable<Batch>)[Symbol.iterator]()) as object;
  if (it === loader) {
    throw new InputError('calibDataloader is a one-shot iterator (a generator object); pass an array or a function that returns a new iterable, because calibration reads the data more than once');
  }
  return loader;
}

export function loaderDataSource(loader: DataLoader, inputNames: readonly string[], count = NaN): DataSource {
  freshIterable(loader);
  return {
    count,
    files: [],
    async *batches() {
      for await (const b of freshIterable(loader) as AsyncIterable<Batch>) {
        if (isTensor(b)) {
          if (inputNames.length !== 1) throw new InputError(`the model has ${inputNames.length} inputs: give batches as { ${inputNames.join(', ')} }`);
          yield { [inputNames[0]!]: b };
        } else {
          const missing = inputNames.filter((n) => !(n in b));
          if (missing.length > 0) throw new InputError(`a calibration batch lacks model input(s) ${missing.join(', ')}`);
          yield b;
        }
      }
    },
  };
}
