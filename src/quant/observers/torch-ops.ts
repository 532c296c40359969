/**
 * The few torch 1.13 CPU kernels ESP-PPQ's observers depend on, reproduced with their float32 semantics so
 * that exponents (and the KL choice) match PPQ bit for bit:
 * - `sumF32`: torch.sum of a contiguous float32 tensor (aten/src/ATen/native/cpu/SumKernel.cpp: cascade sum
 *   with float accumulators, 4-way ILP, 8-lane AVX2 vectors), single-threaded. Above 32768 elements torch
 *   splits the sum across threads, so for those sizes the result can differ by an ulp from a multi-threaded
 *   PPQ run (only int16 KL histograms are that long).
 * - `sparseSumF32`: sumF32 of a mostly-zero tensor given by its non-zero positions, same bits.
 * - `rowSumF32`: the scalar row_sum used for strided reductions (e.g. mean over the batch dimension).
 * - `histcInto`: torch.histc (aten/src/ATen/native/Histogram.cpp, histc → histogramdd with LINEAR_INTERPOLATION,
 *   no local search): bin = trunc(fl32(fl32(x − lo)·bins) / fl32(hi − lo)), right edge inclusive. Counted in
 *   WebAssembly SIMD (wasm-histc.ts) where it can, else through a table of bin edges without a division per value.
 * - `kthSmallestPair`: torch.kthvalue for two ranks at once (exact; heaps instead of a full sort).
 */
import { InternalError } from '../../errors.js';
import { sharedWasmHistc, WASM_MAX_BINS } from './wasm-histc.js';

const LEVELS = 4;

/** c10::utils::CeilLog2. */
function ceilLog2(x: number): number {
  return x <= 2 ? 1 : Math.ceil(Math.log2(x));
}

/**
 * SumKernel.cpp `multi_row_sum` for `nrows` = 4 interleaved rows: element (i, k) is read at
 * x[base + (i·4 + k)·stride]. Returns the 4 float32 partial sums.
 */
function multiRowSum4(x: ArrayLike<number>, base: number, stride: number, size: number): number[] {
  const levelPower = Math.max(4, Math.floor(ceilLog2(size) / LEVELS));
  const levelStep = 1 << levelPower;
  const levelMask = levelStep - 1;
  const acc = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
  const a0 = acc[0]!;
  let i = 0;
  const add = (row: number): void => {
    const off = base + row * 4 * stride;
    for (let k = 0; k < 4; k++) a0[k] = Math.fround(a0[k]! + x[off + k * stride]!);
  };
  while (i + levelStep <= size) {
    for (let j = 0; j < levelStep; j++, i++) add(i);
    for (let j = 1; j < LEVELS; j++) {
      const hi = acc[j]!;
      const lo = acc[j - 1]!;
      for (let k = 0; k < 4; k++) { hi[k] = Math.fround(hi[k]! + lo[k]!); lo[k] = 0; }
      if ((i & (levelMask * 2 ** (j * levelPower))) !== 0) break;
    }
  }
  for (; i < size; i++) add(i);
  for (let j = 1; j < LEVELS; j++) {
    for (let k = 0; k < 4; k++) a0[k] = Math.fround(a0[k]! + acc[j]![k]!);
  }
  return a0;
}

/** SumKernel.cpp `row_sum` (ilp 4) over x[base + i·stride], i < size, float32 accumulation. */
export function rowSumF32(x: ArrayLike<number>, base = 0, stride = 1, size = x.length): number {
  const sizeIlp = Math.floor(size / 4);
  const partial = multiRowSum4(x, base, stride, sizeIlp);
  let s = partial[0]!;
  for (let i = sizeIlp * 4; i < size; i++) s = Math.fround(s + x[base + i * stride]!);
  for (let k = 1; k < 4; k++) s = Math.fround(s + partial[k]!);
  return s;
}

/** Vector width of torch's AVX2 / default CPU kernels for float32. */
const VEC = 8;
/** Floats per multi_row_sum row: 4 ILP partials × 8 lanes. */
const ROW = 4 * VEC;

/** multi_row_sum's cascade for n floats: whole vectors, rows of 4 vectors, rows added per level step. */
function cascadeShape(n: number): { vecSize: number; rows: number; levelStep: number } {
  const vecSize = Math.floor(n / VEC);
  const rows = Math.floor(vecSize / 4);
  return { vecSize, rows, levelStep: 1 << Math.max(4, Math.floor(ceilLog2(rows) / LEVELS)) };
}

/**
 * After `rowsDone` rows (a multiple of levelStep), each level's partial sums move up one level and the lower
 * level restarts at zero, until the level whose step count `rowsDone` does not complete.
 */
function cascadeLevelUp(acc: Float32Array, rowsDone: number, levelStep: number): void {
  const levelPower = Math.log2(levelStep);
  const levelMask = levelStep - 1;
  for (let lev = 1; lev < LEVELS; lev++) {
    const hi = lev * ROW;
    const lo = hi - ROW;
    for (let s = 0; s < ROW; s++) { acc[hi + s] += acc[lo + s]!; acc[lo + s] = 0; }
    if ((rowsDone & (levelMask * 2 ** (lev * levelPower))) !== 0) break;
  }
}

/**
 * torch.sum of x[start, end) as one contiguous float32 tensor (vectorized_inner_sum), single-threaded.
 * Vectorized<float> lanes are independent, so the 4 ILP partials × 8 lanes of row_sum<Vectorized<float>> are
 * 32 float32 accumulators (a Float32Array store rounds exactly like the float32 add), cascaded in 4 levels.
 */
export function sumF32(x: ArrayLike<number>, start = 0, end = x.length): number {
  const n = end - start;
  if (n < VEC) return rowSumF32(x, start, 1, n);
  const { vecSize, rows, levelStep } = cascadeShape(n);
  const acc = new Float32Array(LEVELS * ROW);
  let i = 0;
  while (i + levelStep <= rows) {
    for (let j = 0; j < levelStep; j++, i++) {
      const base = start + i * ROW;
      for (let s = 0; s < ROW; s++) acc[s] += x[base + s]!;
    }
    cascadeLevelUp(acc, i, levelStep);
  }
  for (; i < rows; i++) {
    const base = start + i * ROW;
    for (let s = 0; s < ROW; s++) acc[s] += x[base + s]!;
  }
  for (let lev = 1; lev < LEVELS; lev++) for (let s = 0; s < ROW; s++) acc[s] += acc[lev * ROW + s]!;
  // row_sum remainder vectors go into ILP partial 0, then partials 1..3 are folded into it.
  for (let v = rows * 4; v < vecSize; v++) {
    for (let l = 0; l < VEC; l++) acc[l] += x[start + v * VEC + l]!;
  }
  for (let k = 1; k < 4; k++) for (let l = 0; l < VEC; l++) acc[l] += acc[k * VEC + l]!;
  let fin = 0;
  for (let k = vecSize * VEC; k < n; k++) fin = Math.fround(fin + x[start + k]!);
  for (let l = 0; l < VEC; l++) fin = Math.fround(fin + acc[l]!);
  return fin;
}

/**
 * sumF32(x, start, end) for an x that is zero except at the ascending positions[from … to), where it holds
 * values[from … to). Adding a zero to a float32 accumulator leaves it unchanged, so the empty stretches cost only
 * the cascade's level moves, which depend on the position alone: the result is sumF32's, bit for bit.
 */
export function sparseSumF32(
  values: Float32Array, positions: Int32Array, from: number, to: number, start: number, end: number,
): number {
  const n = end - start;
  if (n < VEC) {
    const dense = new Float32Array(n);
    for (let k = from; k < to; k++) dense[positions[k]! - start] = values[k]!;
    return sumF32(dense);
  }
  const { vecSize, rows, levelStep } = cascadeShape(n);
  const acc = new Float32Array(LEVELS * ROW);
  let k = from;
  let i = 0;
  while (i + levelStep <= rows) {
    i += levelStep;
    // positions are ≥ start, so & (ROW − 1) is the lane (ROW is a power of two)
    for (const limit = start + i * ROW; k < to && positions[k]! < limit; k++) acc[(positions[k]! - start) & (ROW - 1)] += values[k]!;
    cascadeLevelUp(acc, i, levelStep);
  }
  for (; k < to && positions[k]! - start < rows * ROW; k++) acc[(positions[k]! - start) % ROW] += values[k]!;
  for (let lev = 1; lev < LEVELS; lev++) for (let s = 0; s < ROW; s++) acc[s] += acc[lev * ROW + s]!;
  // row_sum's remainder vectors go into ILP partial 0 (lanes 0..7).
  for (; k < to && positions[k]! - start < vecSize * VEC; k++) acc[(positions[k]! - start) % VEC] += values[k]!;
  for (let s = 1; s < 4; s++) for (let l = 0; l < VEC; l++) acc[l] += acc[s * VEC + l]!;
  let fin = 0;
  for (; k < to; k++) fin = Math.fround(fin + values[k]!);
  for (let l = 0; l < VEC; l++) fin = Math.fround(fin + acc[l]!);
  return fin;
}

/**
 * Adds torch.histc(values, bins, min, max) to `hist` (counts). Mirrors histc_select_outer_bin_edges: when
 * min == max the data's own range is used, and an empty range is widened by ±1. `transform` = 'abs'
 * histograms |x| (PPQ's symmetric observers call histc(torch.abs(value), …)).
 */
export function histcInto(
  hist: Int32Array, values: Float32Array, min: number, max: number, transform: 'abs' | 'none',
): void {
  const abs = transform === 'abs';
  let lo = min;
  let hi = max;
  if (lo === hi && values.length > 0) {
    lo = Infinity; hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = abs ? Math.abs(values[i]!) : values[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === hi) { lo -= 1; hi += 1; }
  if (!(lo < hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new InternalError(`histc: invalid range [${lo}, ${hi}]`);
  }
  const left = Math.fround(lo);
  const right = Math.fround(hi);
  const wasm = hist.length <= WASM_MAX_BINS ? sharedWasmHistc() : undefined;
  if (wasm?.(hist, values, left, right, abs)) return;
  const edges = binEdges(hist, left, right);
  if (abs) countAbs(hist, values, left, right, edges);
  else count(hist, values, left, right, edges);
}

/** The float32 just above / below a non-negative float32 (through its bits, which are ordered like the values). */
const f32Bits = new Float32Array(1);
const u32Bits = new Uint32Array(f32Bits.buffer);
const nextUp = (x: number): number => { f32Bits[0] = x; u32Bits[0]!++; return f32Bits[0]!; };
const nextDown = (x: number): number => { f32Bits[0] = x; u32Bits[0]!--; return f32Bits[0]!; };

interface BinEdges { left: number; width: number; inv: number; fbins: number; edges: Float32Array }
const edgesByHist = new WeakMap<Int32Array, BinEdges>();

/**
 * torch's bin of a value v is trunc(fl32(m / width)) with m = fl32(fl32(v − left)·bins), capped at bins − 1. The
 * float32 division is monotonic in m, so bin k starts at edges[k] = the smallest float32 m with fl32(m / width) ≥ k,
 * found once per histogram and range (a few divisions per bin). A value's bin is then the estimate trunc(m · 1/width)
 * (within one of torch's bin: the double product is within 2^-51 of m / width, and fl32 moves a quotient by at most
 * 2^-24 of it) corrected by comparing m with the two edges around it: torch's bins, without a division per value.
 */
function binEdges(hist: Int32Array, left: number, right: number): BinEdges {
  const width = Math.fround(right - left);
  const known = edgesByHist.get(hist);
  if (known && known.left === left && known.width === width) return known;
  const bins = hist.length;
  // edges[bins + 1] = Infinity ends the table (an m past every edge stays in the last bin).
  const edges = new Float32Array(bins + 2);
  for (let k = 1; k <= bins; k++) {
    let m = Math.fround(k * width);
    while (Math.fround(m / width) < k) m = nextUp(m);
    while (m > 0 && Math.fround(nextDown(m) / width) >= k) m = nextDown(m);
    edges[k] = m;
  }
  edges[bins + 1] = Infinity;
  const e = { left, width, inv: 1 / width, fbins: Math.fround(bins), edges };
  edgesByHist.set(hist, e);
  return e;
}

// The two loops below are the same but for Math.abs: one function per transform keeps each loop monomorphic
// (moving the binning into a shared helper measured ~15 % slower on 2^20-bin int16 histograms).
// Values outside [left, right] and NaN are not counted.

function count(hist: Int32Array, values: Float32Array, left: number, right: number, e: BinEdges): void {
  const { inv, fbins, edges } = e;
  const bins = hist.length;
  const last = bins - 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= left && v <= right)) continue;
    const m = Math.fround(Math.fround(v - left) * fbins);
    const q = m * inv;
    let k = q < bins ? q | 0 : bins;
    if (m < edges[k]!) k--;
    else if (m >= edges[k + 1]!) k++;
    hist[k < last ? k : last]!++;
  }
}

function countAbs(hist: Int32Array, values: Float32Array, left: number, right: number, e: BinEdges): void {
  const { inv, fbins, edges } = e;
  const bins = hist.length;
  const last = bins - 1;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]!);
    if (!(v >= left && v <= right)) continue;
    const m = Math.fround(Math.fround(v - left) * fbins);
    const q = m * inv;
    let k = q < bins ? q | 0 : bins;
    if (m < edges[k]!) k--;
    else if (m >= edges[k + 1]!) k++;
    hist[k < last ? k : last]!++;
  }
}

/**
 * torch.kthvalue(x, kLow) and torch.kthvalue(x, kHigh) (1-based k-th smallest) in one pass: heaps of the
 * kLow smallest and the (n − kHigh + 1) largest values, so the cost is O(n log(k)) with k ≈ n·1e-4 for PPQ's
 * percentile, and no copy or sort of the tensor. `x` may come in consecutive parts (a batch as the runtime calls
 * returned it): the tensor is their concatenation, never built. Data must not contain NaN (callers check).
 */
export function kthSmallestPair(x: Float32Array | readonly Float32Array[], kLow: number, kHigh: number): [number, number] {
  const parts = x instanceof Float32Array ? [x] : x;
  const n = parts.reduce((s, p) => s + p.length, 0);
  if (kLow < 1 || kHigh > n || kLow > n || kHigh < 1) throw new InternalError(`kthvalue: k out of range for ${n}`);
  return [extreme(parts, kLow, false), extreme(parts, n - kHigh + 1, true)];
}

/**
 * The `size`-th smallest (largest when `largest`) value of the parts' values: a heap of the `size` most extreme
 * values seen, rooted at the least extreme of them; an element only costs one comparison with the root unless it
 * enters.
 */
function extreme(parts: readonly Float32Array[], size: number, largest: boolean): number {
  const h = new Float64Array(size);
  // `before(a, b)`: a sits above b in the heap (min-heap of the largest values, max-heap of the smallest).
  const before = largest ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;
  let len = 0;
  let root = NaN;
  for (const x of parts) {
    const n = x.length;
    let i = 0;
    for (; i < n && len < size; i++) {
      let c = len++;
      h[c] = x[i]!;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!before(h[c]!, h[p]!)) break;
        const t = h[c]!; h[c] = h[p]!; h[p] = t;
        c = p;
      }
      root = h[0]!;
    }
    if (largest) {
      for (; i < n; i++) { const v = x[i]!; if (v > root) root = replaceRoot(h, v, before); }
    } else {
      for (; i < n; i++) { const v = x[i]!; if (v < root) root = replaceRoot(h, v, before); }
    }
  }
  return root;
}

/** Puts `v` at the root and sifts it down; returns the new root. */
function replaceRoot(h: Float64Array, v: number, before: (a: number, b: number) => boolean): number {
  const n = h.length;
  h[0] = v;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < n && before(h[l]!, h[m]!)) m = l;
    if (r < n && before(h[r]!, h[m]!)) m = r;
    if (m === i) return h[0]!;
    const t = h[i]!; h[i] = h[m]!; h[m] = t;
    i = m;
  }
}
