/**
 * TQT — trained quantization thresholds (Jain et al. 2019) as ESP-PPQ's TrainedQuantizationThresholdPass
 * (docs/esp-ppq.md §3.13; esp_ppq/quantization/optim/training.py + algorithm/training.py TQTDelegator).
 *
 * Trains, per block, the float weights/biases of computing ops and stand-alone Add/Mul, and (isScaleTrainable)
 * a log2-scale α for every ACTIVATED self-dominated config, with Adam over `steps` iterations cycling the cached
 * batches. Loss: Σ block-output MSE + intLambda·Σ mean((α − round α)²) + gamma·Σ MSE(W, Q(W)). Restores
 * (returns 'restored') when the block loss got worse or anything became non-finite.
 *
 * Configs that follow a trainable dominator (PASSIVE, e.g. inputs aligned to an Add output) keep quantizing with
 * the dominator's calibrated scale during training, as ESP-PPQ's CPU path does: TQTDelegator trains a separate
 * `log2_scale` tensor and `config.scale`, which followers read, changes only when the pass writes 2^round(α)
 * after the block (esp_ppq/quantization/algorithm/training.py TQTDelegator.__call__).
 */
import type { Logger } from '../../log.js';
import { nullLogger } from '../../log.js';
import { opInfo } from '../../ops/registry.js';
import type { TensorQuantConfig } from '../types.js';
import { Adam } from './adam.js';
import type { Block, BlockBatch } from './block.js';
import { gridOf, paramVars, scalesOf, staticQuant } from './executor.js';
import { roundHalfEven } from '../rounding.js';
import { fakeQuant } from './fake-quant.js';
import { integerPenalty, meanSquare, scale, sum } from './loss.js';
import { binary } from './ops/elementwise.js';
import { addGrads, ShardedDataTerm, tqtHook, type ShardState } from './shards.js';
import { BufferPool, leaf, Tape, type Var } from './tape.js';
import {
  allFinite, blockLoss, ineligibility, nonFiniteGrad, restoredOutcome, secondsOf, stopwatch, tensorOf, type TrainingContext, type TrainOutcome,
} from './train-common.js';

/** TQTSetting fields that matter for one block (names as QuantOptions.tqt). */
export interface TqtBlockOptions { lr: number; steps: number; isScaleTrainable: boolean; gamma: number; intLambda: number }

/** PPQ clamps log2_scale to this range every forward. */
const ALPHA_LIMIT = 16;

function isQuantable(op: Block['ops'][number]): boolean {
  return op.inputs.length > 0 || op.outputs.length > 0;
}

/** Float parameters PPQ trains: every constant input of quantable computing ops and stand-alone Add/Mul. */
export function trainableParams(block: Block): Set<string> {
  const names = new Set<string>();
  for (const op of block.ops) {
    if (!isQuantable(op) || !(opInfo(op.node.opType).computing || op.node.opType === 'Add' || op.node.opType === 'Mul')) continue;
    for (const i of op.node.inputs) if (i && block.params.get(i)?.dtype === 'float32') names.add(i);
  }
  return names;
}

/** A log2-scale Var per trainable config: ACTIVATED, self-dominated, calibrated. */
function scaleVars(block: Block): Map<TensorQuantConfig, Var> {
  const out = new Map<TensorQuantConfig, Var>();
  for (const op of block.ops) {
    for (const cfg of [...op.inputs, ...op.outputs]) {
      if (!cfg || cfg.state !== 'ACTIVATED' || cfg.dominator !== cfg || cfg.exponent === undefined || out.has(cfg)) continue;
      const e = Array.isArray(cfg.exponent) ? cfg.exponent : [cfg.exponent];
      out.set(cfg, leaf(Float32Array.from(e), [e.length], true));
    }
  }
  return out;
}

/** gamma·MSE(W, Q(W)) with the config's calibrated scale (PPQLinearQuantFunction; per-channel STE is unmasked). */
function weightTerm(tape: Tape, block: Block, params: ReadonlyMap<string, Var>): Var[] {
  const terms: Var[] = [];
  for (const op of block.ops) {
    const cfg = op.inputs[1], w = params.get(op.node.inputs[1] ?? '');
    if (!opInfo(op.node.opType).computing || !cfg || !w || (cfg.state !== 'ACTIVATED' && cfg.state !== 'PASSIVE')) continue;
    const q = fakeQuant(tape, w, scalesOf(cfg), gridOf(cfg), !cfg.perChannel);
    terms.push(meanSquare(tape, binary(tape, 'Sub', w, q)));
  }
  return terms;
}

/** The loss terms on parameters only (computed once per step, not per shard), or undefined when there are none. */
function parameterTerms(tape: Tape, block: Block, params: ReadonlyMap<string, Var>, alphas: ReadonlyMap<TensorQuantConfig, Var>, o: TqtBlockOptions): Var | undefined {
  const terms: Var[] = [];
  if (o.intLambda !== 0 && alphas.size > 0) terms.push(scale(tape, sum(tape, [...alphas.values()].map((a) => integerPenalty(tape, a))), o.intLambda));
  if (o.gamma !== 0) terms.push(...weightTerm(tape, block, params).map((t) => scale(tape, t, o.gamma)));
  return terms.length > 0 ? sum(tape, terms) : undefined;
}

/**
 * Runs TQT on one block. Pure: returns the new weights and exponents, or why they were not kept. `ctx` times the
 * run and may lend a helper thread for the step's second sample shard.
 */
export function runTqt(block: Block, batches: readonly BlockBatch[], o: TqtBlockOptions, log: Logger = nullLogger, ctx: TrainingContext = {}): TrainOutcome {
  const why = ineligibility(block, batches);
  if (why) { log.debug(`TQT ${block.name}: skipped, ${why}`); return { status: 'ineligible', block: block.name, reason: why }; }
  const seconds = stopwatch(ctx.now);
  const names = trainableParams(block);
  const params = paramVars(block, names);
  const alphas = o.isScaleTrainable ? scaleVars(block) : new Map<TensorQuantConfig, Var>();
  const trainable = [...[...names].map((n) => params.get(n)!), ...alphas.values()];
  if (trainable.length === 0) return { status: 'ineligible', block: block.name, reason: 'nothing trainable in the block' };
  const pool = new BufferPool(); // one for the run: the loss checks and every step reuse the same buffers
  const preLoss = blockLoss(block, batches, params, staticQuant, undefined, pool);
  const labelled = new Map<string, Var>([...names].map((n) => [n, params.get(n)!]));
  for (const [c, a] of alphas) labelled.set(`scale of ${c.value}`, a);
  const adam = new Adam(trainable, { lr: o.lr });
  const restored = restoredOutcome('TQT', block, preLoss, log, seconds);
  const dataTerm = new ShardedDataTerm(block, ctx.helper, ctx.splitMinElements);
  const state = (): ShardState => ({ kind: 'tqt', params: [...names].map((n) => [n, params.get(n)!.data]), alphas: [...alphas].map(([c, a]) => [c, a.data]) });
  for (let idx = 0; idx < o.steps; idx++) {
    adam.zeroGrad();
    const tape = new Tape(pool);
    const data = dataTerm.run(batches[idx % batches.length]!, state());
    const reg = parameterTerms(tape, block, params, alphas, o);
    if (!Number.isFinite(data.loss + (reg?.data[0] ?? 0))) return restored(`non-finite loss at step ${idx}`, undefined, idx);
    if (reg) tape.backward(reg);
    addGrads(trainable, data.grads);
    const bad = nonFiniteGrad(labelled);
    if (bad) return restored(`non-finite gradient of ${bad} at step ${idx}`, undefined, idx);
    adam.step();
    for (const a of alphas.values()) for (let i = 0; i < a.data.length; i++) a.data[i] = Math.min(ALPHA_LIMIT, Math.max(-ALPHA_LIMIT, a.data[i]!));
    tape.release();
  }
  const postLoss = blockLoss(block, batches, params, tqtHook(alphas), undefined, pool);
  if (!Number.isFinite(postLoss)) return restored('non-finite block loss after training', postLoss, o.steps);
  if (postLoss > preLoss) return restored(`block loss got worse (${preLoss.toExponential(4)} -> ${postLoss.toExponential(4)})`, postLoss, o.steps);
  const exponents = new Map<TensorQuantConfig, number | number[]>();
  for (const [c, a] of alphas) {
    const e = Array.from(a.data, (v) => roundHalfEven(v));
    exponents.set(c, Array.isArray(c.exponent) ? e : e[0]!);
  }
  const out = new Map([...names].map((n) => [n, tensorOf(params.get(n)!)]));
  if (![...out.values()].every((t) => allFinite(t.data as Float32Array))) return restored('non-finite weights after training', postLoss, o.steps);
  log.debug(`TQT ${block.name}: block loss ${preLoss.toExponential(4)} -> ${postLoss.toExponential(4)}`);
  return { status: 'updated', block: block.name, preLoss, postLoss, params: out, exponents, steps: o.steps, ...secondsOf(seconds) };
}
