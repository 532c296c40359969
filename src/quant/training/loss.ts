/** Scalar loss terms of the training passes, as differentiable ops. */
import { InternalError } from '../../errors.js';
import { roundHalfEven } from '../rounding.js';
import { ADAROUND_GAMMA, ADAROUND_ZETA } from './fake-quant.js';
import { Tape, type Var } from './tape.js';

function scalar(tape: Tape, value: number, inputs: readonly Var[], backward: (g: number) => void): Var {
  const y = tape.result(Float32Array.of(value), [], inputs);
  tape.record(y, (dy) => backward(dy[0]!));
  return y;
}

/**
 * torch_mean_square_error (esp_ppq/quantization/measure/norm.py): per-sample mean of squared differences, then
 * the mean over the batch — equal to the mean over all elements because samples have equal size.
 */
export function mse(tape: Tape, y: Var, ref: Float32Array): Var {
  if (ref.length !== y.data.length) throw new InternalError(`mse: ${y.data.length} values vs reference ${ref.length}`);
  let s = 0;
  for (let i = 0; i < ref.length; i++) { const d = y.data[i]! - ref[i]!; s += d * d; }
  const n = ref.length;
  return scalar(tape, s / n, [y], (g) => {
    const gy = tape.grad(y), k = (g * 2) / n;
    for (let i = 0; i < n; i++) gy[i] += k * (y.data[i]! - ref[i]!);
  });
}

/** Σ terms (scalars). */
export function sum(tape: Tape, terms: readonly Var[]): Var {
  const v = terms.reduce((s, t) => s + t.data[0]!, 0);
  return scalar(tape, v, terms, (g) => {
    for (const t of terms) if (t.requiresGrad) tape.grad(t)[0] += g;
  });
}

/** c · x for a scalar x. */
export function scale(tape: Tape, x: Var, c: number): Var {
  return scalar(tape, c * x.data[0]!, [x], (g) => { tape.grad(x)[0] += c * g; });
}

/** TQT integer penalty: mean((α − round(α))²) with round detached (gradient 2(α − round α)/n). */
export function integerPenalty(tape: Tape, alpha: Var): Var {
  const n = alpha.data.length;
  let s = 0;
  for (let i = 0; i < n; i++) { const d = alpha.data[i]! - roundHalfEven(alpha.data[i]!); s += d * d; }
  return scalar(tape, s / n, [alpha], (g) => {
    const ga = tape.grad(alpha);
    for (let i = 0; i < n; i++) ga[i] += (g * 2 * (alpha.data[i]! - roundHalfEven(alpha.data[i]!))) / n;
  });
}

/**
 * AdaRound rounding regulariser Σ(1 − |2·h(V) − 1|^β) (without the 0.01 weight; legacy.py AdaroundRegTerm).
 * d/dV = −β|u|^(β−1)·sign(u)·2·h'(V) with u = 2h − 1, h' = (ζ−γ)σ(1−σ) where h is not clipped.
 */
export function roundingRegularizer(tape: Tape, v: Var, beta: number): Var {
  const k = ADAROUND_ZETA - ADAROUND_GAMMA;
  let s = 0;
  const dv = tape.floats(v.data.length);
  for (let i = 0; i < v.data.length; i++) {
    const sg = 1 / (1 + Math.exp(-v.data[i]!));
    const raw = k * sg + ADAROUND_GAMMA;
    const h = Math.min(1, Math.max(0, raw));
    const u = 2 * h - 1, au = Math.abs(u);
    s += 1 - au ** beta;
    const clipped = raw < 0 || raw > 1;
    dv[i] = clipped || au === 0 ? 0 : -beta * au ** (beta - 1) * Math.sign(u) * 2 * k * sg * (1 - sg);
  }
  return scalar(tape, s, [v], (g) => {
    const gv = tape.grad(v);
    for (let i = 0; i < dv.length; i++) gv[i] += g * dv[i]!;
  });
}

/** mean(x²) over all elements. */
export function meanSquare(tape: Tape, x: Var): Var {
  const n = x.data.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x.data[i]! * x.data[i]!;
  return scalar(tape, s / n, [x], (g) => {
    const gx = tape.grad(x);
    for (let i = 0; i < n; i++) gx[i] += (g * 2 * x.data[i]!) / n;
  });
}
