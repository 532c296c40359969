/**
 * The training passes over a whole QuantizedGraph, block by block as ESP-PPQ's optimize() loops do
 * (esp_ppq/quantization/optim/training.py, legacy.py): build blocks, collect each block's data right before
 * training it (so it sees the updates of earlier blocks), train, apply what was kept, and finally re-derive the
 * passive (bias) exponents like the PassiveParameterQuantizePass ESP-PPQ runs after TQT and AdaRound.
 */
import type { Logger } from '../../log.js';
import { opInfo } from '../../ops/registry.js';
import type { BiasCorrectionOptions, BlockwiseReconstructionOptions, TqtOptions } from '../options.js';
import { passiveParamsPass } from '../passes/passive-params.js';
import type { QuantizedGraph } from '../types.js';
import { runAdaround } from './adaround.js';
import { biasCorrect } from './bias-correction.js';
import { describeBlock, type Block, type BlockBatch } from './block.js';
import { buildBlocks } from './blocks.js';
import type { TrainingContext, TrainOutcome } from './train-common.js';
import { runTqt } from './tqt.js';

export type TrainingPass =
  | { readonly kind: 'bias_correction'; readonly options: BiasCorrectionOptions }
  | { readonly kind: 'tqt'; readonly options: TqtOptions }
  | { readonly kind: 'blockwise_reconstruction'; readonly options: BlockwiseReconstructionOptions };

/**
 * Caches a block's data over the calibration set (ESP-PPQ collect(): every batch of the dataloader, not
 * calib_steps): for each batch, the quantized graph's values of `block.inputs` and the float graph's values of
 * `block.outputs`. Implemented by the caller (it needs the inference runtime).
 */
export type BlockCollector = (qg: QuantizedGraph, block: Block) => Promise<BlockBatch[]>;

/** Writes a kept outcome into the graph: new float parameters and new exponents of self-dominated configs. */
export function applyOutcome(qg: QuantizedGraph, outcome: TrainOutcome): void {
  if (outcome.status !== 'updated') return;
  for (const [name, t] of outcome.params) qg.model.graph.initializers.set(name, t);
  for (const [cfg, e] of outcome.exponents) cfg.exponent = e;
}

/** ESP-PPQ's block starts: quantized (has an OpQuant) computing ops. */
export function isQuantableComputing(qg: QuantizedGraph): (n: { name: string; opType: string }) => boolean {
  return (n) => qg.ops.has(n.name) && opInfo(n.opType).computing;
}

function runOne(pass: TrainingPass, block: Block, batches: BlockBatch[], log: Logger, ctx: TrainingContext): TrainOutcome {
  switch (pass.kind) {
    case 'bias_correction': return biasCorrect(block, batches, log, ctx);
    case 'tqt': return runTqt(block, batches, pass.options, log, ctx);
    case 'blockwise_reconstruction': return runAdaround(block, batches, pass.options, log, ctx);
  }
}

/**
 * Runs one training pass over `qg` in place; returns what happened to every block (in block order). `ctx` times
 * each block (the outcomes' `seconds`) and may lend a helper thread (TrainingContext).
 */
export async function runTrainingPass(
  qg: QuantizedGraph, pass: TrainingPass, collect: BlockCollector, log: Logger, signal?: AbortSignal, ctx: TrainingContext = {},
): Promise<TrainOutcome[]> {
  const g = qg.model.graph;
  const blocks = buildBlocks(g, isQuantableComputing(qg), pass.options.blockSize, pass.options.interestedLayers);
  log.debug(`${pass.kind}: ${blocks.length} block(s)`);
  const outcomes: TrainOutcome[] = [];
  for (const gb of blocks) {
    signal?.throwIfAborted();
    const block = describeBlock(qg, gb.nodes);
    const outcome = runOne(pass, block, await collect(qg, block), log, ctx);
    applyOutcome(qg, outcome);
    outcomes.push(outcome);
  }
  if (pass.kind !== 'bias_correction') passiveParamsPass(qg);
  return outcomes;
}
