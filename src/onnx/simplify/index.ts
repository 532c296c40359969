/**
 * Graph simplification before quantization: what ESP-PPQ gets from onnxsim plus its own graph formatting
 * (esp_ppq/api/espdl_interface.py espdl_quantize_onnx → onnxsim; esp_ppq/parser/onnx_parser.py → format_graph).
 * Node and value names survive wherever a node survives; each pass documents what it does with names.
 */
import { cloneModel, onnxOpset, type Model } from '../../ir/graph.js';
import { nullLogger, type Logger } from '../../log.js';
import { constantsToInitializers } from './constants.js';
import { fixBatchTo1 } from './fix-batch.js';
import { foldConstants } from './fold.js';
import { batchNormToConv, fuseBatchNorm } from './fuse-bn.js';
import { fuseBiasAdd } from './fuse-bias.js';
import { fuseRmsNorm } from './fuse-rmsnorm.js';
import { fuseSwish } from './fuse-swish.js';
import { upgradeLegacyAttributes } from './legacy-attrs.js';
import { nameNodes } from './name-nodes.js';
import { pruneUnused } from './prune.js';
import { removeIdentity } from './remove-identity.js';
import { splitSharedParams } from './split-shared-params.js';

export interface SimplifyOptions {
  logger?: Logger;
  /** Turn a symbolic/unknown/-1 batch dim of graph inputs and outputs into 1. Default false. */
  fixBatchTo1?: boolean;
}

/**
 * Returns a simplified copy of `model` (the input is not modified; unchanged tensors are shared). Order: batch
 * fix (so Shape can fold) → Constant → initializer → constant folding → Identity/Dropout removal (these three
 * stand in for onnxsim) → naming of nameless nodes → one copy per reader of a shared parameter → legacy
 * Clip/Pad/Slice attributes → bias-Add fusion → BN fusion → lone BN → Conv → Swish → RMSNorm → pruning (ESP-PPQ's format_graph order).
 * The result may contain `Swish` / `RMSNormalization` nodes that onnxruntime lacks: run it through
 * exec/for-onnxruntime.ts forOnnxRuntime.
 */
export function simplifyModel(model: Model, opts: SimplifyOptions = {}): Model {
  const log = opts.logger ?? nullLogger;
  const m = cloneModel(model);
  const g = m.graph;
  if (opts.fixBatchTo1) fixBatchTo1(g, log);
  constantsToInitializers(g, log);
  foldConstants(g, onnxOpset(m), log);
  removeIdentity(g, log);
  nameNodes(g, log);
  splitSharedParams(g, log);
  upgradeLegacyAttributes(m, log);
  fuseBiasAdd(g, log);
  fuseBatchNorm(g, log);
  batchNormToConv(g, log);
  fuseSwish(g, log);
  fuseRmsNorm(m, log);
  pruneUnused(g, log);
  return m;
}
