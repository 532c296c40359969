/**
 * Conv/Gemm/MatMul filter layouts of ESP-DL (docs/esp-ppq.md §5.5 "Filters"; port of
 * esp_ppq/parser/espdl/export_patterns.py ResetParamLayoutPattern.reset_conv_filter_layout).
 * Pure index arithmetic on flat row-major arrays.
 */
import type { TensorData } from '../../ir/tensor.js';
import type { Family } from '../../quant/types.js';

/** Any numeric typed array. */
export type FlatData = Exclude<TensorData, string[]>;

export type FilterData = Int8Array | Int16Array | Int32Array | Float32Array;

export interface FilterResult<T extends FilterData> {
  data: T;
  /** Declared dims: [H, W, C, N] (normal) or [H, W, N, C] (depthwise); 1-D conv: [W, C, N] / [W, N, C]. */
  dims: number[];
  layout: string;
}

/** out[i] = src[perm-index]; `dims` the source dims, `perm` the axis order of the result. */
export function transposeFlat<T extends FlatData>(src: T, dims: readonly number[], perm: readonly number[]): T {
  const rank = dims.length;
  const out = new (src.constructor as new (n: number) => T)(src.length);
  if (rank === 0 || src.length === 0) {
    out.set(src as never);
    return out;
  }
  const outDims = perm.map((p) => dims[p]!);
  const srcStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) srcStrides[i] = srcStrides[i + 1]! * dims[i + 1]!;
  const strides = perm.map((p) => srcStrides[p]!);
  const o8 = out as unknown as number[];
  const s8 = src as unknown as number[];
  // The last output axis is walked in an inner loop with one source stride: the index arithmetic runs per row.
  const inner = outDims[rank - 1]!;
  const step = strides[rank - 1]!;
  const idx = new Array<number>(rank - 1).fill(0);
  for (let o = 0; o < out.length; o += inner) {
    let s = 0;
    for (let k = 0; k < rank - 1; k++) s += idx[k]! * strides[k]!;
    for (let j = 0; j < inner; j++) o8[o + j] = s8[s + j * step]!;
    for (let k = rank - 2; k >= 0; k--) {
      if (++idx[k]! < outDims[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

/**
 * Lays out a conv filter [N, C, (H,) W] for ESP-DL.
 * @param bits16 the op runs in 16 bit (S16): align = 8 instead of 16.
 * @param group the conv's `group` (undefined for Gemm/MatMul filters); > 1 means depthwise.
 */
export function convFilterLayout<T extends FilterData>(
  data: T, dims: readonly number[], family: Family, bits16: boolean, group: number | undefined,
): FilterResult<T> {
  const is1d = dims.length === 3;
  const n = dims[0]!;
  const c = dims[1]!;
  const spatial = is1d ? [dims[2]!] : [dims[2]!, dims[3]!];
  const depthwise = group !== undefined && group > 1;
  const tag = is1d ? 'WC' : 'HWC';
  // N C S... -> N S... C
  const nsc = transposeFlat(data, dims, is1d ? [0, 2, 1] : [0, 2, 3, 1]);
  const sc = spatial.reduce((a, b) => a * b, 1) * c;
  let out: T;
  let layout: string;
  if (family === 'c') {
    out = nsc;
    layout = is1d ? 'NWC' : 'NHWC';
    if (depthwise) {
      out = transposeFlat(nsc, [n, ...spatial, c], is1d ? [1, 2, 0] : [1, 2, 3, 0]);
      layout = is1d ? 'WCN' : 'HWCN';
    }
  } else {
    const align = bits16 ? 8 : 16;
    const aligned = Math.floor(n / align) * align;
    out = new (data.constructor as new (k: number) => T)(data.length);
    // (N/align, align, S, C) -> (N/align, S, C, align)
    const blocks = aligned / align;
    if (blocks > 0) {
      const part = nsc.subarray(0, aligned * sc) as T;
      out.set(transposeFlat(part, [blocks, align, sc], [0, 2, 1]), 0);
    }
    if (n % align !== 0) {
      const rest = nsc.subarray(aligned * sc) as T;
      const remain = n - aligned;
      // depthwise remainder: N S C -> C S N (then only reshaped)
      const tail = depthwise ? transposeFlat(rest, [remain, ...spatial, c], is1d ? [2, 1, 0] : [3, 1, 2, 0]) : rest;
      out.set(tail, aligned * sc);
      layout = `(N/${align})${tag}${align}_UNALIGNED`;
    } else layout = `(N/${align})${tag}${align}`;
  }
  const dimsOut = depthwise ? [...spatial, n, c] : [...spatial, c, n];
  return { data: out, dims: dimsOut, layout };
}

/** A Gemm weight (after transB handling: [C, N]) as the 1×1 conv filter [N, C, 1, 1], laid out. */
export function gemmFilterLayout<T extends FilterData>(data: T, c: number, n: number, family: Family, bits16: boolean): FilterResult<T> {
  const nc = transposeFlat(data, [c, n], [1, 0]);
  return convFilterLayout(nc, [n, c, 1, 1], family, bits16, undefined);
}

/** A constant MatMul B [..., C, N]: each [C, N] slice laid out like a Gemm filter; dims unchanged. */
export function matmulFilterLayout<T extends FilterData>(data: T, dims: readonly number[], family: Family, bits16: boolean): FilterResult<T> {
  const c = dims[dims.length - 2]!;
  const n = dims[dims.length - 1]!;
  const out = new (data.constructor as new (k: number) => T)(data.length);
  let layout = 'UNK';
  for (let off = 0; off < data.length; off += c * n) {
    const r = gemmFilterLayout(data.subarray(off, off + c * n) as T, c, n, family, bits16);
    out.set(r.data, off);
    layout = r.layout;
  }
  return { data: out, dims: [...dims], layout };
}
