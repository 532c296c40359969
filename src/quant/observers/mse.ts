/**
 * mse observer (TorchMSEObserver, esp_ppq/quantization/observer/range.py), symmetric per-tensor branch.
 * Always 2048 histogram bins (its constructor overrides the KL-bins setting). With levels = qmax − qmin + 1:
 *   candidates: end = levels·(bins // levels + 1), then end = levels·step for step = 1 … bins // levels
 *   (stopping once end > bins + levels); loss(start = 0, step, end) as compute_mse_loss below;
 *   the first minimal loss wins; T = end·hist_scale → minmax_to_scale_offset(−T, T) (POT, ceil).
 * QUIRK (kept on purpose for parity): the loss treats the one-sided |x| histogram as if it had `levels`
 * levels, while the resulting scale is 2T/(qmax − qmin).
 * All arithmetic is Python-float (double) arithmetic in PPQ's order, so it is reproduced exactly.
 */
import { InputError } from '../../errors.js';
import { minmaxToExponent } from '../pot.js';
import { HistogramCollector } from './histogram.js';
import { OBSERVER_MSE_HIST_BINS, type Observer, type ObserverConfig } from './observer.js';

/** compute_mse_loss(histogram, start, step, end) in PPQ's double arithmetic and summation order. */
export function mseLoss(hist: Int32Array, start: number, step: number, end: number): number {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i]!;
  let loss = 0;
  for (let idx = 0; idx < hist.length; idx++) {
    const bin = hist[idx]!;
    let error: number;
    if (idx < start) error = start - idx - 1 + 0.5;
    else if (idx > end) error = idx - end + 0.5;
    else {
      const l = (idx - start) % step;
      const r = step - l - 1;
      error = l === r ? l + 0.25 : Math.min(l + 0.5, r + 0.5);
    }
    loss += (bin * error * error) / total;
  }
  return loss;
}

/** The winning histogram end (in bins) of the symmetric mse search. */
export function mseBestEnd(hist: Int32Array, qmin: number, qmax: number): number {
  const bins = hist.length;
  const levels = qmax - qmin + 1;
  const steps = Math.floor(bins / levels);
  let bestEnd = levels * (steps + 1);
  let best = mseLoss(hist, 0, steps + 1, bestEnd);
  for (let step = 1; step <= steps; step++) {
    const end = levels * step;
    if (end > bins + levels) break;
    const loss = mseLoss(hist, 0, step, end);
    if (loss < best) { best = loss; bestEnd = end; }
  }
  return bestEnd;
}

class MseObserver implements Observer {
  readonly kind = 'mse';
  readonly passes = 2;
  private readonly collector = new HistogramCollector(OBSERVER_MSE_HIST_BINS);
  constructor(private readonly cfg: ObserverConfig) {}

  observe(data: Float32Array, pass: 1 | 2): void {
    this.collector.observe(data, pass);
  }

  render(): number {
    this.collector.requireData('mse');
    const hist = this.collector.hist;
    if (!hist.some((c) => c > 0)) {
      // PPQ divides by the element count here and fails with ZeroDivisionError.
      throw new InputError('mse observer: no calibration value fell inside the pass-1 range');
    }
    const end = mseBestEnd(hist, this.cfg.qmin, this.cfg.qmax);
    const t = end * this.collector.histScale;
    return minmaxToExponent(-t, t, this.cfg.qmin, this.cfg.qmax);
  }
}

export function createMseObserver(cfg: ObserverConfig): Observer {
  return new MseObserver(cfg);
}
