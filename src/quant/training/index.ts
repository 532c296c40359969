/** Training-based passes (TQT, blockwise reconstruction, bias correction) and their block machinery. */
export { buildBlocks, DEFAULT_BLOCK_SIZE, type GraphBlock } from './blocks.js';
export { describeBlock, type Block, type BlockBatch, type BlockOp, type F32 } from './block.js';
export { runTqt, trainableParams, type TqtBlockOptions } from './tqt.js';
export { runAdaround, regularizerBeta, type AdaroundBlockOptions } from './adaround.js';
export { biasCorrect } from './bias-correction.js';
export { blockLoss, ineligibility, type TrainOutcome } from './train-common.js';
export { runBlock, staticQuant, paramVars, type QuantHook } from './executor.js';
export { OP_RULES } from './op-rules.js';
export { runTrainingPass, applyOutcome, isQuantableComputing, type BlockCollector, type TrainingPass } from './run-pass.js';
export { mobilenetV2Block } from './synthetic-block.js';
export { simCollector } from './collect.js';
