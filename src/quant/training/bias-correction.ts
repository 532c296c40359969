/**
 * Bias correction's statistical core (docs/esp-ppq.md §3.12; esp_ppq/quantization/optim/training.py
 * BiasCorrectionPass.correct_bias): for each Conv/Gemm of the block with a constant bias, the per-channel mean
 * of its output is measured over all cached batches in float (block dequantized) and quantized; bias += mean_fp −
 * mean_qt (all biases at once); the change is kept only if the block loss does not get worse.
 */
import type { Logger } from '../../log.js';
import { nullLogger } from '../../log.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Block, BlockBatch } from './block.js';
import { paramVars, runBlock, staticQuant, type QuantHook } from './executor.js';
import { leaf, Tape, type Var } from './tape.js';
import { allFinite, blockLoss, ineligibility, secondsOf, stopwatch, type TrainingContext, type TrainOutcome } from './train-common.js';

interface Target { readonly output: string; readonly bias: string; readonly axis: 'conv' | 'gemm' }

function targets(block: Block): Target[] {
  const out: Target[] = [];
  for (const op of block.ops) {
    const t = op.node.opType;
    const bias = op.node.inputs[2] ?? '';
    if ((t === 'Conv' || t === 'Gemm') && op.node.inputs.length === 3 && block.params.get(bias)?.dtype === 'float32') {
      out.push({ output: op.node.outputs[0]!, bias, axis: t === 'Conv' ? 'conv' : 'gemm' });
    }
  }
  return out;
}

/** Conv: mean over every axis but 1; Gemm: mean over axis 0 (collect_bias). */
function channelMean(v: Var, axis: 'conv' | 'gemm'): Float64Array {
  const s = v.shape;
  const c = axis === 'conv' ? s[1]! : v.data.length / s[0]!;
  const inner = axis === 'conv' ? v.data.length / (s[0]! * c) : 1;
  const out = new Float64Array(c);
  const d = v.data;
  // Each channel's values are added in index order (the order of one pass over the tensor).
  for (let base = 0; base < d.length; base += c * inner) {
    for (let k = 0; k < c; k++) {
      let sum = out[k]!;
      const start = base + k * inner;
      for (let i = start; i < start + inner; i++) sum += d[i]!;
      out[k] = sum;
    }
  }
  const count = v.data.length / c;
  for (let k = 0; k < c; k++) out[k] /= count;
  return out;
}

/** Accumulates, batch by batch, the mean over batches of each target's per-batch channel means. */
function meanAccumulator(ts: readonly Target[], batchCount: number) {
  const acc = ts.map(() => undefined as Float64Array | undefined);
  return {
    add(values: ReadonlyMap<string, Var>): void {
      ts.forEach((t, k) => {
        const m = channelMean(values.get(t.output)!, t.axis);
        const a = (acc[k] ??= new Float64Array(m.length));
        for (let i = 0; i < m.length; i++) a[i] += m[i]! / batchCount;
      });
    },
    means: (): Float64Array[] => acc.map((a) => a ?? new Float64Array(0)),
  };
}

/** Mean over batches of each target's per-batch channel means. */
function means(block: Block, batches: readonly BlockBatch[], params: ReadonlyMap<string, Var>, quant: QuantHook | undefined, ts: readonly Target[]): Float64Array[] {
  const acc = meanAccumulator(ts, batches.length);
  for (const b of batches) acc.add(runBlock(new Tape(), block, b.inputs, params, quant));
  return acc.means();
}

/** Bias correction of one block. Pure: returns the corrected biases or why they were not kept. */
export function biasCorrect(block: Block, batches: readonly BlockBatch[], log: Logger = nullLogger, ctx: TrainingContext = {}): TrainOutcome {
  const why = ineligibility(block, batches);
  if (why) { log.debug(`bias correction ${block.name}: skipped, ${why}`); return { status: 'ineligible', block: block.name, reason: why }; }
  const ts = targets(block);
  if (ts.length === 0) return { status: 'ineligible', block: block.name, reason: 'no Conv/Gemm with a constant bias' };
  const stop = stopwatch(ctx.now);
  const params = paramVars(block, new Set());
  // The quantized means come from the same forward passes as the loss before correction.
  const quantized = meanAccumulator(ts, batches.length);
  const preLoss = blockLoss(block, batches, params, staticQuant, (values) => quantized.add(values));
  const fp = means(block, batches, params, undefined, ts), qt = quantized.means();
  const updated = new Map<string, Tensor>();
  const next = new Map(params);
  ts.forEach((t, k) => {
    const b = params.get(t.bias)!, data = b.data.slice();
    for (let i = 0; i < data.length; i++) data[i] += fp[k]![i]! - qt[k]![i]!;
    updated.set(t.bias, { dtype: 'float32', dims: [...b.shape], data });
    next.set(t.bias, leaf(data, b.shape));
  });
  const postLoss = blockLoss(block, batches, next, staticQuant);
  const seconds = secondsOf(stop);
  const finite = Number.isFinite(postLoss) && [...updated.values()].every((t) => allFinite(t.data as Float32Array));
  if (!finite || postLoss > preLoss) {
    const reason = finite ? `block loss got worse (${preLoss.toExponential(4)} -> ${postLoss.toExponential(4)})` : 'non-finite result';
    log.debug(`bias correction ${block.name}: restored, ${reason}`);
    return { status: 'restored', block: block.name, reason, preLoss, postLoss, steps: 0, ...seconds };
  }
  log.debug(`bias correction ${block.name}: block loss ${preLoss.toExponential(4)} -> ${postLoss.toExponential(4)}`);
  return { status: 'updated', block: block.name, preLoss, postLoss, params: updated, exponents: new Map(), steps: 0, ...seconds };
}
