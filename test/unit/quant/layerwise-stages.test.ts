import { describe, expect, it } from 'vitest';
import type { Graph, Model, Node, ValueInfo } from '../../../src/ir/graph.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import type { QuantizedGraph } from '../../../src/quant/types.js';
import { layerwiseChain } from '../../../src/quant/layerwise-stages.js';

const W: Tensor = { dtype: 'float32', dims: [4, 4, 1, 1], data: new Float32Array(16) };
const n = (name: string, opType: string, inputs: string[], outputs: string[]): Node => ({ name, opType, domain: '', inputs, outputs, attributes: new Map() });
const v = (name: string, shape: ValueInfo['shape'] = [1, 4, 2, 2]): ValueInfo => ({ name, dtype: 'float32', shape });

/** A graph of `nodes` reading `x` and writing `outputs`; every value has shape [1, 4, 2, 2] unless listed in `unknown`. */
function graph(nodes: Node[], outputs: string[], unknown: string[] = []): QuantizedGraph {
  const values = nodes.flatMap((m) => m.outputs).filter((o) => !unknown.includes(o));
  const g: Graph = {
    name: 'g', nodes, inputs: [v('x')], outputs: outputs.map((o) => v(o)),
    initializers: new Map(nodes.flatMap((m) => m.inputs.filter((i) => i.startsWith('w'))).map((w) => [w, W])),
    valueInfo: new Map(values.map((o) => [o, v(o)])),
  };
  return { model: { graph: g, opsetImports: [{ domain: '', version: 13 }] } as unknown as Model, target: 'esp32p4', bits: 8, ops: new Map(), fp32Nodes: [] };
}

describe('layerwiseChain: where each op\'s stage starts and what it hands on', () => {
  it('starts a chain of convolutions at each op, the next stage\'s input computed by a float twin', () => {
    const qg = graph([n('c0', 'Conv', ['x', 'w0'], ['a']), n('r0', 'Relu', ['a'], ['b']), n('c1', 'Conv', ['b', 'w1'], ['y'])], ['y']);
    const chain = layerwiseChain(qg, ['c1', 'c0'])!;
    expect(chain.initial).toEqual([]);
    expect(chain.stages.map((s) => s.op)).toEqual(['c0', 'c1']);
    const [s0, s1] = chain.stages;
    expect(s0!.reads).toEqual(['x']);
    expect(s0!.outputs).toEqual(['y']);
    expect([...s0!.advance]).toEqual([['b', 'b::layerwise_float']]);
    expect(s0!.keep).toEqual([]);
    expect(s1!.reads).toEqual(['b']);
    expect([...s1!.advance]).toEqual([]);
    expect(chain.stateBytesPerSample).toBe(16 * 4);
  });

  it('does not cut a value a residual Add reads: the op inside the block starts before the skip is written', () => {
    const qg = graph([
      n('c0', 'Conv', ['x', 'w0'], ['a']), n('c1', 'Conv', ['a', 'w1'], ['b']), n('c2', 'Conv', ['b', 'w2'], ['c']),
      n('add', 'Add', ['a', 'c'], ['y']),
    ], ['y']);
    const chain = layerwiseChain(qg, ['c0', 'c1', 'c2'])!;
    // At c1 and c2 the skip `a` is live and read by the Add: both start at the graph input (c1 recomputes c0 in float).
    expect(chain.stages.map((s) => s.reads)).toEqual([['x'], ['x'], ['x']]);
    expect(chain.stages.every((s) => s.advance.size === 0)).toBe(true);
    expect(chain.stages.map((s) => s.keep)).toEqual([['x'], ['x'], []]);
  });

  it('does not cut a value without a static shape [1, …] or read by an element-wise op', () => {
    const nodes = [n('c0', 'Conv', ['x', 'w0'], ['a']), n('c1', 'Conv', ['a', 'w1'], ['b']), n('c2', 'Conv', ['b', 'w2'], ['y'])];
    const unknown = layerwiseChain(graph(nodes, ['y'], ['b']), ['c0', 'c1', 'c2'])!;
    expect(unknown.stages.map((s) => s.reads)).toEqual([['x'], ['a'], ['a']]);
    // c2's stage starts at c1 (the value `a`): c1 runs in float inside it, and c1's stage hands `a` on unchanged.
    expect([...unknown.stages[0]!.advance]).toEqual([['a', 'a::layerwise_float']]);
    expect(unknown.stages[1]!.keep).toEqual(['a']);
    const relu = graph([n('c0', 'Conv', ['x', 'w0'], ['a']), n('r', 'Relu', ['a'], ['b']), n('c1', 'Conv', ['b', 'w1'], ['y'])], ['y']);
    // Between c0 and the Relu nothing is measured; the cut before c1 carries `b`, read by a convolution: allowed.
    expect(layerwiseChain(relu, ['c0', 'c1'])!.stages[1]!.reads).toEqual(['b']);
    const reluOp = graph([n('c0', 'Conv', ['x', 'w0'], ['a']), n('r', 'Relu', ['a'], ['y'])], ['y']);
    expect(layerwiseChain(reluOp, ['c0', 'r'])!.stages[1]!.reads).toEqual(['x']);
  });

  it('keeps graph outputs written before a stage\'s cut out of its outputs', () => {
    const qg = graph([n('c0', 'Conv', ['x', 'w0'], ['a']), n('c1', 'Conv', ['a', 'w1'], ['y'])], ['a', 'y']);
    const chain = layerwiseChain(qg, ['c0', 'c1'])!;
    expect(chain.stages.map((s) => s.outputs)).toEqual([['a', 'y'], ['y']]);
  });

  it('starts every op at the graph inputs when a node has a nested graph (it reads outer values by name)', () => {
    const body: Graph = { name: 'b', nodes: [n('i', 'Identity', ['a'], ['o'])], inputs: [], outputs: [v('o')], initializers: new Map(), valueInfo: new Map() };
    const nodes = [n('c0', 'Conv', ['x', 'w0'], ['a']), n('c1', 'Conv', ['a', 'w1'], ['b']), { ...n('if', 'If', ['x'], ['y']), attributes: new Map([['then_branch', { type: 'graph' as const, value: body }]]) }];
    const chain = layerwiseChain(graph(nodes, ['y']), ['c0', 'c1'])!;
    expect(chain.stages.map((s) => s.reads)).toEqual([['x'], ['x']]);
  });

  it('has no chain without measured ops', () => {
    expect(layerwiseChain(graph([n('c0', 'Conv', ['x', 'w0'], ['y'])], ['y']), [])).toBeUndefined();
  });
});
