/**
 * Broadcasting Add/Sub/Mul and the unary activations ESP-DL quantizes, with gradients. Each op writes every element
 * of its output, so pooled outputs are taken without zeroing.
 */
import { Tape, type Var } from '../tape.js';
import { broadcastIndex, broadcastShape } from '../../../ir/tensor-math.js';
import { sharedWasmElementwise, WASM_MIN_ELEMENTS, type WasmElementwise } from './wasm-elementwise.js';

export type BinaryKind = 'Add' | 'Sub' | 'Mul';

/** y = a (+|−|·) b with multidirectional broadcasting; gradients are summed back over broadcast axes. */
export function binary(tape: Tape, kind: BinaryKind, a: Var, b: Var): Var {
  const shape = broadcastShape(a.shape, b.shape);
  const ia = broadcastIndex(a.shape, shape), ib = broadcastIndex(b.shape, shape);
  const out = tape.floats(ia.length, false);
  const ad = a.data, bd = b.data;
  for (let i = 0; i < out.length; i++) {
    const x = ad[ia[i]!]!, z = bd[ib[i]!]!;
    out[i] = kind === 'Add' ? x + z : kind === 'Sub' ? x - z : x * z;
  }
  const y = tape.result(out, shape, [a, b]);
  tape.record(y, (dy) => {
    if (a.requiresGrad) {
      const g = tape.grad(a);
      for (let i = 0; i < dy.length; i++) g[ia[i]!] += kind === 'Mul' ? dy[i]! * bd[ib[i]!]! : dy[i]!;
    }
    if (b.requiresGrad) {
      const g = tape.grad(b);
      for (let i = 0; i < dy.length; i++) g[ib[i]!] += kind === 'Mul' ? dy[i]! * ad[ia[i]!]! : kind === 'Sub' ? -dy[i]! : dy[i]!;
    }
  });
  return y;
}

/** An elementwise op given its value f(x) and derivative f'(x) (evaluated at the input). */
function unary(tape: Tape, x: Var, f: (v: number) => number, df: (v: number) => number): Var {
  const xd = x.data;
  const out = tape.floats(xd.length, false);
  for (let i = 0; i < xd.length; i++) out[i] = f(xd[i]!);
  const y = tape.result(out, x.shape, [x]);
  tape.record(y, (dy) => {
    const g = tape.grad(x);
    for (let i = 0; i < dy.length; i++) g[i] += dy[i]! * df(xd[i]!);
  });
  return y;
}

const sigm = (v: number): number => 1 / (1 + Math.exp(-v));

/** The WASM kernels for n elements, when worth their copies (they are bit-identical to the loops below). */
const wasmFor = (n: number): WasmElementwise | undefined => (n >= WASM_MIN_ELEMENTS ? sharedWasmElementwise() : undefined);

/** Clip to [lo, hi]; the gradient passes where lo ≤ x ≤ hi (torch.clamp's inclusive mask). NaN stays NaN. */
export function clip(tape: Tape, x: Var, lo: number, hi: number): Var {
  const xd = x.data, n = xd.length;
  const out = tape.floats(n, false);
  if (!wasmFor(n)?.clamp(xd, lo, hi, out)) clampJs(xd, lo, hi, out);
  const y = tape.result(out, x.shape, [x]);
  tape.record(y, (dy) => {
    const g = tape.grad(x);
    if (!wasmFor(n)?.rangeAdd(g, dy, xd, lo, hi)) rangeAddJs(g, dy, xd, lo, hi);
  });
  return y;
}

/** The smallest positive float32 (subnormal): x ≥ it ⟺ x > 0 for float32 x, so relu's gradient is a range. */
const F32_MIN_POSITIVE = 2 ** -149;

/** Relu = clip to [0, ∞) except that the gradient at exactly 0 is 0 (torch.relu); NaN stays NaN. */
export function relu(tape: Tape, x: Var): Var {
  const xd = x.data, n = xd.length;
  const out = tape.floats(n, false);
  if (!wasmFor(n)?.clamp(xd, 0, Infinity, out)) clampJs(xd, 0, Infinity, out);
  const y = tape.result(out, x.shape, [x]);
  tape.record(y, (dy) => {
    const g = tape.grad(x);
    if (!wasmFor(n)?.rangeAdd(g, dy, xd, F32_MIN_POSITIVE, Infinity)) rangeAddJs(g, dy, xd, F32_MIN_POSITIVE, Infinity);
  });
  return y;
}

/** out = x < lo ? lo : x > hi ? hi : x (JS fallback and test reference of the WASM clamp). */
export function clampJs(xd: Float32Array, lo: number, hi: number, out: Float32Array): void {
  for (let i = 0; i < xd.length; i++) { const v = xd[i]!; out[i] = v < lo ? lo : v > hi ? hi : v; }
}

/** g += dy where lo ≤ x ≤ hi (JS fallback and test reference of the WASM rangeAdd). */
export function rangeAddJs(g: Float32Array, dy: Float32Array, xd: Float32Array, lo: number, hi: number): void {
  for (let i = 0; i < g.length; i++) { const v = xd[i]!; if (v >= lo && v <= hi) g[i] += dy[i]!; }
}

export function sigmoid(tape: Tape, x: Var): Var {
  return unary(tape, x, sigm, (v) => { const s = sigm(v); return s * (1 - s); });
}

/** ONNX HardSigmoid: max(0, min(1, alpha·x + beta)). */
export function hardSigmoid(tape: Tape, x: Var, alpha: number, beta: number): Var {
  return unary(tape, x, (v) => Math.min(1, Math.max(0, alpha * v + beta)), (v) => {
    const t = alpha * v + beta;
    return t > 0 && t < 1 ? alpha : 0;
  });
}

/** ONNX HardSwish: x · HardSigmoid(x, 1/6, 0.5). */
export function hardSwish(tape: Tape, x: Var): Var {
  return unary(tape, x, (v) => v * Math.min(1, Math.max(0, v / 6 + 0.5)), (v) => {
    if (v <= -3) return 0;
    if (v >= 3) return 1;
    return v / 3 + 0.5;
  });
}

/** Swish: x · sigmoid(alpha·x). */
export function swish(tape: Tape, x: Var, alpha: number): Var {
  return unary(tape, x, (v) => v * sigm(alpha * v), (v) => {
    const s = sigm(alpha * v);
    return s + alpha * v * s * (1 - s);
  });
}
