/**
 * The small linear algebra the fits need: non-negative least squares (Lawson–Hanson) on a handful of columns.
 * Cost constants are rates and times, so a negative one would be a fitting artefact, never a fact.
 */

/** Solves the square system `a·x = b` by Gaussian elimination with partial pivoting (a is copied). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const d = m[c][c];
    if (Math.abs(d) < 1e-300) throw new Error('singular system');
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / d;
      if (f !== 0) for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/** Least squares of the columns in `cols` only (normal equations); other entries are 0. */
function lsqOn(a: readonly (readonly number[])[], y: readonly number[], cols: readonly number[], width: number): number[] {
  const ata = cols.map((i) => cols.map((j) => a.reduce((s, row) => s + row[i] * row[j], 0)));
  const aty = cols.map((i) => a.reduce((s, row, r) => s + row[i] * y[r], 0));
  const z = solve(ata, aty);
  const x = new Array<number>(width).fill(0);
  cols.forEach((c, k) => (x[c] = z[k]));
  return x;
}

/** argmin ‖a·x − y‖² subject to x ≥ 0 (Lawson & Hanson, "Solving Least Squares Problems", 1974, ch. 23). */
export function nnls(a: readonly (readonly number[])[], y: readonly number[]): number[] {
  const n = a[0]?.length ?? 0;
  const x = new Array<number>(n).fill(0);
  const passive = new Set<number>();
  const gradient = (v: readonly number[]) => {
    const r = y.map((yi, i) => yi - a[i].reduce((s, aij, j) => s + aij * v[j], 0));
    return Array.from({ length: n }, (_, j) => a.reduce((s, row, i) => s + row[j] * r[i], 0));
  };
  const tol = 1e-12;
  for (let outer = 0; outer < 10 * n + 10; outer++) {
    const w = gradient(x);
    let best = -1;
    for (let j = 0; j < n; j++) if (!passive.has(j) && w[j] > tol && (best < 0 || w[j] > w[best])) best = j;
    if (best < 0) break;
    passive.add(best);
    for (let inner = 0; inner < 10 * n + 10; inner++) {
      const z = lsqOn(a, y, [...passive].sort((p, q) => p - q), n);
      if ([...passive].every((j) => z[j] > 0)) {
        z.forEach((v, j) => (x[j] = v));
        break;
      }
      let alpha = 1;
      for (const j of passive) if (z[j] <= 0) alpha = Math.min(alpha, x[j] / (x[j] - z[j]));
      for (let j = 0; j < n; j++) x[j] += alpha * (z[j] - x[j]);
      for (const j of [...passive]) if (x[j] <= tol) {
        passive.delete(j);
        x[j] = 0;
      }
    }
  }
  return x;
}
