/**
 * Float kernels of the ops ESP-PPQ can turn into lookup tables (ACTIVATION_OP_SET ∪ MATH_OP_SET, docs/esp-ppq.md §5.6),
 * following ESP-PPQ's torch forward functions (esp_ppq/executor/op/torch/default.py). Each kernel maps a float32
 * input to a float32 output; computing in double and rounding once to float32 matches torch's float32 kernels
 * except for rare last-ulp differences.
 */
import { attrFloat, attrString } from '../../ir/graph.js';
import type { Node } from '../../ir/graph.js';
import { roundHalfEven } from '../../quant/rounding.js';
import { sleefExpf } from './sleef-expf.js';

export type Kernel = (x: number) => number;

/** erf to double precision (Abramowitz–Stegun 7.1.26 is too coarse; this uses erfc's continued fraction / series). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  // erfc continued fraction (Lentz) for |x| ≥ 2.5
  let f = ax;
  let c = ax;
  let d = 0;
  for (let k = 1; k < 200; k++) {
    const a = k / 2;
    d = ax + a * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = ax + a / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

const f32 = Math.fround;
/** torch.sigmoid's vectorised float32 kernel: reciprocal(1 + exp(0 − x)). */
const sigmoid = (x: number): number => f32(1 / f32(1 + sleefExpf(-x)));

type KernelFactory = (attr: (name: string, fallback: number) => number, params: (number | undefined)[], node: Node) => Kernel;

/** Float kernels by op type (ESP-PPQ's torch forward of each LUT-able op). */
const KERNELS: Readonly<Record<string, KernelFactory>> = {
  Relu: () => (x) => Math.max(x, 0),
  PRelu: (_a, p) => { const s = f32(p[0] ?? 0); return (x) => (x >= 0 ? x : f32(s * x)); },
  LeakyRelu: (a) => { const s = a('alpha', 0.01); return (x) => (x >= 0 ? x : f32(s * x)); },
  Sigmoid: () => sigmoid,
  Tanh: () => (x) => f32(Math.tanh(x)),
  HardSigmoid: (a) => { const al = a('alpha', 0.2); const be = a('beta', 0.5); return (x) => Math.min(Math.max(f32(f32(x * al) + be), 0), 1); },
  // ATen hardswish: x * min(max(x + 3, 0), 6) / 6, each step in float32.
  HardSwish: () => (x) => f32(f32(x * Math.min(Math.max(f32(x + 3), 0), 6)) / 6),
  Elu: (a) => { const al = a('alpha', 1); return (x) => (x > 0 ? x : f32(f32(sleefExpf(x) - 1) * al)); },
  Erf: () => (x) => f32(erf(x)),
  Gelu: (_a, _p, node) => (attrString(node, 'approximate', 'none') === 'tanh'
    ? (x) => f32(0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))))
    : (x) => f32(0.5 * x * (1 + erf(x / Math.SQRT2)))),
  Clip: (a, p) => { const lo = p[0] ?? a('min', -Infinity); const hi = p[1] ?? a('max', Infinity); return (x) => Math.min(Math.max(x, lo), hi); },
  // F.softplus(beta = 1, threshold = 20): linear above the threshold.
  Softplus: () => (x) => (x > 20 ? x : f32(Math.log1p(Math.exp(x)))),
  Swish: (a) => { const al = a('alpha', 1); return (x) => f32(x * sigmoid(f32(al * x))); },
  Identity: () => (x) => x,
  Cast: () => (x) => x,
  Abs: () => Math.abs,
  Exp: () => sleefExpf,
  Log: () => (x) => f32(Math.log(x)),
  Sqrt: () => (x) => f32(Math.sqrt(x)),
  Cos: () => (x) => f32(Math.cos(x)),
  Sin: () => (x) => f32(Math.sin(x)),
  Tan: () => (x) => f32(Math.tan(x)),
  Not: () => (x) => (x === 0 ? 1 : 0),
  Floor: () => Math.floor,
  Ceil: () => Math.ceil,
  Round: () => roundHalfEven,
  Neg: () => (x) => -x,
};

/**
 * The kernel of a LUT-able op. `params` are the op's extra inputs, dequantized (Clip min/max, PRelu slope).
 * Returns undefined for op types without a kernel here.
 */
export function lutKernel(node: Node, params: (number | undefined)[]): Kernel | undefined {
  const factory = Object.hasOwn(KERNELS, node.opType) ? KERNELS[node.opType] : undefined;
  return factory?.((name, d) => f32(attrFloat(node, name, d)), params, node);
}
