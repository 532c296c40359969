/** Seeded random data (no Math.random): reproducible test inputs and benchmark calibration sets. */

/** Standard-normal float32 values from a 32-bit LCG + Box–Muller; the same seed always gives the same values. */
export function seededNormal(count: number, seed = 20240601): Float32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 1) / 4294967297;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const t = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(t);
    if (i + 1 < count) out[i + 1] = r * Math.sin(t);
  }
  return out;
}
