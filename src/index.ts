/** Public library API of espdl-autoquant (explicit re-exports only). */
export * from './errors.js';
export type { Logger } from './log.js';
export { nullLogger } from './log.js';
export type { Model, Graph, Node, ValueInfo, Attribute } from './ir/graph.js';
export type { Tensor, DataType } from './ir/tensor.js';
export * from './quant/types.js';
export { estimateCandidate, costTargetOf, COST_TARGETS } from './cost/index.js';
export type { CandidateEstimate, CostTarget, Deployment, EstimateOptions } from './cost/index.js';
