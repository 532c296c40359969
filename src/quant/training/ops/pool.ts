/** MaxPool, AveragePool (count_include_pad) and GlobalAveragePool on NCHW, with gradients. */
import { Tape, type Var } from '../tape.js';

export interface PoolAttrs {
  kernel: readonly [number, number];
  strides: readonly [number, number];
  /** [top, left, bottom, right]. */
  pads: readonly [number, number, number, number];
  dilations: readonly [number, number];
  ceilMode: boolean;
  countIncludePad: boolean;
}

function outSize(inp: number, k: number, s: number, p0: number, p1: number, d: number, ceil: boolean): number {
  const span = inp + p0 + p1 - d * (k - 1) - 1;
  let o = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // PyTorch/ONNX: the last window must start inside the input or left padding.
  if (ceil && (o - 1) * s >= inp + p0) o--;
  return o;
}

/**
 * Visits each output element: `fn(outIndex, taps)` gets the flat input indices of the window that fall inside
 * the input plus the window size including padding (for count_include_pad).
 */
function forEachWindow(x: Var, a: PoolAttrs, fn: (o: number, taps: number[], padded: number) => void): number[] {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [kh, kw] = a.kernel, [sh, sw] = a.strides, [dh, dw] = a.dilations, [pt, pl, pb, pr] = a.pads;
  const oh = outSize(h, kh, sh, pt, pb, dh, a.ceilMode), ow = outSize(w, kw, sw, pl, pr, dw, a.ceilMode);
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    for (let r = 0; r < oh; r++) {
      for (let q = 0; q < ow; q++, o++) {
        const taps: number[] = [];
        const r0 = r * sh - pt, q0 = q * sw - pl;
        // count_include_pad counts taps inside the padded input, not beyond it (ceil_mode overhang).
        const rEnd = Math.min(r0 + (kh - 1) * dh + 1, h + pb), qEnd = Math.min(q0 + (kw - 1) * dw + 1, w + pr);
        const padded = Math.ceil((rEnd - r0) / dh) * Math.ceil((qEnd - q0) / dw);
        for (let i = 0; i < kh; i++) {
          const ih = r0 + i * dh;
          if (ih < 0 || ih >= h) continue;
          for (let j = 0; j < kw; j++) {
            const iw = q0 + j * dw;
            if (iw >= 0 && iw < w) taps.push((p * h + ih) * w + iw);
          }
        }
        fn(o, taps, padded);
      }
    }
  }
  return [n, c, oh, ow];
}

export function maxPool(tape: Tape, x: Var, a: PoolAttrs): Var {
  const vals: number[] = [], arg: number[] = [];
  const shape = forEachWindow(x, a, (_o, taps) => {
    let best = -Infinity, bi = -1;
    for (const t of taps) if (x.data[t]! > best) { best = x.data[t]!; bi = t; }
    vals.push(best); arg.push(bi);
  });
  const y = tape.result(Float32Array.from(vals), shape, [x]);
  tape.record(y, (dy) => {
    const g = tape.grad(x);
    for (let i = 0; i < dy.length; i++) if (arg[i]! >= 0) g[arg[i]!] += dy[i]!;
  });
  return y;
}

export function averagePool(tape: Tape, x: Var, a: PoolAttrs): Var {
  const windows: number[][] = [], divs: number[] = [];
  const shape = forEachWindow(x, a, (_o, taps, padded) => {
    windows.push(taps);
    divs.push(a.countIncludePad ? padded : taps.length);
  });
  const out = tape.floats(windows.length);
  for (let o = 0; o < out.length; o++) {
    let s = 0;
    for (const t of windows[o]!) s += x.data[t]!;
    out[o] = s / divs[o]!;
  }
  const y = tape.result(out, shape, [x]);
  tape.record(y, (dy) => {
    const g = tape.grad(x);
    for (let o = 0; o < dy.length; o++) for (const t of windows[o]!) g[t] += dy[o]! / divs[o]!;
  });
  return y;
}

export function globalAveragePool(tape: Tape, x: Var): Var {
  const [n, c] = x.shape as [number, number];
  const plane = x.data.length / (n * c);
  const out = tape.floats(n * c);
  for (let p = 0; p < n * c; p++) {
    let s = 0;
    for (let k = p * plane; k < (p + 1) * plane; k++) s += x.data[k]!;
    out[p] = s / plane;
  }
  const y = tape.result(out, [n, c, ...x.shape.slice(2).map(() => 1)], [x]);
  tape.record(y, (dy) => {
    const g = tape.grad(x);
    for (let p = 0; p < n * c; p++) for (let k = p * plane; k < (p + 1) * plane; k++) g[k] += dy[p]! / plane;
  });
  return y;
}
