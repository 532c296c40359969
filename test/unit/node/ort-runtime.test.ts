import { describe, expect, it } from 'vitest';
import type { Graph, Model, Node } from '../../../src/ir/graph.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import { ortRuntime, withoutUnreadInitializers } from '../../../src/node/ort-runtime.js';

const f32 = (...v: number[]): Tensor => ({ dtype: 'float32', dims: [v.length], data: Float32Array.from(v) });
const node = (opType: string, inputs: string[], output: string, attributes: Node['attributes'] = new Map()): Node =>
  ({ name: `${output}/${opType}`, opType, domain: '', inputs, outputs: [output], attributes });
const graph = (over: Partial<Graph>): Graph => ({ name: 'g', nodes: [], inputs: [], outputs: [], initializers: new Map(), valueInfo: new Map(), ...over });
const model = (g: Graph): Model => ({
  irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 't', producerVersion: '', domain: '', modelVersion: 0,
  docString: '', graph: g, metadataProps: [],
});

describe('withoutUnreadInitializers (what a session is given)', () => {
  // y = x + w_q; `w` is the float weight the simulator keeps beside its fake-quantized copy `w_q`.
  const base = () => graph({
    nodes: [node('Add', ['x', 'w_q'], 'y')],
    inputs: [{ name: 'x', dtype: 'float32', shape: [2] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [2] }],
    initializers: new Map([['w', f32(1.25, 2)], ['w_q', f32(1, 2)]]),
  });

  it('drops an initializer no node reads and keeps the model otherwise as it is', () => {
    const m = model(base());
    const pruned = withoutUnreadInitializers(m);
    expect([...pruned.graph.initializers.keys()]).toEqual(['w_q']);
    expect(pruned.graph.nodes).toBe(m.graph.nodes);
    expect([...m.graph.initializers.keys()]).toEqual(['w', 'w_q']); // the caller's model is not changed
  });

  it('keeps initializers read by a subgraph, named as a graph input, or a graph output; returns the model itself when nothing goes', () => {
    const body = graph({ nodes: [node('Identity', ['sub'], 'b')], outputs: [{ name: 'b', dtype: 'float32', shape: [2] }] });
    const g = base();
    g.nodes.push(node('If', ['cond'], 'z', new Map([['then_branch', { type: 'graph', value: body }], ['else_branch', { type: 'graph', value: body }]])));
    g.initializers.set('cond', { dtype: 'bool', dims: [], data: Uint8Array.of(1) });
    g.initializers.set('sub', f32(3, 4));
    g.initializers.set('as_input', f32(0));
    g.inputs.push({ name: 'as_input', dtype: 'float32', shape: [1] });
    g.initializers.set('as_output', f32(5));
    g.outputs.push({ name: 'as_output', dtype: 'float32', shape: [1] });
    expect([...withoutUnreadInitializers(model(g)).graph.initializers.keys()]).toEqual(['w_q', 'cond', 'sub', 'as_input', 'as_output']);
    g.initializers.delete('w');
    const m = model(g);
    expect(withoutUnreadInitializers(m)).toBe(m);
  });

  it('onnxruntime runs the model with the same results', async () => {
    const session = await ortRuntime().load(model(base()));
    try {
      const out = await session.run({ x: f32(0.5, -1) }, ['y']);
      expect(Array.from(out.get('y')!.data as Float32Array)).toEqual([1.5, 1]);
    } finally {
      await session.release();
    }
  });
});
