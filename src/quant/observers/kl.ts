/**
 * kl observer (TorchHistObserver.hist_to_scale_offset, esp_ppq/quantization/observer/range.py), symmetric
 * per-tensor. For each candidate bin_range = quant_bins·j (j = 1 … bins/quant_bins):
 *   P = hist[:bin_range] with the tail sum added to its last bin, / sum(hist)            (float32)
 *   Q = hist[:bin_range] merged into quant_bins groups, each group's sum spread evenly over its non-empty
 *       bins, / sum(Q)                                                                    (float32)
 *   kl = dot(P, log10(P + 1e-30) − log10(Q + 1e-30))                                       (float64)
 * after hist[:int(bins·0.002)] = 0 and hist[int(bins·0.002)] = 1. The first minimal kl wins; scale =
 * (best/bins)·hist_scale·(bins/quant_bins), clamped to 1e-8, exponent = ROUND_HALF_UP(log2(scale)).
 *
 * Float notes: the float32 steps (divisions, torch.sum of the histogram and of Q) are reproduced exactly with
 * sumF32 (torch's single-threaded summation order; for Q longer than 32768 bins — int16 only — torch splits the
 * sum across threads, so a multi-threaded PPQ may differ there by an ulp). Tail and group sums of the integer
 * counts are done in integers, which equals torch's float32 sums while the total count is below 2^24 (else the
 * tails fall back to sumF32). The float64 dot is summed in index order; torch's BLAS dot may order it
 * differently (≈1e-16 relative), which can only matter for candidates whose kl values tie to the last bits;
 * V8's Math.log10 may differ from glibc by 1 ulp likewise. Measured agreement with torch: ≤1e-12 relative
 * (int8), ≤1e-10 (int16). The per-bin P·log10(P) terms are computed once (they do not depend on the candidate).
 */
import { scaleToExponent, OBSERVER_MIN_SCALE } from '../pot.js';
import { HistogramCollector } from './histogram.js';
import { OBSERVER_KL_HIST_BINS, type Observer, type ObserverConfig } from './observer.js';
import { sumF32 } from './torch-ops.js';

const EPS = 1e-30;

/**
 * The KL divergence of every candidate bin_range = 2^(bits−1)·(j + 1), j = 0, 1, … (PPQ's loss list, in order).
 * `hist` is not modified.
 */
export function klDivergences(hist: Int32Array, bits: number): Float64Array {
  const bins = hist.length;
  const quantBins = 2 ** (bits - 1);
  const h = Float32Array.from(hist);
  const cut = Math.trunc(bins * 0.002);
  h.fill(0, 0, cut);
  h[cut] = 1;
  const total = sumF32(h);
  // Sums of non-negative integers are exact in float32 below 2^24, in any order: then the tail sums need no
  // float32 emulation and come from one suffix-sum pass.
  const exactCounts = total < 2 ** 24;
  const tails = new Float64Array(bins + 1);
  for (let i = bins - 1; i >= 0; i--) tails[i] = tails[i + 1]! + h[i]!;
  // p[i] = fl32(h[i] / total); plogp[i] = p·log10(p + eps), the candidate-independent half of the dot.
  const p = new Float64Array(bins);
  const plogp = new Float64Array(bins);
  for (let i = 0; i < bins; i++) {
    const pi = Math.fround(h[i]! / total);
    p[i] = pi;
    plogp[i] = pi === 0 ? 0 : pi * Math.log10(pi + EPS);
  }
  const q = new Float32Array(bins);
  const out: number[] = [];
  for (let range = quantBins; range < bins + quantBins - 1; range += quantBins) {
    const tail = exactCounts ? tails[range]! : sumF32(h, range, bins);
    out.push(klOfCandidate(h, p, plogp, q, total, tail, range, quantBins));
  }
  return Float64Array.from(out);
}

/** The winning bin_range: the first candidate with the smallest KL divergence (PPQ's stable sort). */
export function klBestBinRange(hist: Int32Array, bits: number): number {
  const kls = klDivergences(hist, bits);
  let best = 0;
  for (let j = 1; j < kls.length; j++) if (kls[j]! < kls[best]!) best = j;
  return (best + 1) * 2 ** (bits - 1);
}

/** One candidate's KL divergence. `q` is scratch (≥ range long). */
function klOfCandidate(
  h: Float32Array, p: Float64Array, plogp: Float64Array, q: Float32Array,
  total: number, tail: number, range: number, quantBins: number,
): number {
  const expand = range / quantBins;
  // Q before normalisation: group mean over non-empty bins, float32 division.
  for (let r = 0; r < quantBins; r++) {
    let sum = 0;
    let cnt = 0;
    const start = r * expand;
    for (let i = start; i < start + expand; i++) { const c = h[i]!; sum += c; if (c > 0) cnt++; }
    const mean = Math.fround(sum / (cnt === 0 ? 1 : cnt));
    for (let i = start; i < start + expand; i++) q[i] = h[i]! > 0 ? mean : 0;
  }
  const qSum = sumF32(q, 0, range);
  const last = range - 1;
  const pLast = Math.fround(Math.fround(h[last]! + tail) / total);
  let kl = 0;
  let prevQ = NaN;
  let logQ = 0;
  for (let i = 0; i < last; i++) {
    const pi = p[i]!;
    if (pi === 0) continue; // 0·(finite) contributes exactly 0
    const qv = q[i]!;
    if (qv !== prevQ) { prevQ = qv; logQ = Math.log10(Math.fround(qv / qSum) + EPS); }
    kl += plogp[i]! - pi * logQ;
  }
  if (pLast !== 0) {
    const qLast = Math.fround(q[last]! / qSum);
    kl += pLast * (Math.log10(pLast + EPS) - Math.log10(qLast + EPS));
  }
  return kl;
}

/** The kl exponent from a collected histogram (hist_to_scale_offset + POWER_OF_2 half-up rounding). */
export function klExponent(hist: Int32Array, histScale: number, bits: number): number {
  const bins = hist.length;
  const quantBins = 2 ** (bits - 1);
  const best = klBestBinRange(hist, bits);
  const scale = Math.max((best / bins) * histScale * (bins / quantBins), OBSERVER_MIN_SCALE);
  return scaleToExponent(scale, 'half_up');
}

class KlObserver implements Observer {
  readonly kind = 'kl';
  readonly passes = 2;
  private readonly collector: HistogramCollector;
  constructor(private readonly cfg: ObserverConfig) {
    this.collector = new HistogramCollector(cfg.klBins ?? OBSERVER_KL_HIST_BINS);
  }

  observe(data: Float32Array, pass: 1 | 2): void {
    this.collector.observe(data, pass);
  }

  render(): number {
    this.collector.requireData('kl');
    return klExponent(this.collector.hist, this.collector.histScale, this.cfg.bits);
  }
}

export function createKlObserver(cfg: ObserverConfig): Observer {
  return new KlObserver(cfg);
}
