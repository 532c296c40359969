#!/usr/bin/env node
/**
 * Emits the WebAssembly SIMD128 module behind src/quant/training/ops/wasm-kernels.ts and writes it, as a hex
 * string, between the `@generated` markers of that file. Run `node scripts/gen-wasm-kernels.mjs` after editing
 * this script and commit the result; `--check` exits 1 when the embedded module is stale.
 *
 * Self-contained on purpose (no wabt/wat2wasm available, no dependencies): a tiny binary-format emitter
 * (LEB128, sections, a handful of opcodes; SIMD opcodes are 0xFD + LEB128 index). Exports `memory` and the
 * two drivers documented at gemmB and gemmDot below; the tile sizes are written into the TS file with the bytes.
 * A second module (fake quantization, clip/relu and their gradients, documented at fakeQuantFn below) goes into
 * src/quant/training/ops/wasm-elementwise.ts the same way.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MR = 4; // broadcast kernel: rows per micro-tile
const NV = 2; // broadcast kernel: f32x4 vectors per micro-tile row → NR = 4·NV columns
const NR = 4 * NV;
const KC = 256; // broadcast kernel: reduction slice length
const RD = 4; // dot kernel: rows of A per micro-tile
const QD = 2; // dot kernel: rows of B per micro-tile
const KCD = 512; // dot kernel: reduction slice length (multiple of 8)

// ---- binary encoding ---------------------------------------------------------------------------------
const uleb = (n) => { const o = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const sleb = (n) => {
  const o = [];
  for (;;) {
    const b = n & 0x7f; n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { o.push(b); return o; }
    o.push(b | 0x80);
  }
};
const str = (s) => [...uleb(s.length), ...Buffer.from(s, 'utf8')];
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, body) => [id, ...uleb(body.length), ...body];
const T = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

// ---- instructions ------------------------------------------------------------------------------------
const simd = (code) => [0xfd, ...uleb(code)];
const mem = (align, off) => [align, ...uleb(off)];
const op = {
  get: (i) => [0x20, ...uleb(i)], set: (i) => [0x21, ...uleb(i)], tee: (i) => [0x22, ...uleb(i)],
  i32: (n) => [0x41, ...sleb(n)],
  add: [0x6a], sub: [0x6b], mul: [0x6c], shrU: [0x76], ltS: [0x48], gtS: [0x4a], select: [0x1b],
  f32Load: (off) => [0x2a, ...mem(2, off)], f32Store: (off) => [0x38, ...mem(2, off)], f32Add: [0x92],
  loop: [0x03, 0x40], block: [0x02, 0x40], end: [0x0b], brIf: (d) => [0x0d, ...uleb(d)], call: (f) => [0x10, ...uleb(f)],
  v128Load: (off) => [...simd(0x00), ...mem(4, off)],
  load32Splat: (off) => [...simd(0x09), ...mem(2, off)],
  v128Store: (off) => [...simd(0x0b), ...mem(4, off)],
  v128Zero: [...simd(0x0c), ...new Array(16).fill(0)],
  f32x4Add: simd(0xe4), f32x4Mul: simd(0xe6), f32x4Extract: (lane) => [...simd(0x1f), lane], f32x4Splat: simd(0x13),
  /** i8x16.shuffle picking f32 lanes (0–3 from the first operand, 4–7 from the second). */
  shuffle32: (lanes) => [...simd(0x0d), ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])],
  memCopy: [0xfc, ...uleb(10), 0, 0], memFill: [0xfc, ...uleb(11), 0],
  return: [0x0f],
  // Element-wise kernels (wasm-elementwise.ts). f32x4.nearest rounds half to even; pmin/pmax are the
  // JS-style `b < a ? b : a` / `a < b ? b : a`, which keep a NaN first operand (the clamp of the JS code).
  f32x4Nearest: simd(0x6a), f32x4Sub: simd(0xe5), f32x4PMin: simd(0xea), f32x4PMax: simd(0xeb),
  f32x4Eq: simd(0x41), f32x4Gt: simd(0x44), f32x4Le: simd(0x45), f32x4Ge: simd(0x46),
  v128And: simd(0x4e), v128AndNot: simd(0x4f), v128Or: simd(0x50), v128Bitselect: simd(0x52), v128AnyTrue: simd(0x53),
  i16x8NarrowS: simd(0x85), i8x16NarrowS: simd(0x65), i8x16Splat: simd(0x0f), i8x16Ne: simd(0x24),
  i16x8ExtendLowS: simd(0x87), i16x8ExtendHighS: simd(0x88), i32x4ExtendLowS: simd(0xa7), i32x4ExtendHighS: simd(0xa8),
  f64x2PromoteLow: simd(0x5f), f64x2Add: simd(0xf0), f64x2Mul: simd(0xf2), f64x2Extract: (lane) => [...simd(0x21), lane],
  i8Load: (off) => [0x2d, ...mem(0, off)], i32Store8: (off) => [0x3a, ...mem(0, off)], f64Add: [0xa0],
  shuffle64hi: [...simd(0x0d), 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7],
};

/** A function body: params are locals 0..n-1; `local(type)` appends one more. */
function func(params) {
  const locals = [];
  return {
    params,
    local(type) { locals.push(type); return params.length + locals.length - 1; },
    encode(code) {
      const groups = [];
      for (const t of locals) { const g = groups.at(-1); if (g && g[1] === t) g[0]++; else groups.push([1, t]); }
      const body = [...vec(groups.map(([n, t]) => [...uleb(n), t])), ...code.flat(Infinity), ...op.end];
      return [...uleb(body.length), ...body];
    },
  };
}

// ---- broadcast kernel (gemmNN, gemmTN): C tile[MR×NR] += Σ_k A(r,k)·B(k,0..NR) -------------------------
// A(r,k) is the f32 at a + r·4 + k·astep (a packed panel, or Aᵀ read in place); B row k is NR floats at b + k·ldb.
// All strides are in bytes. Each k: NV vector loads of B, MR splat loads of A, MR·NV multiply + add.
function broadcastMicro() {
  const f = func([T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32]);
  const [a, astep, b, ldb, c, ldc, kc] = [0, 1, 2, 3, 4, 5, 6];
  const acc = Array.from({ length: MR * NV }, () => f.local(T.v128));
  const bv = Array.from({ length: NV }, () => f.local(T.v128));
  const av = f.local(T.v128);
  const code = [];
  for (const x of acc) code.push(op.v128Zero, op.set(x));
  code.push(op.loop);
  for (let j = 0; j < NV; j++) code.push(op.get(b), op.v128Load(16 * j), op.set(bv[j]));
  for (let r = 0; r < MR; r++) {
    code.push(op.get(a), op.load32Splat(4 * r), op.set(av));
    for (let j = 0; j < NV; j++) {
      const x = acc[r * NV + j];
      code.push(op.get(x), op.get(av), op.get(bv[j]), op.f32x4Mul, op.f32x4Add, op.set(x));
    }
  }
  code.push(addLocal(a, astep), addLocal(b, ldb));
  code.push(op.get(kc), op.i32(-1), op.add, op.tee(kc), op.brIf(0), op.end);
  for (let r = 0; r < MR; r++) {
    for (let j = 0; j < NV; j++) {
      code.push(op.get(c), op.get(c), op.v128Load(16 * j), op.get(acc[r * NV + j]), op.f32x4Add, op.v128Store(16 * j));
    }
    if (r < MR - 1) code.push(addLocal(c, ldc));
  }
  return f.encode(code);
}

/**
 * gemmB(a, apanel, astep, b, ldb, c, ldc, nrb, nqb, I): the whole product in KC-long reduction slices; row panel rb
 * of A starts at a + rb·apanel, column panel qb of B at b + qb·NR·4, C tile (rb, qb) at c + rb·MR·ldc + qb·NR·4.
 * Column panels outermost so one B slice (KC rows × NR floats) stays in L1 while the A panels stream.
 */
function broadcastDriver(micro) {
  const f = func(new Array(10).fill(T.i32));
  const [a, apanel, astep, b, ldb, c, ldc, nrb, nqb, I] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [i0, kc, qb, rb] = [f.local(T.i32), f.local(T.i32), f.local(T.i32), f.local(T.i32)];
  const code = [op.i32(0), op.set(i0), op.loop, minSlice(kc, I, i0, KC)];
  code.push(op.i32(0), op.set(qb), op.loop, op.i32(0), op.set(rb), op.loop);
  code.push(op.get(a), mulL(rb, apanel), op.add, mulL(i0, astep), op.add, op.get(astep));
  code.push(op.get(b), mulC(qb, NR * 4), op.add, mulL(i0, ldb), op.add, op.get(ldb));
  code.push(op.get(c), mulC(rb, MR), op.get(ldc), op.mul, op.add, mulC(qb, NR * 4), op.add, op.get(ldc));
  code.push(op.get(kc), op.call(micro));
  code.push(countTo(rb, nrb), op.end, countTo(qb, nqb), op.end);
  code.push(addConst(i0, KC), op.get(i0), op.get(I), op.ltS, op.brIf(0), op.end);
  return f.encode(code);
}

// ---- dot kernel (gemmNT): C tile[RD×QD] += Σ_k A(r,k)·B(q,k), both rows unit-stride in k --------------------
// Rows are zero-padded to a multiple of 8 floats; each iteration does 8 k (two vectors per row), the lanes are
// summed once per slice. Strides in bytes; kc8 = slice length / 8.
function dotMicro() {
  const f = func([T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32]);
  const [a, lda, b, ldb, c, ldc, kc8] = [0, 1, 2, 3, 4, 5, 6];
  const ap = Array.from({ length: RD }, () => f.local(T.i32));
  const bp = Array.from({ length: QD }, () => f.local(T.i32));
  const acc = Array.from({ length: RD * QD }, () => f.local(T.v128));
  const av = Array.from({ length: RD }, () => f.local(T.v128));
  const bv = Array.from({ length: QD }, () => f.local(T.v128));
  const code = [];
  ap.forEach((p, r) => code.push(op.get(a), op.get(lda), op.i32(r), op.mul, op.add, op.set(p)));
  bp.forEach((p, q) => code.push(op.get(b), op.get(ldb), op.i32(q), op.mul, op.add, op.set(p)));
  for (const x of acc) code.push(op.v128Zero, op.set(x));
  code.push(op.loop);
  for (const off of [0, 16]) {
    ap.forEach((p, r) => code.push(op.get(p), op.v128Load(off), op.set(av[r])));
    bp.forEach((p, q) => code.push(op.get(p), op.v128Load(off), op.set(bv[q])));
    for (let r = 0; r < RD; r++) {
      for (let q = 0; q < QD; q++) {
        const x = acc[r * QD + q];
        code.push(op.get(x), op.get(av[r]), op.get(bv[q]), op.f32x4Mul, op.f32x4Add, op.set(x));
      }
    }
  }
  for (const p of [...ap, ...bp]) code.push(addConst(p, 32));
  code.push(op.get(kc8), op.i32(-1), op.add, op.tee(kc8), op.brIf(0), op.end);
  for (let r = 0; r < RD; r++) {
    for (let q = 0; q < QD; q++) {
      const x = acc[r * QD + q];
      code.push(op.get(c), op.get(c), op.f32Load(4 * q));
      for (let l = 0; l < 4; l++) code.push(op.get(x), op.f32x4Extract(l), op.f32Add);
      code.push(op.f32Store(4 * q));
    }
    if (r < RD - 1) code.push(addLocal(c, ldc));
  }
  return f.encode(code);
}

/**
 * gemmDot(a, lda, b, ldb, c, ldc, nrb, nqb, I8): C[nrb·RD × nqb·QD] += A · Bᵀ over I8 (a multiple of 8) columns,
 * in KCD-long slices; row panels of A outermost so the RD rows of one slice stay in L1 while B streams.
 */
function dotDriver(micro) {
  const f = func(new Array(9).fill(T.i32));
  const [a, lda, b, ldb, c, ldc, nrb, nqb, I8] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [i0, kc, qb, rb] = [f.local(T.i32), f.local(T.i32), f.local(T.i32), f.local(T.i32)];
  const code = [op.i32(0), op.set(i0), op.loop, minSlice(kc, I8, i0, KCD)];
  code.push(op.i32(0), op.set(rb), op.loop, op.i32(0), op.set(qb), op.loop);
  code.push(op.get(a), mulC(rb, RD), op.get(lda), op.mul, op.add, mulC(i0, 4), op.add, op.get(lda));
  code.push(op.get(b), mulC(qb, QD), op.get(ldb), op.mul, op.add, mulC(i0, 4), op.add, op.get(ldb));
  code.push(op.get(c), mulC(rb, RD), op.get(ldc), op.mul, op.add, mulC(qb, QD * 4), op.add, op.get(ldc));
  code.push(op.get(kc), op.i32(3), op.shrU, op.call(micro));
  code.push(countTo(qb, nqb), op.end, countTo(rb, nrb), op.end);
  code.push(addConst(i0, KCD), op.get(i0), op.get(I8), op.ltS, op.brIf(0), op.end);
  return f.encode(code);
}

// ---- depthwise convolution helpers ----------------------------------------------------------------------
// One call per (plane, tap): the output plane (rows of n8 vector pairs, row stride in bytes) against the zero-padded
// input plane seen through the tap's offset, row stride sh·xw·4 and column stride sw ∈ {1, 2} (sw = 2 gathers the
// even lanes of two loads, or interleaves zeros before a scatter). Padded output lanes must be zero (scatter, dot).
const EVEN = [0, 2, 4, 6], LO = [0, 4, 1, 4], HI = [2, 4, 3, 4];
/** Pushes the x vector v of the pair at `p` (stride sw floats). */
const gather = (p, sw, v) => {
  const o = 16 * sw * v;
  return sw === 1 ? [op.get(p), op.v128Load(o)] : [op.get(p), op.v128Load(o), op.get(p), op.v128Load(o + 16), op.shuffle32(EVEN)];
};

/**
 * Row × vector loop around `body`: for rows: for n8 pairs of vectors: body(v = 0), body(v = 1); pointers p
 * (+32/pair, +ldp/row) and x (+32·sw/pair, +ldx/row). Two independent vectors per iteration for ILP.
 */
function planeLoop(f, { p, ldp, x, ldx, rows, n8, sw }, body) {
  const [pp, xp, k] = [f.local(T.i32), f.local(T.i32), f.local(T.i32)];
  return [
    op.loop, op.get(p), op.set(pp), op.get(x), op.set(xp), op.get(n8), op.set(k),
    op.loop, body(pp, xp, 0), body(pp, xp, 1), addConst(pp, 32), addConst(xp, 32 * sw),
    op.get(k), op.i32(-1), op.add, op.tee(k), op.brIf(0), op.end,
    addLocal(p, ldp), addLocal(x, ldx), op.get(rows), op.i32(-1), op.add, op.tee(rows), op.brIf(0), op.end,
  ];
}

/** dwAxpy{sw}(alpha, y, ldy, x, ldx, rows, n8): y[r][q] += alpha · x[r·ldx + q·sw] (forward). */
function dwAxpy(sw) {
  const f = func([T.f32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32]);
  const [alpha, y, ldy, x, ldx, rows, n8] = [0, 1, 2, 3, 4, 5, 6];
  const av = f.local(T.v128);
  const body = (yp, xp, v) =>
    [op.get(yp), op.get(yp), op.v128Load(16 * v), op.get(av), gather(xp, sw, v), op.f32x4Mul, op.f32x4Add, op.v128Store(16 * v)];
  return f.encode([op.get(alpha), op.f32x4Splat, op.set(av), planeLoop(f, { p: y, ldp: ldy, x, ldx, rows, n8, sw }, body)]);
}

/** dwScatter{sw}(alpha, g, ldg, d, ldd, rows, n8): g[r·ldg + q·sw] += alpha · d[r][q] (input gradient). */
function dwScatter(sw) {
  const f = func([T.f32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32]);
  const [alpha, g, ldg, d, ldd, rows, n8] = [0, 1, 2, 3, 4, 5, 6];
  const [av, t] = [f.local(T.v128), f.local(T.v128)];
  const addAt = (gp, off, v) => [op.get(gp), op.get(gp), op.v128Load(off), v, op.f32x4Add, op.v128Store(off)];
  const body = (dp, gp, v) => {
    const prod = [op.get(av), op.get(dp), op.v128Load(16 * v), op.f32x4Mul], o = 16 * sw * v;
    if (sw === 1) return addAt(gp, o, prod);
    return [prod, op.set(t), addAt(gp, o, [op.get(t), op.v128Zero, op.shuffle32(LO)]), addAt(gp, o + 16, [op.get(t), op.v128Zero, op.shuffle32(HI)])];
  };
  return f.encode([op.get(alpha), op.f32x4Splat, op.set(av), planeLoop(f, { p: d, ldp: ldd, x: g, ldx: ldg, rows, n8, sw }, body)]);
}

/** dwDot{sw}(d, ldd, x, ldx, rows, n8) → Σ d[r][q] · x[r·ldx + q·sw] (weight gradient; two accumulators). */
function dwDot(sw) {
  const f = func([T.i32, T.i32, T.i32, T.i32, T.i32, T.i32]);
  const [d, ldd, x, ldx, rows, n8] = [0, 1, 2, 3, 4, 5];
  const acc = [f.local(T.v128), f.local(T.v128)];
  const body = (dp, xp, v) => [op.get(acc[v]), op.get(dp), op.v128Load(16 * v), gather(xp, sw, v), op.f32x4Mul, op.f32x4Add, op.set(acc[v])];
  const hsum = [op.get(acc[0]), op.get(acc[1]), op.f32x4Add, op.set(acc[0])];
  hsum.push([0, 1, 2, 3].map((l) => [op.get(acc[0]), op.f32x4Extract(l), ...(l ? op.f32Add : [])]));
  return f.encode([op.v128Zero, op.set(acc[0]), op.v128Zero, op.set(acc[1]), planeLoop(f, { p: d, ldp: ldd, x, ldx, rows, n8, sw }, body), hsum]);
}

/** copyRows(dst, ldd, src, lds, rows, bytes): memory.copy row by row (strides in bytes; rows ≥ 1). */
function copyRowsFn() {
  const f = func(new Array(6).fill(T.i32));
  const [dst, ldd, src, lds, rows, bytes] = [0, 1, 2, 3, 4, 5];
  return f.encode([op.loop, op.get(dst), op.get(src), op.get(bytes), op.memCopy, addLocal(dst, ldd), addLocal(src, lds),
    op.get(rows), op.i32(-1), op.add, op.tee(rows), op.brIf(0), op.end]);
}

/** fill0(dst, bytes). */
function fill0Fn() {
  const f = func([T.i32, T.i32]);
  return f.encode([op.get(0), op.i32(0), op.get(1), op.memFill]);
}

// ---- element-wise kernels (wasm-elementwise.ts) ---------------------------------------------------------
// Counts are of 16-element groups (four vectors per iteration; callers pad scratch so whole groups may be read
// and written past the end), except dotF64 which reads exactly 4·n4 floats. Pointers are in bytes.
/** Pushes four f32x4 splats of the f32 params into new v128 locals. */
const splats = (f, params) => params.map((p) => { const l = f.local(T.v128); return { l, code: [op.get(p), op.f32x4Splat, op.set(l)] }; });
/** Closes a do-while over `count` groups. */
const countDown = (count) => [op.get(count), op.i32(-1), op.add, op.tee(count), op.brIf(0), op.end];

/**
 * fakeQuant{Dyds}(x, out, mask, dyds, g16, inv, s, qmin, qmax) → underflow flag: per element v = x·inv,
 * r = nearest(v) + 0 (half-even; +0 turns −0 into +0 like the JS magic-number rounding), q = clamp(r) with JS
 * comparison semantics (NaN stays NaN), mask byte = (q == r), out = q·s, dyds = mask ? q − v : q. The Dyds
 * variant returns 1 if some nonzero x gave v = ±0 (x·inv underflowed in f32, where the JS float64 product does
 * not: the sign of a zero dyds could then differ, so the caller redoes that run in JS).
 */
function fakeQuantFn(withDyds) {
  const f = func([T.i32, T.i32, T.i32, T.i32, T.i32, T.f32, T.f32, T.f32, T.f32]);
  const [x, out, mask, dyds, g16] = [0, 1, 2, 3, 4];
  const [invV, sV, loV, hiV] = splats(f, [5, 6, 7, 8]);
  const [one8, flag, xv, v, r, q] = [0, 1, 2, 3, 4, 5].map(() => f.local(T.v128));
  const m = [0, 1, 2, 3].map(() => f.local(T.v128));
  const code = [invV.code, sV.code, loV.code, hiV.code, op.i32(1), op.i8x16Splat, op.set(one8), op.v128Zero, op.set(flag), op.loop];
  for (let j = 0; j < 4; j++) {
    code.push(op.get(x), op.v128Load(16 * j), op.tee(xv), op.get(invV.l), op.f32x4Mul, op.tee(v));
    code.push(op.f32x4Nearest, op.v128Zero, op.f32x4Add, op.tee(r), op.get(loV.l), op.f32x4PMax, op.get(hiV.l), op.f32x4PMin, op.set(q));
    code.push(op.get(q), op.get(r), op.f32x4Eq, op.set(m[j]));
    code.push(op.get(out), op.get(q), op.get(sV.l), op.f32x4Mul, op.v128Store(16 * j));
    if (!withDyds) continue;
    code.push(op.get(dyds), op.get(q), op.get(v), op.f32x4Sub, op.get(q), op.get(m[j]), op.v128Bitselect, op.v128Store(16 * j));
    code.push(op.get(flag), op.get(v), op.v128Zero, op.f32x4Eq, op.get(xv), op.v128Zero, op.f32x4Eq, op.v128AndNot, op.v128Or, op.set(flag));
  }
  code.push(op.get(mask), op.get(m[0]), op.get(m[1]), op.i16x8NarrowS, op.get(m[2]), op.get(m[3]), op.i16x8NarrowS, op.i8x16NarrowS);
  code.push(op.get(one8), op.v128And, op.v128Store(0));
  code.push(addConst(x, 64), addConst(out, 64), addConst(mask, 16), withDyds ? addConst(dyds, 64) : [], countDown(g16));
  code.push(op.get(flag), op.v128AnyTrue);
  return f.encode(code);
}

/** clamp(x, out, g16, lo, hi): out = x < lo ? lo : x > hi ? hi : x (NaN stays NaN; −0 stays −0). */
function clampFn() {
  const f = func([T.i32, T.i32, T.i32, T.f32, T.f32]);
  const [x, out, g16] = [0, 1, 2];
  const [loV, hiV] = splats(f, [3, 4]);
  const code = [loV.code, hiV.code, op.loop];
  for (let j = 0; j < 4; j++) {
    code.push(op.get(out), op.get(x), op.v128Load(16 * j), op.get(loV.l), op.f32x4PMax, op.get(hiV.l), op.f32x4PMin, op.v128Store(16 * j));
  }
  code.push(addConst(x, 64), addConst(out, 64), countDown(g16));
  return f.encode(code);
}

/** g = mask ? g + dy : g, per lane (a masked-out lane keeps its bits, −0 included). */
const maskedAdd = (g, dy, mask, j) => [op.get(g), op.get(g), op.v128Load(16 * j), op.get(dy), op.v128Load(16 * j), op.f32x4Add,
  op.get(g), op.v128Load(16 * j), mask, op.v128Bitselect, op.v128Store(16 * j)];

/** rangeAdd(g, dy, x, g16, lo, hi): g += dy where lo ≤ x ≤ hi (torch.clamp's inclusive gradient mask). */
function rangeAddFn() {
  const f = func([T.i32, T.i32, T.i32, T.i32, T.f32, T.f32]);
  const [g, dy, x, g16] = [0, 1, 2, 3];
  const [loV, hiV] = splats(f, [4, 5]);
  const xv = f.local(T.v128);
  const code = [loV.code, hiV.code, op.loop];
  for (let j = 0; j < 4; j++) {
    const mask = [op.get(x), op.v128Load(16 * j), op.tee(xv), op.get(loV.l), op.f32x4Ge, op.get(xv), op.get(hiV.l), op.f32x4Le, op.v128And];
    code.push(maskedAdd(g, dy, mask, j));
  }
  code.push(addConst(g, 64), addConst(dy, 64), addConst(x, 64), countDown(g16));
  return f.encode(code);
}

/** maskAdd(g, dy, mask, g16): g += dy where the mask byte is nonzero. */
function maskAddFn() {
  const f = func([T.i32, T.i32, T.i32, T.i32]);
  const [g, dy, mask, g16] = [0, 1, 2, 3];
  const [m8, m16] = [f.local(T.v128), f.local(T.v128)];
  const code = [op.loop, op.get(mask), op.v128Load(0), op.v128Zero, op.i8x16Ne, op.set(m8)];
  for (let j = 0; j < 4; j++) {
    if (j % 2 === 0) code.push(op.get(m8), j ? op.i16x8ExtendHighS : op.i16x8ExtendLowS, op.set(m16));
    code.push(maskedAdd(g, dy, [op.get(m16), j % 2 ? op.i32x4ExtendHighS : op.i32x4ExtendLowS], j));
  }
  code.push(addConst(g, 64), addConst(dy, 64), addConst(mask, 16), countDown(g16));
  return f.encode(code);
}

/** dotF64(a, b, n4) → Σ a·b over 4·n4 floats; products are exact in float64, summed in two f64x2 accumulators. */
function dotF64Fn() {
  const f = func([T.i32, T.i32, T.i32]);
  const [a, b, n4] = [0, 1, 2];
  const [av, bv, lo, hi] = [0, 1, 2, 3].map(() => f.local(T.v128));
  const code = [op.v128Zero, op.set(lo), op.v128Zero, op.set(hi), op.loop];
  code.push(op.get(a), op.v128Load(0), op.set(av), op.get(b), op.v128Load(0), op.set(bv));
  code.push(op.get(lo), op.get(av), op.f64x2PromoteLow, op.get(bv), op.f64x2PromoteLow, op.f64x2Mul, op.f64x2Add, op.set(lo));
  const high = (l) => [op.get(l), op.get(l), op.shuffle64hi, op.f64x2PromoteLow];
  code.push(op.get(hi), high(av), high(bv), op.f64x2Mul, op.f64x2Add, op.set(hi));
  code.push(addConst(a, 16), addConst(b, 16), countDown(n4));
  code.push(op.get(lo), op.get(hi), op.f64x2Add, op.set(lo), op.get(lo), op.f64x2Extract(0), op.get(lo), op.f64x2Extract(1), op.f64Add);
  return f.encode(code);
}

// Small code fragments shared by the drivers.
const addLocal = (l, m) => [op.get(l), op.get(m), op.add, op.set(l)];
const addConst = (l, n) => [op.get(l), op.i32(n), op.add, op.set(l)];
const mulL = (x, y) => [op.get(x), op.get(y), op.mul];
const mulC = (x, n) => [op.get(x), op.i32(n), op.mul];
/** kc = min(n, I − i0). */
const minSlice = (kc, I, i0, n) => [op.i32(n), op.get(I), op.get(i0), op.sub, op.tee(kc), op.get(kc), op.i32(n), op.gtS, op.select, op.set(kc)];
/** Closes a do-while: l += 1; continue while l < n. */
const countTo = (l, n) => [addConst(l, 1), op.get(l), op.get(n), op.ltS, op.brIf(0)];

// ---- modules -----------------------------------------------------------------------------------------
const i32s = (n) => new Array(n).fill(T.i32);
function kernelFuncs() {
  return [
    { params: i32s(7), body: broadcastMicro() },
    { params: i32s(10), body: broadcastDriver(0), name: 'gemmB' },
    { params: i32s(7), body: dotMicro() },
    { params: i32s(9), body: dotDriver(2), name: 'gemmDot' },
    ...[1, 2].flatMap((sw) => [
      { params: [T.f32, ...i32s(6)], body: dwAxpy(sw), name: `dwAxpy${sw}` },
      { params: [T.f32, ...i32s(6)], body: dwScatter(sw), name: `dwScatter${sw}` },
      { params: i32s(6), results: [T.f32], body: dwDot(sw), name: `dwDot${sw}` },
    ]),
    { params: i32s(6), body: copyRowsFn(), name: 'copyRows' },
    { params: i32s(2), body: fill0Fn(), name: 'fill0' },
  ];
}

function elementwiseFuncs() {
  const q = [...i32s(5), T.f32, T.f32, T.f32, T.f32];
  return [
    { params: q, results: [T.i32], body: fakeQuantFn(false), name: 'fakeQuant' },
    { params: q, results: [T.i32], body: fakeQuantFn(true), name: 'fakeQuantDyds' },
    { params: [...i32s(3), T.f32, T.f32], body: clampFn(), name: 'clamp' },
    { params: [...i32s(4), T.f32, T.f32], body: rangeAddFn(), name: 'rangeAdd' },
    { params: i32s(4), body: maskAddFn(), name: 'maskAdd' },
    { params: i32s(3), results: [T.f64], body: dotF64Fn(), name: 'dotF64' },
  ];
}

function buildModule(funcs) {
  const sigOf = (f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec((f.results ?? []).map((t) => [t]))];
  const keys = funcs.map((f) => sigOf(f).join(','));
  const arities = [...new Set(keys)];
  const exports = [[...str('memory'), 0x02, 0], ...funcs.flatMap((f, i) => (f.name ? [[...str(f.name), 0x00, ...uleb(i)]] : []))];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(arities.map((k) => k.split(',').map(Number)))),
    ...section(3, vec(keys.map((k) => uleb(arities.indexOf(k))))),
    ...section(5, vec([[0x00, ...uleb(1)]])),
    ...section(7, vec(exports)),
    ...section(10, vec(funcs.map((f) => f.body))),
  ]);
}

// ---- embed -------------------------------------------------------------------------------------------
const hexLines = (bytes) => Buffer.from(bytes).toString('hex').match(/.{1,100}/g).map((l) => `  '${l}'`).join(' +\n');
const GENERATED = '// @generated by scripts/gen-wasm-kernels.mjs: do not edit by hand, rerun the script.';

function renderKernels(bytes) {
  return [
    GENERATED,
    '/** Micro-tiles: broadcast kernel MR×NR, dot kernel RD×QD (C is padded to whole tiles). */',
    `const MR = ${MR}, NR = ${NR}, RD = ${RD}, QD = ${QD};`,
    `/** The module (${bytes.length} bytes), hex-encoded. */`,
    `const WASM_HEX =\n${hexLines(bytes)};`,
    '// @end-generated',
  ].join('\n');
}

function renderElementwise(bytes) {
  return [GENERATED, `/** The module (${bytes.length} bytes), hex-encoded. */`, `const WASM_HEX =\n${hexLines(bytes)};`, '// @end-generated'].join('\n');
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const targets = [
  { file: 'src/quant/training/ops/wasm-kernels.ts', bytes: buildModule(kernelFuncs()), render: renderKernels },
  { file: 'src/quant/training/ops/wasm-elementwise.ts', bytes: buildModule(elementwiseFuncs()), render: renderElementwise },
];
let stale = false;
for (const { file, bytes, render } of targets) {
  const target = join(root, file);
  if (!WebAssembly.validate(bytes)) throw new Error(`${file}: generated module does not validate (SIMD128 unsupported?)`);
  const source = readFileSync(target, 'utf8');
  const re = /\/\/ @generated[\s\S]*?\/\/ @end-generated/;
  if (!re.test(source)) throw new Error(`${target}: no @generated … @end-generated block`);
  const next = source.replace(re, render(bytes));
  if (process.argv.includes('--check')) {
    if (next !== source) { console.error(`${target} is stale: run node scripts/gen-wasm-kernels.mjs`); stale = true; }
  } else if (next !== source) {
    writeFileSync(target, next);
    console.log(`wrote ${bytes.length}-byte module into ${target}`);
  } else {
    console.log(`${target} is up to date (${bytes.length}-byte module)`);
  }
}
if (stale) process.exit(1);
