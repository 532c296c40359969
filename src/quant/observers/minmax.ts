/**
 * minmax observer (TorchMinMaxObserver, esp_ppq/quantization/observer/range.py): per-tensor min/max over all
 * batches, or per-channel min/max (channel axis moved to the front, everything else flattened), then
 * `minmax_to_scale_offset` (POT, ceil) per tensor / per channel.
 */
import { InternalError } from '../../errors.js';
import { minmaxToExponent } from '../pot.js';
import type { Observer, ObserverConfig } from './observer.js';

/** Min and max of a float32 array; NaN if it contains NaN (torch.min/max propagate NaN). */
export function minMaxOf(data: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  let nan = false;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v !== v) nan = true;
  }
  return nan ? { min: NaN, max: NaN } : { min, max };
}

/** Running per-tensor min/max (phase 1 of every range-based observer). */
export class RangeTracker {
  min = Infinity;
  max = -Infinity;
  batches = 0;

  add(data: Float32Array): void {
    if (data.length === 0) throw new InternalError('observer: empty tensor');
    const r = minMaxOf(data);
    // Math.min/max propagate NaN like torch.min over the collected per-batch values.
    this.min = Math.min(this.min, r.min);
    this.max = Math.max(this.max, r.max);
    this.batches++;
  }
}

class MinMaxObserver implements Observer {
  readonly kind = 'minmax';
  readonly passes = 1;
  private readonly range = new RangeTracker();
  constructor(private readonly cfg: ObserverConfig) {}

  observe(data: Float32Array, pass: 1 | 2): void {
    if (pass !== 1) throw new InternalError('minmax observer has one pass');
    this.range.add(data);
  }

  render(): number {
    if (this.range.batches === 0) throw new InternalError('minmax observer: render before observe');
    return minmaxToExponent(this.range.min, this.range.max, this.cfg.qmin, this.cfg.qmax);
  }
}

class PerChannelMinMaxObserver implements Observer {
  readonly kind = 'minmax';
  readonly passes = 1;
  private readonly mins: Float64Array;
  private readonly maxs: Float64Array;
  private readonly inner: number;
  private seen = false;

  constructor(private readonly cfg: ObserverConfig, private readonly dims: readonly number[], axis: number) {
    if (axis < 0 || axis >= dims.length) throw new InternalError(`minmax: channel axis ${axis} outside [${dims.join(',')}]`);
    const channels = dims[axis]!;
    this.mins = new Float64Array(channels).fill(Infinity);
    this.maxs = new Float64Array(channels).fill(-Infinity);
    this.inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  }

  observe(data: Float32Array, pass: 1 | 2): void {
    if (pass !== 1) throw new InternalError('minmax observer has one pass');
    const channels = this.mins.length;
    const total = this.dims.reduce((a, b) => a * b, 1);
    if (data.length !== total || total === 0) {
      throw new InternalError(`minmax: ${data.length} values for per-channel shape [${this.dims.join(',')}]`);
    }
    const outer = total / (channels * this.inner);
    for (let o = 0; o < outer; o++) {
      for (let c = 0; c < channels; c++) {
        const start = (o * channels + c) * this.inner;
        const r = minMaxOf(data.subarray(start, start + this.inner));
        this.mins[c] = Math.min(this.mins[c]!, r.min);
        this.maxs[c] = Math.max(this.maxs[c]!, r.max);
      }
    }
    this.seen = true;
  }

  render(): number[] {
    if (!this.seen) throw new InternalError('minmax observer: render before observe');
    return Array.from(this.mins, (min, c) => minmaxToExponent(min, this.maxs[c]!, this.cfg.qmin, this.cfg.qmax));
  }
}

export function createMinMaxObserver(cfg: ObserverConfig): Observer {
  return cfg.perChannel
    ? new PerChannelMinMaxObserver(cfg, cfg.perChannel.dims, cfg.perChannel.axis)
    : new MinMaxObserver(cfg);
}
