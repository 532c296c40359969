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
import { sparseSumF32 } from './torch-ops.js';

const EPS = 1e-30;
/** Counts below this get their p and p·log10(p) from a per-histogram table. */
const SMALL_COUNTS = 4096;
/** More than the bins of any group (bins / quant_bins = 32 at int16, 16 at int8). */
const MAX_GROUP = 64;

/**
 * The KL divergence of every candidate bin_range = 2^(bits−1)·(j + 1), j = 0, 1, … (PPQ's loss list, in order).
 * `hist` is not modified.
 *
 * Only the non-empty bins are visited: at int16 the histogram has 2^20 bins and 32 candidates, most bins are
 * empty (≈ 13 % filled on a face detector), and an empty bin adds exactly nothing to any of the sums (P = 0,
 * Q = 0; a float32 x + 0 is x). The non-empty bins are taken in index order, so every sum sees the same
 * operands in the same order as the dense formulas above: the results are the same bits.
 */
export function klDivergences(hist: Int32Array, bits: number): Float64Array {
  const bins = hist.length;
  const quantBins = 2 ** (bits - 1);
  const { filled, counts } = nonEmptyBins(hist, Math.trunc(bins * 0.002));
  const total = sparseSumF32(counts, filled, 0, filled.length, 0, bins);
  // Sums of non-negative integers are exact in float32 below 2^24, in any order: then the tail sums need no
  // float32 emulation and come from a suffix sum.
  const exactCounts = total < 2 ** 24;
  const tails = new Float64Array(filled.length + 1);
  for (let k = filled.length - 1; k >= 0; k--) tails[k] = tails[k + 1]! + counts[k]!;
  // p = fl32(h / total) and p·log10(p + eps), the candidate-independent half of the dot. Both depend on the
  // count alone, and most counts are small integers that repeat (the sparse tail is mostly 1s and 2s): they are
  // computed once per distinct small count.
  const p = new Float64Array(filled.length);
  const plogp = new Float64Array(filled.length);
  const known = new Float64Array(SMALL_COUNTS).fill(NaN);
  const knownLog = new Float64Array(SMALL_COUNTS);
  for (let k = 0; k < filled.length; k++) {
    const c = counts[k]!;
    if (c < SMALL_COUNTS && !Number.isNaN(known[c]!)) { p[k] = known[c]!; plogp[k] = knownLog[c]!; continue; }
    const pk = Math.fround(c / total);
    p[k] = pk;
    plogp[k] = pk === 0 ? 0 : pk * Math.log10(pk + EPS);
    if (c < SMALL_COUNTS) { known[c] = pk; knownLog[c] = plogp[k]!; }
  }
  const h = { filled, counts, p, plogp, q: new Float32Array(filled.length), groupStart: new Int32Array(filled.length + 1), groupKey: new Int32Array(filled.length), total,
    logs: { stamp: new Int32Array(SMALL_COUNTS * MAX_GROUP), value: new Float64Array(SMALL_COUNTS * MAX_GROUP) }, stamp: 0 };
  const out: number[] = [];
  for (let range = quantBins; range < bins + quantBins - 1; range += quantBins) {
    const from = lowerBound(filled, range);
    const tail = exactCounts ? tails[from]! : sparseSumF32(counts, filled, from, filled.length, range, bins);
    out.push(klOfCandidate(h, tail, range, quantBins));
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

/**
 * The histogram as PPQ prepares it (hist[:cut] = 0, hist[cut] = 1), seen through its non-empty bins: `filled`
 * (ascending bin indices) and their float32 `counts`; p, plogp and the scratch q are indexed like them.
 */
interface SparseHistogram {
  filled: Int32Array; counts: Float32Array; p: Float64Array; plogp: Float64Array; q: Float32Array;
  /** scratch: where each group of the current candidate starts in `filled` */
  groupStart: Int32Array; total: number;
  /** scratch: per group, sum·MAX_GROUP + count for a small integer sum (else −1), the key of `logs` */
  groupKey: Int32Array;
  /** scratch: log10(q / qSum + eps) by group key, valid where logs.stamp equals the candidate's stamp */
  logs: { stamp: Int32Array; value: Float64Array }; stamp: number;
}

function nonEmptyBins(hist: Int32Array, cut: number): { filled: Int32Array; counts: Float32Array } {
  let n = 1;
  for (let i = cut + 1; i < hist.length; i++) if (hist[i]! > 0) n++;
  const filled = new Int32Array(n);
  const counts = new Float32Array(n);
  filled[0] = cut;
  counts[0] = 1;
  for (let i = cut + 1, k = 1; i < hist.length; i++) if (hist[i]! > 0) { filled[k] = i; counts[k++] = hist[i]!; }
  return { filled, counts };
}

/** The first position in ascending `a` whose value is ≥ x. */
function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid]! < x) lo = mid + 1; else hi = mid; }
  return lo;
}

/**
 * One candidate's KL divergence. q[k], the unnormalised Q of bin filled[k], is the mean of its group's non-empty
 * bins (float32 division); empty bins have Q = 0 and P = 0 and are skipped.
 */
function klOfCandidate(s: SparseHistogram, tail: number, range: number, quantBins: number): number {
  const { filled, counts, p, plogp, q, groupStart, groupKey, total } = s;
  const expand = range / quantBins;
  const inRange = lowerBound(filled, range);
  let groups = 0;
  const inv = 1 / expand;
  for (let k = 0; k < inRange;) {
    // (⌊filled[k] / expand⌋ + 1)·expand; the product with the reciprocal is corrected to the exact quotient
    const f = filled[k]!;
    let group = Math.trunc(f * inv);
    if (group * expand > f) group--;
    else if ((group + 1) * expand <= f) group++;
    const groupEnd = (group + 1) * expand;
    let sum = 0;
    let end = k;
    for (; end < inRange && filled[end]! < groupEnd; end++) sum += counts[end]!;
    const mean = Math.fround(sum / (end - k));
    groupKey[groups] = sum < SMALL_COUNTS && end - k < MAX_GROUP ? sum * MAX_GROUP + (end - k) : -1;
    groupStart[groups++] = k;
    for (; k < end; k++) q[k] = mean;
  }
  groupStart[groups] = inRange;
  const qSum = sparseSumF32(q, filled, 0, inRange, 0, range);
  const last = range - 1;
  const lastFilled = inRange > 0 && filled[inRange - 1] === last;
  const pLast = Math.fround(Math.fround((lastFilled ? counts[inRange - 1]! : 0) + tail) / total);
  // The dot in index order, one log10 per group (its bins share Q); the last bin is added apart below.
  const n = lastFilled ? inRange - 1 : inRange;
  // log10 is the costliest step. log10(q / qSum + eps) is a function of q alone while qSum is fixed, and q of
  // a group the function fl32(sum / count) of its integer count sum and its number of non-empty bins: it is
  // remembered per (small sum, count) for this candidate, and across a run of groups with the same q.
  const logs = s.logs;
  const stamp = ++s.stamp;
  let kl = 0;
  let prevQ = NaN;
  let logQ = 0;
  for (let g = 0; g < groups && groupStart[g]! < n; g++) {
    const from = groupStart[g]!;
    const to = Math.min(groupStart[g + 1]!, n);
    const qv = q[from]!;
    if (qv !== prevQ) {
      prevQ = qv;
      const key = groupKey[g]!;
      if (key >= 0 && logs.stamp[key] === stamp) logQ = logs.value[key]!;
      else {
        logQ = Math.log10(Math.fround(qv / qSum) + EPS);
        if (key >= 0) { logs.stamp[key] = stamp; logs.value[key] = logQ; }
      }
    }
    for (let k = from; k < to; k++) {
      const pk = p[k]!;
      if (pk !== 0) kl += plogp[k]! - pk * logQ; // 0·(finite) contributes exactly 0
    }
  }
  if (pLast !== 0) {
    const qLast = Math.fround((lastFilled ? q[inRange - 1]! : 0) / qSum);
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
