/**
 * Adam with PyTorch's default semantics (torch.optim.Adam: β1 0.9, β2 0.999, eps 1e-8, no weight decay,
 * bias-corrected moments, eps added after dividing √v by √(1 − β2^t)).
 */
import type { Var } from './tape.js';

export interface AdamOptions { lr: number; beta1?: number; beta2?: number; eps?: number }

export class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;

  constructor(private readonly params: readonly Var[], private readonly opts: AdamOptions) {
    this.m = params.map((p) => new Float32Array(p.data.length));
    this.v = params.map((p) => new Float32Array(p.data.length));
    this.b1 = opts.beta1 ?? 0.9;
    this.b2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
  }

  /** Clears gradients (optimizer.zero_grad with set_to_none). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = undefined;
  }

  /** One update from the current gradients (parameters without a gradient are skipped, as in PyTorch). */
  step(): void {
    this.t++;
    const bc1 = 1 - this.b1 ** this.t, bc2 = Math.sqrt(1 - this.b2 ** this.t);
    const stepSize = this.opts.lr / bc1;
    this.params.forEach((p, k) => {
      const g = p.grad;
      if (!g) return;
      const m = this.m[k]!, v = this.v[k]!, d = p.data;
      for (let i = 0; i < d.length; i++) {
        const gi = g[i]!;
        m[i] = this.b1 * m[i]! + (1 - this.b1) * gi;
        v[i] = this.b2 * v[i]! + (1 - this.b2) * gi * gi;
        d[i] -= (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2 + this.eps);
      }
    });
  }
}
