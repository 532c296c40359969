/**
 * The quantization use case on a simplified model (ESP-PPQ's quantizer pipeline, docs/esp-ppq.md §3.5), as two
 * pipelines run by ir/pass.ts:
 * - on the float model: horizontal split, equalization, ConvTranspose decomposition (quantizer/base.py's
 *   pre-quant passes), then dispatch, which makes the QuantizedGraph;
 * - on the QuantizedGraph: fusion → simplify → parameter quantization → calibration → alignment → passive
 *   parameters, then the training passes ESP-PPQ runs after calibration (bias correction, TQT, AdaRound).
 * Passes a setting leaves off are not in the list (so they have no timing either).
 */
import type { DataSource } from '../data/source.js';
import type { InferenceRuntime } from '../exec/runtime.js';
import { cloneModel, type Model } from '../ir/graph.js';
import { runPipeline, type Pass, type PassHooks, type Pipeline } from '../ir/pass.js';
import { describeGraph, validateGraph } from '../ir/validate.js';
import type { Logger } from '../log.js';
import { calibrateActivations, quantizeParameters } from './calibrate.js';
import { createQuantizedGraph } from './configs.js';
import { describeQuantizedGraph, validateQuantizedGraph } from './describe.js';
import type { QuantOptions } from './options.js';
import { alignmentPass } from './passes/alignment.js';
import { decomposeConvTranspose } from './passes/convtranspose-decomposition.js';
import { layerwiseEqualization } from './passes/equalization.js';
import { fusionPass } from './passes/fusion.js';
import { splitLayers } from './passes/horizontal-split.js';
import { passiveParamsPass } from './passes/passive-params.js';
import { simplifyPass } from './passes/simplify.js';
import { memoized, type QuantMemo } from './memo.js';
import { simCollector } from './training/collect.js';
import { runTrainingPass, type BlockCollector, type TrainingPass } from './training/run-pass.js';
import type { ShardHelper } from './training/shards.js';
import type { QuantizedGraph } from './types.js';

export interface QuantizeContext {
  runtime: InferenceRuntime;
  /** Calibration data (streamed; iterated once per calibration pass). */
  data: DataSource;
  batchSize: number;
  logger: Logger;
  signal?: AbortSignal;
  /** Wall-clock source for pass timings (injected: the core does not read the clock itself). */
  now?: () => number;
  /** Graph checks and dumps after every pass (debugging; a shell turns them on). */
  debug?: Pick<PassHooks, 'validate' | 'dump'>;
  /** Work shared with earlier quantizations of the same search (same data, batch size and steps). */
  memo?: QuantMemo;
  /** A second thread for the training passes' sample shards (a shell lends one; same results without). */
  trainingHelper?: ShardHelper;
}

export interface QuantizeResult {
  graph: QuantizedGraph;
  /** Milliseconds per pass name. */
  timingsMs: Record<string, number>;
}

/** The float model as the pre-quant passes rewrite it; dispatch turns it into `graph`. */
interface FloatStage {
  model: Model;
  /** Grows when a split layer listed as int16 gets a clone and an Add (they inherit its platform). */
  int16Layers: string[];
  graph?: QuantizedGraph;
}

interface QuantizePassContext extends QuantizeContext {
  opts: QuantOptions;
  /** One collector serves every training pass of a quantization (see training/collect.ts). */
  collect(graph: QuantizedGraph): BlockCollector;
}

const horizontalLayerSplit: Pass<FloatStage, QuantizePassContext> = {
  name: 'horizontal_layer_split',
  run(stage, ctx) {
    const { model, splits } = splitLayers(stage.model, ctx.opts.weightSplit!, ctx.logger);
    stage.model = model;
    const extra = splits.filter((s) => stage.int16Layers.includes(s.layer)).flatMap((s) => [s.clone, s.add]);
    if (extra.length > 0) stage.int16Layers = [...stage.int16Layers, ...extra];
  },
};

/**
 * ESP-PPQ dispatches first, so a split layer's clone and Add inherit its platform (int16 if the layer is int16):
 * dispatch here reads the int16 list the split pass extended.
 */
function floatPipeline(opts: QuantOptions): Pipeline<FloatStage, QuantizePassContext> {
  const passes: Pass<FloatStage, QuantizePassContext>[] = [];
  if (opts.weightSplit) passes.push(horizontalLayerSplit);
  if (opts.equalization) {
    passes.push({ name: 'layerwise_equalization', run: (s, ctx) => { s.model = layerwiseEqualization(s.model, ctx.opts.equalization!, ctx.logger); } });
  }
  // ConvTransposeDecompositionPass (on by default in espdl_setting): ESP-DL runs ConvTranspose as InsertZeros + Conv.
  passes.push({ name: 'convtranspose_decomposition', run: (s) => { s.model = decomposeConvTranspose(s.model); } });
  passes.push({
    name: 'dispatch',
    run: (s, ctx) => { s.graph = createQuantizedGraph(s.model, { ...ctx.opts, int16Layers: s.int16Layers }, ctx.logger); },
  });
  return {
    name: 'prequant', passes,
    validate: (s) => validateGraph(s.model.graph),
    describe: (s) => (s.graph ? describeQuantizedGraph(s.graph) : describeGraph(s.model.graph)),
  };
}

function trainingPass(pass: TrainingPass): Pass<QuantizedGraph, QuantizePassContext> {
  return {
    name: pass.kind,
    run: (g, ctx) => memoized(ctx.memo, g, `${pass.kind}|${JSON.stringify(pass.options)}|batch ${ctx.batchSize}`,
      () => runTrainingPass(g, pass, ctx.collect(g), ctx.logger, ctx.signal, {
        ...(ctx.now ? { now: ctx.now } : {}), ...(ctx.trainingHelper ? { helper: ctx.trainingHelper } : {}),
      })),
  };
}

/** ESP-PPQ's order (quantizer/base.py); each training pass re-derives passive (bias) exponents afterwards. */
function quantPipeline(opts: QuantOptions): Pipeline<QuantizedGraph, QuantizePassContext> {
  const passes: Pass<QuantizedGraph, QuantizePassContext>[] = [
    { name: 'quantize_fusion', run: fusionPass },
    { name: 'quantize_simplify', run: simplifyPass },
    { name: 'parameter_quantize', run: quantizeParameters },
    {
      name: 'runtime_calibration',
      run: (g, ctx) => memoized(ctx.memo, g, `calibration|batch ${ctx.batchSize}|steps ${ctx.opts.calibSteps}`, () => calibrateActivations(g, {
        runtime: ctx.runtime, data: ctx.data, batchSize: ctx.batchSize, calibSteps: ctx.opts.calibSteps, logger: ctx.logger,
        ...(ctx.signal ? { signal: ctx.signal } : {}), ...(ctx.memo ? { ranges: ctx.memo.ranges } : {}),
      })),
    },
    { name: 'quant_alignment', run: (g, ctx) => alignmentPass(g, ctx.opts.alignment) },
    { name: 'passive_parameter_quantize', run: passiveParamsPass },
  ];
  if (opts.biasCorrection) passes.push(trainingPass({ kind: 'bias_correction', options: opts.biasCorrection }));
  if (opts.tqt) passes.push(trainingPass({ kind: 'tqt', options: opts.tqt }));
  if (opts.blockwiseReconstruction) passes.push(trainingPass({ kind: 'blockwise_reconstruction', options: opts.blockwiseReconstruction }));
  return { name: 'quantize', passes, validate: validateQuantizedGraph, describe: describeQuantizedGraph };
}

export async function quantizeGraph(model: Model, opts: QuantOptions, ctx: QuantizeContext): Promise<QuantizeResult> {
  const timingsMs: Record<string, number> = {};
  const hooks: PassHooks = {
    timings: timingsMs, ...ctx.debug,
    ...(ctx.now ? { now: ctx.now } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  ctx.memo?.checkData(ctx.data);
  let collector: BlockCollector | undefined;
  const passCtx: QuantizePassContext = {
    ...ctx, opts,
    collect: (g) => (collector ??= simCollector(ctx.runtime, ctx.data, ctx.batchSize, g.storedParams)),
  };
  // The caller's model is shared across candidates (a search prepares it once): every pass from here on, the
  // training passes included, works on this copy (tensors are shared until a pass replaces one).
  const stage: FloatStage = { model: cloneModel(model), int16Layers: opts.int16Layers };
  await runPipeline(floatPipeline(opts), stage, passCtx, hooks);
  const graph = stage.graph!;
  await runPipeline(quantPipeline(opts), graph, passCtx, hooks);
  return { graph, timingsMs };
}
