/** NumPy `.npz` archives: a zip of `.npy` members (stored or deflated), read with fflate. */
import { unzipSync } from 'fflate';
import { InputError } from '../errors.js';
import type { Tensor } from '../ir/tensor.js';
import { parseNpy } from './npy.js';

/** Member name without the `.npy` suffix (what `numpy.load(...)[key]` uses) → tensor, in archive order. */
export function parseNpz(bytes: Uint8Array, source = 'the input'): Map<string, Tensor> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (err) {
    throw new InputError(`${source} is not a valid .npz (zip) file: ${(err as Error).message}`, { cause: err });
  }
  const out = new Map<string, Tensor>();
  for (const [name, member] of Object.entries(files)) {
    if (name.endsWith('/')) continue;
    const key = name.endsWith('.npy') ? name.slice(0, -4) : name;
    out.set(key, parseNpy(member, `${source} member '${name}'`));
  }
  return out;
}
