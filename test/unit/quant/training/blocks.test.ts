import { describe, expect, it } from 'vitest';
import type { Graph, Node } from '../../../../src/ir/graph.js';
import type { Tensor } from '../../../../src/ir/tensor.js';
import { opInfo } from '../../../../src/ops/registry.js';
import { buildBlocks } from '../../../../src/quant/training/blocks.js';

const W: Tensor = { dtype: 'float32', dims: [1], data: new Float32Array(1) };

/** A graph from `name:op(in1,in2)->out` specs; inputs named w* are initializers. */
function graph(specs: string[]): Graph {
  const nodes: Node[] = specs.map((s) => {
    const m = /^(\w+):(\w+)\(([^)]*)\)->(\w+)$/.exec(s)!;
    return { name: m[1]!, opType: m[2]!, domain: '', inputs: m[3]!.split(','), outputs: [m[4]!], attributes: new Map() };
  });
  const inits = new Map<string, Tensor>();
  for (const n of nodes) for (const i of n.inputs) if (i.startsWith('w')) inits.set(i, W);
  return { name: 'g', nodes, inputs: [{ name: 'x', dtype: 'float32', shape: [1] }], outputs: [], initializers: inits, valueInfo: new Map() };
}
const isComputing = (n: Node) => opInfo(n.opType).computing;
const names = (bs: ReturnType<typeof buildBlocks>) => bs.map((b) => b.nodes.map((n) => n.name));

const CHAIN = ['c0:Conv(x,w0)->a', 'r0:Relu(a)->b', 'c1:Conv(b,w1)->c', 'r1:Relu(c)->d', 'c2:Conv(d,w2)->e', 'r2:Relu(e)->f', 'c3:Conv(f,w3)->g'];
const RESIDUAL = ['c0:Conv(x,w0)->a', 'r0:Relu(a)->b', 'c1:Conv(b,w1)->c', 'r1:Relu(c)->d', 'c2:Conv(d,w2)->e',
  'add:Add(b,e)->f', 'ro:Relu(f)->g', 'c3:Conv(g,w3)->h'];
const BRANCH = ['c0:Conv(x,w0)->a', 'c1a:Conv(a,w1)->b', 'c1b:Conv(a,w2)->c', 'cat:Concat(b,c)->d', 'c2:Conv(d,w3)->e'];

describe('buildBlocks (ESP-PPQ BlockBuilder)', () => {
  it('chain: follows single-successor ops while depth(ep) − depth(sp) ≤ block_size', () => {
    expect(names(buildBlocks(graph(CHAIN), isComputing, 4))).toEqual([['c0', 'r0', 'c1', 'r1', 'c2'], ['c3']]);
    expect(names(buildBlocks(graph(CHAIN), isComputing, 1))).toEqual([['c0', 'r0'], ['c1', 'r1'], ['c2', 'r2'], ['c3']]);
  });
  it('residual: a fork stops the block unless the joining Add is within reach', () => {
    expect(names(buildBlocks(graph(RESIDUAL), isComputing, 4))).toEqual([['c0', 'r0'], ['c1', 'r1', 'c2'], ['c3']]);
    expect(names(buildBlocks(graph(RESIDUAL), isComputing, 5))).toEqual([['c0', 'r0', 'c1', 'r1', 'c2', 'add'], ['c3']]);
  });
  it('branch + concat: jumps to the post-dominating Concat and continues', () => {
    expect(names(buildBlocks(graph(BRANCH), isComputing, 4))).toEqual([['c0', 'c1a', 'c1b', 'cat', 'c2']]);
    expect(names(buildBlocks(graph(BRANCH), isComputing, 1))).toEqual([['c0'], ['c1a'], ['c1b'], ['c2']]);
  });
  it('interested_layers keeps only blocks containing one of them', () => {
    expect(names(buildBlocks(graph(CHAIN), isComputing, 4, ['c3']))).toEqual([['c3']]);
    expect(names(buildBlocks(graph(CHAIN), isComputing, 4, ['r1']))).toEqual([['c0', 'r0', 'c1', 'r1', 'c2']]);
  });
});
