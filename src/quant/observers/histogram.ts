/**
 * The two-phase histogram collection shared by the kl and mse observers (TorchHistObserver,
 * esp_ppq/quantization/observer/range.py, SYMMETRICAL branch):
 * phase 1 tracks min/max over all batches; when phase 2 starts, hist_range = max(|max|, |min|) and
 * hist_scale = hist_range / bins (doubles); phase 2 adds torch.histc(|x|, bins, 0, hist_scale·bins) per batch
 * into an int32 histogram. Values above the phase-1 range are not counted (histc drops them), as in PPQ.
 */
import { InputError, InternalError } from '../../errors.js';
import { RangeTracker } from './minmax.js';
import { histcInto } from './torch-ops.js';

export class HistogramCollector {
  private readonly range = new RangeTracker();
  private scale: number | undefined;
  readonly hist: Int32Array;
  batches2 = 0;

  constructor(readonly bins: number) {
    this.hist = new Int32Array(bins);
  }

  /** hist_scale (set once phase 2 begins). */
  get histScale(): number {
    if (this.scale === undefined) throw new InternalError('histogram observer: phase 2 has not started');
    return this.scale;
  }

  observe(data: Float32Array, pass: 1 | 2): void {
    if (pass === 1) {
      if (this.scale !== undefined) throw new InternalError('histogram observer: pass-1 data after pass 2 began');
      this.range.add(data);
      return;
    }
    if (this.scale === undefined) {
      if (this.range.batches === 0) throw new InternalError('histogram observer: pass 2 before any pass-1 data');
      const histRange = Math.max(Math.abs(this.range.max), Math.abs(this.range.min));
      if (!Number.isFinite(histRange)) {
        throw new InputError(`calibration data contains NaN or infinite values (range ${histRange})`);
      }
      this.scale = histRange / this.bins;
    }
    histcInto(this.hist, data, 0, this.scale * this.bins, 'abs');
    this.batches2++;
  }

  /** Throws unless pass 2 has seen data. */
  requireData(kind: string): void {
    if (this.batches2 === 0) throw new InternalError(`${kind} observer: render before pass-2 data`);
  }
}
