/** Filter layouts against hand-computed permutations (docs/esp-ppq.md §5.5). */
import { describe, expect, it } from 'vitest';
import { convFilterLayout, gemmFilterLayout, matmulFilterLayout, transposeFlat } from '../../../../src/espdl/export/filter-layout.js';

/** value = 10·n + k for a filter [N, K] flattened (K = C·H·W in NHWC order after permutation). */
function filter(n: number, per: (i: number) => number[]): Int16Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(...per(i));
  return Int16Array.from(out);
}

describe('transposeFlat', () => {
  it('permutes a 2×3 matrix and a 3-D tensor', () => {
    expect([...transposeFlat(Int8Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0])]).toEqual([1, 4, 2, 5, 3, 6]);
    // [2,1,2] -> perm [2,0,1] gives [2,2,1]: out[k][i][j] = in[i][j][k]
    expect([...transposeFlat(Int8Array.from([1, 2, 3, 4]), [2, 1, 2], [2, 0, 1])]).toEqual([1, 3, 2, 4]);
  });
});

describe('convFilterLayout', () => {
  it('P4 int16: 8 output channels become (N/8)HWC8 blocks, declared [H,W,C,N]', () => {
    // [N=8, C=2, 1, 1], value 10n + c
    const w = filter(8, (n) => [10 * n, 10 * n + 1]);
    const r = convFilterLayout(w, [8, 2, 1, 1], 'p4', true, 1);
    expect(r.layout).toBe('(N/8)HWC8');
    expect(r.dims).toEqual([1, 1, 2, 8]);
    expect([...r.data]).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 1, 11, 21, 31, 41, 51, 61, 71]);
  });

  it('P4 int8 depthwise with an unaligned remainder: remainder stored CHWN, declared [H,W,N,C]', () => {
    // [N=18, C=1, H=1, W=2], value 10n + w
    const w = filter(18, (n) => [10 * n, 10 * n + 1]);
    const r = convFilterLayout(w, [18, 1, 1, 2], 'p4', false, 18);
    expect(r.layout).toBe('(N/16)HWC16_UNALIGNED');
    expect(r.dims).toEqual([1, 2, 18, 1]);
    const block = [...Array(16).keys()].map((n) => 10 * n);
    expect([...r.data]).toEqual([...block, ...block.map((v) => v + 1), 160, 170, 161, 171]);
  });

  it('P4 int8 normal conv with remainder: remainder stays NHWC', () => {
    // [N=17, C=1, 1, 1]
    const w = filter(17, (n) => [n]);
    const r = convFilterLayout(w, [17, 1, 1, 1], 'p4', false, 1);
    expect(r.layout).toBe('(N/16)HWC16_UNALIGNED');
    expect(r.dims).toEqual([1, 1, 1, 17]);
    expect([...r.data]).toEqual([...Array(17).keys()]);
  });

  it('C targets: NHWC, depthwise HWCN', () => {
    // [N=2, C=2, H=1, W=1] value 10n + c -> NHWC keeps order
    const n = convFilterLayout(filter(2, (i) => [10 * i, 10 * i + 1]), [2, 2, 1, 1], 'c', false, 1);
    expect(n.layout).toBe('NHWC');
    expect([...n.data]).toEqual([0, 1, 10, 11]);
    expect(n.dims).toEqual([1, 1, 2, 2]);
    // depthwise [N=2, C=1, H=1, W=2] value 10n + w -> HWCN: [w][n]
    const d = convFilterLayout(filter(2, (i) => [10 * i, 10 * i + 1]), [2, 1, 1, 2], 'c', false, 2);
    expect(d.layout).toBe('HWCN');
    expect([...d.data]).toEqual([0, 10, 1, 11]);
    expect(d.dims).toEqual([1, 2, 2, 1]);
  });

  it('Conv1d: NCW -> NWC on C targets, (N/8)WC8 on P4 int16', () => {
    // [N=2, C=2, W=2] value 100n + 10c + w -> NWC: [n][w][c]
    const w = filter(2, (n) => [100 * n, 100 * n + 1, 100 * n + 10, 100 * n + 11]);
    const c = convFilterLayout(w, [2, 2, 2], 'c', false, 1);
    expect(c.layout).toBe('NWC');
    expect(c.dims).toEqual([2, 2, 2]);
    expect([...c.data]).toEqual([0, 10, 1, 11, 100, 110, 101, 111]);
    const p = convFilterLayout(w, [2, 2, 2], 'p4', true, 1);
    expect(p.layout).toBe('(N/8)WC8_UNALIGNED');
  });
});

describe('gemm/matmul filters', () => {
  it('Gemm [C=2, N=3] becomes the 1×1 conv filter, declared [1,1,C,N]', () => {
    const r = gemmFilterLayout(Int8Array.from([0, 1, 2, 10, 11, 12]), 2, 3, 'p4', false);
    expect(r.layout).toBe('(N/16)HWC16_UNALIGNED');
    expect(r.dims).toEqual([1, 1, 2, 3]);
    expect([...r.data]).toEqual([0, 10, 1, 11, 2, 12]);
  });

  it('constant MatMul B [2, C=2, N=3]: each slice laid out, dims unchanged', () => {
    const r = matmulFilterLayout(Int8Array.from([0, 1, 2, 10, 11, 12, 50, 51, 52, 60, 61, 62]), [2, 2, 3], 'c', false);
    expect(r.layout).toBe('NHWC');
    expect(r.dims).toEqual([2, 2, 3]);
    expect([...r.data]).toEqual([0, 10, 1, 11, 2, 12, 50, 60, 51, 61, 52, 62]);
  });
});
