/**
 * percentile observer (TorchPercentileObserver, esp_ppq/quantization/observer/range.py), per tensor only.
 * For every batch tensor of N elements (Python doubles, `int()` truncation):
 *   min_idx = int(N·(1 − 0.9999)), max_idx = int(N·0.9999)
 *   kLow = max(0, min_idx) + 1, kHigh = min(max_idx, N − 1) + 1        (1-based torch.kthvalue ranks)
 * then the float32 mean over batches of the per-batch [max, min] pairs (torch.cat(…).mean(dim=0): a float32
 * strided sum, then a float32 division) → minmax_to_scale_offset (POT, ceil).
 */
import { InputError, InternalError } from '../../errors.js';
import { minmaxToExponent } from '../pot.js';
import { OBSERVER_PERCENTILE, type Observer, type ObserverConfig } from './observer.js';
import { kthSmallestPair, rowSumF32 } from './torch-ops.js';

/** The two 1-based kthvalue ranks PPQ uses for a tensor of `n` elements. */
export function percentileRanks(n: number, percentile = OBSERVER_PERCENTILE): { kLow: number; kHigh: number } {
  const minIdx = Math.trunc(n * (1 - percentile));
  const maxIdx = Math.trunc(n * percentile);
  return { kLow: Math.max(0, minIdx) + 1, kHigh: Math.min(maxIdx, n - 1) + 1 };
}

class PercentileObserver implements Observer {
  readonly kind = 'percentile';
  readonly passes = 1;
  /** Interleaved [max, min] per batch, float32 values (PPQ's _percentile_collector rows). */
  private readonly pairs: number[] = [];
  constructor(private readonly cfg: ObserverConfig) {}

  observe(data: Float32Array, pass: 1 | 2): void {
    this.observeParts([data], pass);
  }

  observeParts(parts: readonly Float32Array[], pass: 1 | 2): void {
    if (pass !== 1) throw new InternalError('percentile observer has one pass');
    let n = 0;
    for (const data of parts) {
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        if (v !== v) throw new InputError('percentile observer: calibration tensor contains NaN');
      }
      n += data.length;
    }
    if (n === 0) throw new InternalError('percentile observer: empty tensor');
    const { kLow, kHigh } = percentileRanks(n);
    const [lo, hi] = kthSmallestPair(parts, kLow, kHigh);
    this.pairs.push(hi, lo);
  }

  render(): number {
    const batches = this.pairs.length / 2;
    if (batches === 0) throw new InternalError('percentile observer: render before observe');
    const max = Math.fround(rowSumF32(this.pairs, 0, 2, batches) / batches);
    const min = Math.fround(rowSumF32(this.pairs, 1, 2, batches) / batches);
    return minmaxToExponent(min, max, this.cfg.qmin, this.cfg.qmax);
  }
}

export function createPercentileObserver(cfg: ObserverConfig): Observer {
  return new PercentileObserver(cfg);
}
