/**
 * float32 exp as torch computes it on x86 CPUs: its vectorised kernels call SLEEF's `Sleef_expf8_u10` (AVX2, with
 * FMA). Port of the algorithm of SLEEF src/libm/sleefsimdsp.c `xexpf` (Cody–Waite reduction by ln 2, degree-6
 * polynomial, ldexp). Needed because ESP-PPQ's int16 LUTs sample 65,536 points and a correctly rounded exp
 * differs from SLEEF's in the last ulp often enough to change a few table entries.
 */
const f32 = Math.fround;
const R_LN2F = f32(1.442695040888963407359924681001892137426645954152985934135449406931);
const L2UF = f32(0.693145751953125);
const L2LF = f32(1.428606765330187045e-6);
const C = [
  0.000198527617612853646278381, 0.00139304355252534151077271, 0.00833336077630519866943359,
  0.0416664853692054748535156, 0.166666671633720397949219, 0.5,
].map(f32);

/** Fused multiply-add rounded once to float32 (a·b of float32 values is exact in double). */
function fma32(a: number, b: number, c: number): number {
  return f32(a * b + c);
}

/** Round to nearest, ties to even (cvtps2dq). */
function rintEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** exp(d) for a float32 `d`, bit-compatible with SLEEF's u10 AVX2 expf. */
export function sleefExpf(d: number): number {
  const q = rintEven(f32(d * R_LN2F));
  let s = fma32(q, -L2UF, d);
  s = fma32(q, -L2LF, s);
  let u = C[0]!;
  for (let i = 1; i < C.length; i++) u = fma32(u, s, C[i]!);
  u = f32(1 + fma32(f32(s * s), u, s));
  const h = q >> 1;
  u = f32(f32(u * 2 ** h) * 2 ** (q - h));
  if (d < -104) return 0;
  if (d > 100) return Infinity;
  return u;
}
