/**
 * The unit the training passes work on: a sub-graph (ESP-PPQ TrainableBlock, esp_ppq/quantization/algorithm/
 * training.py) with its quantization configs, float parameters, and per-batch cached data.
 */
import type { Node } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { QuantizedGraph, TensorQuantConfig } from '../types.js';

/** One op of a block with its config per input/output slot (an OpQuant works as is; [] for float ops). */
export interface BlockOp {
  readonly node: Node;
  readonly inputs: readonly (TensorQuantConfig | undefined)[];
  readonly outputs: readonly (TensorQuantConfig | undefined)[];
}

export interface Block {
  /** `sp → ep` for logs. */
  readonly name: string;
  /** Ops in execution (topological) order. */
  readonly ops: readonly BlockOp[];
  /** Non-constant values entering the block (PPQ: the non-parameter inputs of sp), fed from the cache. */
  readonly inputs: readonly string[];
  /** Values compared with the float reference (PPQ: the outputs of ep). */
  readonly outputs: readonly string[];
  /** Every constant input of the block's ops by value name (float weights/biases, Reshape shapes, Clip bounds). */
  readonly params: ReadonlyMap<string, Tensor>;
}

/** A float tensor of cached activations. */
export interface F32 {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** One calibration batch: the block inputs as the quantized graph produces them, and the float graph's outputs. */
export interface BlockBatch {
  readonly inputs: ReadonlyMap<string, F32>;
  readonly reference: ReadonlyMap<string, F32>;
}

/**
 * Describes a block of `qg` from its nodes (as `buildBlocks` returns them, in topological order). Block inputs
 * are the non-initializer inputs of the first node (PPQ collects `block.sp.inputs` that are not parameters).
 */
export function describeBlock(qg: QuantizedGraph, nodes: readonly Node[]): Block {
  const g = qg.model.graph;
  const sp = nodes[0]!, ep = nodes[nodes.length - 1]!;
  const params = new Map<string, Tensor>();
  for (const n of nodes) {
    for (const i of n.inputs) {
      const t = i ? g.initializers.get(i) : undefined;
      if (t) params.set(i, t);
    }
  }
  const ops: BlockOp[] = nodes.map((node) => {
    const q = qg.ops.get(node.name);
    return { node, inputs: q ? q.inputs : [], outputs: q ? q.outputs : [] };
  });
  return {
    name: `${sp.name} -> ${ep.name}`,
    ops,
    inputs: sp.inputs.filter((i) => i !== '' && !g.initializers.has(i)),
    outputs: ep.outputs.filter((o) => o !== ''),
    params,
  };
}
