/**
 * The quantization use case on a simplified model (ESP-PPQ's quantizer pipeline, esp-ppq.md §3.5):
 * dispatch + configs → fusion → simplify → parameter quantization → calibration → alignment → passive
 * parameters. Pre-quant passes (equalization, split) and training passes plug in around it.
 */
import type { DataSource } from '../data/source.js';
import type { InferenceRuntime } from '../exec/runtime.js';
import { cloneModel, type Model } from '../ir/graph.js';
import type { Logger } from '../log.js';
import { calibrateActivations, quantizeParameters } from './calibrate.js';
import { createQuantizedGraph } from './configs.js';
import type { QuantOptions } from './options.js';
import { alignmentPass } from './passes/alignment.js';
import { fusionPass } from './passes/fusion.js';
import { passiveParamsPass } from './passes/passive-params.js';
import { simplifyPass } from './passes/simplify.js';
import { layerwiseEqualization } from './passes/equalization.js';
import { splitLayers } from './passes/horizontal-split.js';
import { decomposeConvTranspose } from './passes/convtranspose-decomposition.js';
import type { QuantizedGraph } from './types.js';
import { runTrainingPass, type TrainingPass } from './training/run-pass.js';
import { simCollector } from './training/collect.js';

export interface QuantizeContext {
  runtime: InferenceRuntime;
  /** Calibration data (streamed; iterated once per calibration pass). */
  data: DataSource;
  batchSize: number;
  logger: Logger;
  signal?: AbortSignal;
  /** Wall-clock source for stage timings (injected: the core does not read the clock itself). */
  now?: () => number;
}

export interface QuantizeResult {
  graph: QuantizedGraph;
  timingsMs: Record<string, number>;
}

/**
 * ESP-PPQ's pre-quant pipeline (quantizer/base.py): split, equalization, ConvTranspose decomposition, on the float model. ESP-PPQ
 * dispatches first, so a split layer's clone and Add inherit its platform (int16 if the layer is int16).
 */
function preQuantPasses(model: Model, opts: QuantOptions, logger: Logger): { model: Model; opts: QuantOptions } {
  // The caller's model is shared across candidates (a search prepares it once): every pass from here on, the
  // training passes included, works on this copy (tensors are shared until a pass replaces one).
  let m = cloneModel(model);
  let int16Layers = opts.int16Layers;
  if (opts.weightSplit) {
    const { model: split, splits } = splitLayers(m, opts.weightSplit, logger);
    m = split;
    const extra = splits.filter((s) => int16Layers.includes(s.layer)).flatMap((s) => [s.clone, s.add]);
    if (extra.length > 0) int16Layers = [...int16Layers, ...extra];
  }
  if (opts.equalization) m = layerwiseEqualization(m, opts.equalization, logger);
  // ConvTransposeDecompositionPass (on by default in espdl_setting): ESP-DL runs ConvTranspose as InsertZeros + Conv.
  m = decomposeConvTranspose(m);
  return { model: m, opts: { ...opts, int16Layers } };
}

/**
 * ESP-PPQ's post-calibration passes in its order (quantizer/base.py): BiasCorrectionPass, then
 * TrainedQuantizationThresholdPass, then AdaroundPass; each re-derives passive (bias) exponents afterwards.
 */
async function trainingPasses(graph: QuantizedGraph, opts: QuantOptions, ctx: QuantizeContext): Promise<void> {
  const passes: TrainingPass[] = [];
  if (opts.biasCorrection) passes.push({ kind: 'bias_correction', options: opts.biasCorrection });
  if (opts.tqt) passes.push({ kind: 'tqt', options: opts.tqt });
  if (opts.blockwiseReconstruction) passes.push({ kind: 'blockwise_reconstruction', options: opts.blockwiseReconstruction });
  if (passes.length === 0) return;
  const collect = simCollector(ctx.runtime, ctx.data, ctx.batchSize, graph.storedParams);
  for (const pass of passes) await runTrainingPass(graph, pass, collect, ctx.logger, ctx.signal);
}

export async function quantizeGraph(model: Model, opts: QuantOptions, ctx: QuantizeContext): Promise<QuantizeResult> {
  const now = ctx.now ?? (() => 0);
  const timingsMs: Record<string, number> = {};
  const stage = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const t0 = now();
    const r = await fn();
    timingsMs[name] = (timingsMs[name] ?? 0) + (now() - t0);
    return r;
  };
  const pre = await stage('prequant', () => preQuantPasses(model, opts, ctx.logger));
  const graph = await stage('dispatch', () => createQuantizedGraph(pre.model, pre.opts, ctx.logger));
  await stage('fusion', () => { fusionPass(graph); simplifyPass(graph); });
  await stage('parameters', () => quantizeParameters(graph));
  await stage('calibration', () => calibrateActivations(graph, {
    runtime: ctx.runtime, data: ctx.data, batchSize: ctx.batchSize, calibSteps: opts.calibSteps, logger: ctx.logger,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  }));
  await stage('alignment', () => { alignmentPass(graph, opts.alignment); passiveParamsPass(graph); });
  await stage('training', () => trainingPasses(graph, opts, ctx));
  return { graph, timingsMs };
}
