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
  const h = sparseHistogram(hist, bits);
  return Float64Array.from(candidateRanges(h), (range) => exactKl(h, range));
}

/**
 * The winning bin_range: the first candidate with the smallest KL divergence (PPQ's stable sort).
 *
 * Where the histogram has many more non-empty bins than a candidate has groups (quant_bins), every candidate's
 * divergence is first estimated one group at a time instead of one bin at a time (approxKl), and only the
 * candidates whose estimate is within KL_PRUNE_MARGIN of the smallest estimate are computed exactly. An estimate
 * is far closer than that margin to the exact value, so a pruned candidate cannot be the minimum, and the exact
 * minimum among the others (the first one on ties) is PPQ's choice.
 */
export function klBestBinRange(hist: Int32Array, bits: number): number {
  const h = sparseHistogram(hist, bits);
  let ranges = candidateRanges(h);
  if (h.filled.length >= 2 * h.quantBins && h.bins % h.quantBins === 0) {
    const prefix = prefixSums(h);
    const approx = ranges.map((range) => approxKl(h, prefix, range));
    const least = Math.min(...approx);
    ranges = ranges.filter((_, j) => approx[j]! <= least + KL_PRUNE_MARGIN);
  }
  let best = ranges[0]!;
  let bestKl = exactKl(h, best);
  for (const range of ranges.slice(1)) {
    const kl = exactKl(h, range);
    if (kl < bestKl) { best = range; bestKl = kl; }
  }
  return best;
}

/**
 * An estimate differs from the exact divergence by less than ~3e-6 at int16: it sums Q in float64 instead of
 * torch's float32 cascade (relative error ≤ ~110 roundings of 2^-24 ≈ 7e-6, so ≤ 3e-6 on every log10 Q, weighted by
 * Σp ≤ 1), and it adds the dot per group from float64 prefix sums (≈ 1e-13). Everything else (each group's mean
 * Q, the last bin with the tail) is computed as exactly as klOfCandidate does. The margin is 30 times that.
 */
const KL_PRUNE_MARGIN = 1e-4;

/** PPQ's candidate bin_ranges, ascending: quant_bins·(j + 1) while below bins + quant_bins − 1. */
function candidateRanges(h: SparseHistogram): number[] {
  const out: number[] = [];
  for (let range = h.quantBins; range < h.bins + h.quantBins - 1; range += h.quantBins) out.push(range);
  return out;
}

/** The histogram's non-empty bins with p, p·log10(p) and the tail sums: what every candidate reads. */
function sparseHistogram(hist: Int32Array, bits: number): SparseHistogram {
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
  return {
    bins, quantBins, filled, counts, p, plogp, total, exactCounts, tails,
    q: new Float32Array(filled.length), groupStart: new Int32Array(filled.length + 1), groupKey: new Int32Array(filled.length),
    logs: { stamp: new Int32Array(SMALL_COUNTS * MAX_GROUP), value: new Float64Array(SMALL_COUNTS * MAX_GROUP) }, stamp: 0,
  };
}

/** The tail hist[range:] summed as PPQ does (float32; exact in integers below 2^24). */
function tailSum(h: SparseHistogram, range: number): number {
  const from = lowerBound(h.filled, range);
  return h.exactCounts ? h.tails[from]! : sparseSumF32(h.counts, h.filled, from, h.filled.length, range, h.bins);
}

function exactKl(h: SparseHistogram, range: number): number {
  return klOfCandidate(h, tailSum(h, range), range, h.quantBins);
}

/**
 * `firstAt[i]`: how many non-empty bins lie below bin i (bins [a, b) are filled[firstAt[a] … firstAt[b]));
 * `counts`, `p`, `plogp`: float64 prefix sums over the non-empty bins (those of the counts are exact integers).
 */
interface PrefixSums { firstAt: Int32Array; counts: Float64Array; p: Float64Array; plogp: Float64Array }

function prefixSums(h: SparseHistogram): PrefixSums {
  const n = h.filled.length;
  const firstAt = new Int32Array(h.bins + 1);
  for (let i = 0, k = 0; i <= h.bins; i++) {
    while (k < n && h.filled[k]! < i) k++;
    firstAt[i] = k;
  }
  const counts = new Float64Array(n + 1);
  const p = new Float64Array(n + 1);
  const plogp = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) {
    counts[k + 1] = counts[k]! + h.counts[k]!;
    p[k + 1] = p[k]! + h.p[k]!;
    plogp[k + 1] = plogp[k]! + h.plogp[k]!;
  }
  return { firstAt, counts, p, plogp };
}

/**
 * klOfCandidate's divergence estimated one group at a time: each group's Q is the exact one (its integer count sum
 * over its number of non-empty bins, as float32), the sum of Q is taken in float64, and a group's share of
 * Σ p·log10 p − p·log10 Q comes from the prefix sums. The last bin (with the tail) is computed as klOfCandidate does.
 */
function approxKl(h: SparseHistogram, s: PrefixSums, range: number): number {
  const expand = range / h.quantBins;
  const inRange = s.firstAt[range]!;
  const lastFilled = inRange > 0 && h.filled[inRange - 1] === range - 1;
  const n = lastFilled ? inRange - 1 : inRange;
  const groupQ = (from: number, to: number) => Math.fround((s.counts[to]! - s.counts[from]!) / (to - from));
  let qSum = 0;
  for (let g = 0; g < h.quantBins; g++) {
    const from = s.firstAt[g * expand]!;
    const to = s.firstAt[(g + 1) * expand]!;
    if (to > from) qSum += groupQ(from, to) * (to - from);
  }
  // log10 Q once per distinct (count sum, bins) of this candidate, as in klOfCandidate
  const logs = h.logs;
  const stamp = ++h.stamp;
  let kl = 0;
  let lastQ = 0;
  for (let g = 0; g < h.quantBins; g++) {
    const from = s.firstAt[g * expand]!;
    const to = s.firstAt[(g + 1) * expand]!;
    if (to <= from) continue;
    const sum = s.counts[to]! - s.counts[from]!;
    const q = Math.fround(sum / (to - from));
    if (to === inRange) lastQ = q;
    const end = Math.min(to, n);
    if (end <= from) continue;
    const key = sum < SMALL_COUNTS && to - from < MAX_GROUP ? sum * MAX_GROUP + (to - from) : -1;
    let logQ: number;
    if (key >= 0 && logs.stamp[key] === stamp) logQ = logs.value[key]!;
    else {
      logQ = Math.log10(Math.fround(q / qSum) + EPS);
      if (key >= 0) { logs.stamp[key] = stamp; logs.value[key] = logQ; }
    }
    kl += (s.plogp[end]! - s.plogp[from]!) - (s.p[end]! - s.p[from]!) * logQ;
  }
  const pLast = Math.fround(Math.fround((lastFilled ? h.counts[inRange - 1]! : 0) + tailSum(h, range)) / h.total);
  if (pLast !== 0) {
    const qLast = Math.fround((lastFilled ? lastQ : 0) / qSum);
    kl += pLast * (Math.log10(pLast + EPS) - Math.log10(qLast + EPS));
  }
  return kl;
}

/**
 * The histogram as PPQ prepares it (hist[:cut] = 0, hist[cut] = 1), seen through its non-empty bins: `filled`
 * (ascending bin indices) and their float32 `counts`; p, plogp and the scratch q are indexed like them.
 */
interface SparseHistogram {
  bins: number; quantBins: number; exactCounts: boolean; tails: Float64Array;
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
