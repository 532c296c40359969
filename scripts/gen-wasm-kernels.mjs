#!/usr/bin/env node
/**
 * Emits the WebAssembly SIMD128 module behind src/quant/training/ops/wasm-kernels.ts and writes it, as a hex
 * string, between the `@generated` markers of that file. Run `node scripts/gen-wasm-kernels.mjs` after editing
 * this script and commit the result; `--check` exits 1 when the embedded module is stale.
 *
 * Self-contained on purpose (no wabt/wat2wasm available, no dependencies): a tiny binary-format emitter
 * (LEB128, sections, a handful of opcodes; SIMD opcodes are 0xFD + LEB128 index). Exports `memory` and the
 * two drivers documented at gemmB and gemmDot below; the tile sizes are written into the TS file with the bytes.
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
const T = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

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

// Small code fragments shared by the drivers.
const addLocal = (l, m) => [op.get(l), op.get(m), op.add, op.set(l)];
const addConst = (l, n) => [op.get(l), op.i32(n), op.add, op.set(l)];
const mulL = (x, y) => [op.get(x), op.get(y), op.mul];
const mulC = (x, n) => [op.get(x), op.i32(n), op.mul];
/** kc = min(n, I − i0). */
const minSlice = (kc, I, i0, n) => [op.i32(n), op.get(I), op.get(i0), op.sub, op.tee(kc), op.get(kc), op.i32(n), op.gtS, op.select, op.set(kc)];
/** Closes a do-while: l += 1; continue while l < n. */
const countTo = (l, n) => [addConst(l, 1), op.get(l), op.get(n), op.ltS, op.brIf(0)];

// ---- module ------------------------------------------------------------------------------------------
function buildModule() {
  const i32s = (n) => new Array(n).fill(T.i32);
  const funcs = [
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
function render(bytes) {
  const hex = Buffer.from(bytes).toString('hex');
  const lines = hex.match(/.{1,100}/g).map((l) => `  '${l}'`).join(' +\n');
  return [
    '// @generated by scripts/gen-wasm-kernels.mjs: do not edit by hand, rerun the script.',
    '/** Micro-tiles: broadcast kernel MR×NR, dot kernel RD×QD (C is padded to whole tiles). */',
    `const MR = ${MR}, NR = ${NR}, RD = ${RD}, QD = ${QD};`,
    `/** The module (${bytes.length} bytes), hex-encoded. */`,
    `const WASM_HEX =\n${lines};`,
    '// @end-generated',
  ].join('\n');
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'src/quant/training/ops/wasm-kernels.ts');
const bytes = buildModule();
if (!WebAssembly.validate(bytes)) throw new Error('generated module does not validate (SIMD128 unsupported?)');
const source = readFileSync(target, 'utf8');
const re = /\/\/ @generated[\s\S]*?\/\/ @end-generated/;
if (!re.test(source)) throw new Error(`${target}: no @generated … @end-generated block`);
const next = source.replace(re, render(bytes));
if (process.argv.includes('--check')) {
  if (next !== source) { console.error(`${target} is stale: run node scripts/gen-wasm-kernels.mjs`); process.exit(1); }
} else if (next !== source) {
  writeFileSync(target, next);
  console.log(`wrote ${bytes.length}-byte module into ${target}`);
} else {
  console.log(`${target} is up to date (${bytes.length}-byte module)`);
}
