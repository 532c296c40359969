import { describe, expect, it } from 'vitest';
import type { Model, Node } from '../../../../src/ir/graph.js';
import type { Tensor } from '../../../../src/ir/tensor.js';
import type { OpQuant, QuantizedGraph } from '../../../../src/quant/types.js';
import { buildBlocks, describeBlock } from '../../../../src/quant/training/index.js';
import { config } from './tiny-block.js';

const T: Tensor = { dtype: 'float32', dims: [1, 1, 1, 1], data: new Float32Array(1) };
const n = (name: string, opType: string, inputs: string[], outputs: string[]): Node => ({ name, opType, domain: '', inputs, outputs, attributes: new Map() });

describe('describeBlock', () => {
  it('turns a BlockBuilder block of a QuantizedGraph into a Block (inputs, outputs, params, configs)', () => {
    const nodes = [n('c0', 'Conv', ['x', 'w0', 'b0'], ['a']), n('r0', 'Relu', ['a'], ['b']), n('c1', 'Conv', ['b', 'w1'], ['y'])];
    const model = {
      graph: { name: 'g', nodes, inputs: [], outputs: [], initializers: new Map([['w0', T], ['b0', T], ['w1', T]]), valueInfo: new Map() },
    } as unknown as Model;
    const cw = config('w0', { exponent: -3 });
    const ops = new Map<string, OpQuant>([['c0', { node: nodes[0]!, platform: 'ESPDL_INT8', inputs: [undefined, cw, undefined], outputs: [undefined] }]]);
    const qg = { model, target: 'esp32p4', bits: 8, ops, fp32Nodes: [] } as QuantizedGraph;
    const [gb] = buildBlocks(model.graph, (x) => x.opType === 'Conv');
    const b = describeBlock(qg, gb!.nodes);
    expect(b.name).toBe('c0 -> c1');
    expect(b.inputs).toEqual(['x']);
    expect(b.outputs).toEqual(['y']);
    expect([...b.params.keys()]).toEqual(['w0', 'b0', 'w1']);
    expect(b.ops.map((o) => o.node.name)).toEqual(['c0', 'r0', 'c1']);
    expect(b.ops[0]!.inputs[1]).toBe(cw);
    expect(b.ops[1]!.inputs).toEqual([]);
  });
});
