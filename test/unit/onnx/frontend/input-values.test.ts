/**
 * Inputs frozen to a constant (`--input-value NAME=VALUE`, ours): Silero VAD branches on its int64 sample-rate
 * input with an If whose outputs are the graph's outputs. Frozen, the comparison folds, the If is replaced by the
 * branch it takes, and the model computes what the original computes when fed that value (onnxruntime, exact).
 */
import { describe, expect, it } from 'vitest';
import { parseInputValues } from '../../../../src/app/input-shape.js';
import { InputError } from '../../../../src/errors.js';
import type { Model } from '../../../../src/ir/graph.js';
import { runFrontEnd } from '../../../../src/onnx/frontend/index.js';
import { recordingLogger } from '../../../fakes/recording-logger.js';
import { f32, i64, model, node, rand, vi } from '../graph-builder.js';
import { runOrt } from '../simplify/ort.js';

/** y = If(sr == 16000, x·Wt, x·We): the If's output is the graph output, as in silero_vad_legacy. */
function sampleRateModel(): Model {
  const branch = (name: string, w: string) => model({ nodes: [node('MatMul', `${name}_mm`, ['x', w], [`${name}_y`])], inputs: [], outputs: [vi(`${name}_y`, [1, 4])] }).graph;
  return model({
    nodes: [
      node('Equal', 'eq', ['sr', 'k16000'], ['is16k']),
      { name: 'if_sr', opType: 'If', domain: '', inputs: ['is16k'], outputs: ['y'], attributes: new Map([['then_branch', { type: 'graph', value: branch('then', 'Wt') }], ['else_branch', { type: 'graph', value: branch('else', 'We') }]]) },
    ],
    inputs: [vi('x', ['batch', 8]), vi('sr', [], 'int64')], outputs: [vi('y', ['batch', 4])],
    initializers: { k16000: i64([], [16000]), Wt: f32([8, 4], rand(3)), We: f32([8, 4], rand(4)) },
  });
}

const x = { dims: [1, 8], data: Float32Array.from({ length: 8 }, rand(9)) };
const sr = (v: number) => ({ dims: [], data: BigInt64Array.of(BigInt(v)) });

describe('--input-value: an input frozen to a constant', () => {
  it.each([16000, 8000])('sr=%i: the If becomes its branch and the outputs equal the original fed sr=%i', async (rate) => {
    const m = sampleRateModel();
    const log = recordingLogger();
    const out = runFrontEnd(m, { inputValues: { sr: [rate] }, logger: log });
    expect(out.graph.nodes.map((n) => `${n.opType} ${n.outputs.join()}`)).toEqual(['MatMul y']);
    expect(out.graph.inputs.map((i) => i.name)).toEqual(['x']);
    const messages = log.lines.map((l) => l.message);
    expect(messages).toContain('front end: input sr frozen to ' + rate + ' (int64, shape [])');
    expect(messages).toContain('front end: If with a constant condition replaced by its branch: if_sr');
    const want = await runOrt(m, { x, sr: sr(rate) });
    expect(Array.from((await runOrt(out, { x })).y!)).toEqual(Array.from(want.y!));
  });

  it('fills a shaped input from one number, or takes every element; the original model is not modified', () => {
    const m = model({
      nodes: [node('Add', 'add', ['x', 'bias'], ['y'])], inputs: [vi('x', [1, 3]), vi('bias', ['n', 3])], outputs: [vi('y', [1, 3])],
    });
    const one = runFrontEnd(m, { inputValues: { bias: 0.5 } }).graph.initializers.get('bias')!;
    expect(one.dims).toEqual([1, 3]);
    expect(Array.from(one.data as Float32Array)).toEqual([0.5, 0.5, 0.5]);
    const all = runFrontEnd(m, { inputValues: { bias: [1, 2, 3] }, inputShapes: { bias: [1, 3] } }).graph.initializers.get('bias')!;
    expect(Array.from(all.data as Float32Array)).toEqual([1, 2, 3]);
    expect(m.graph.inputs.map((i) => i.name)).toEqual(['x', 'bias']);
  });

  it('names the input and what to do when it cannot be frozen', () => {
    const m = sampleRateModel();
    const freeze = (values: Record<string, number[]>, inputShapes?: Record<string, number[]>) => () => runFrontEnd(m, { inputValues: values, ...(inputShapes ? { inputShapes } : {}) });
    expect(freeze({ rate: [16000] })).toThrow('--input-value names "rate", which is not an input of the model (inputs: x, sr)');
    expect(freeze({ sr: [16000.5] })).toThrow('--input-value sr: 16000.5 is not a valid int64 value');
    expect(freeze({ sr: [1, 2] })).toThrow('--input-value sr: 2 numbers given for a tensor of 1 elements (shape []); give one number to fill it, or 1');
    const dynamic = model({ nodes: [node('Add', 'add', ['x', 'b'], ['y'])], inputs: [vi('x', [1, 3]), vi('b', [1, 'k'])], outputs: [vi('y', [1, 3])] });
    expect(() => runFrontEnd(dynamic, { inputValues: { b: [1] } })).toThrow('--input-value b: the input\'s shape [1, k] is dynamic; give it with --input-shape b:DIMS');
    expect(() => runFrontEnd(dynamic, { inputValues: { b: [1] } })).toThrow(InputError);
  });
});

describe('parseInputValues (CLI --input-value, Action input-value)', () => {
  it('NAME=VALUE per flag or several in one value; a value is one number or a comma list; names may hold ":"', () => {
    expect(parseInputValues([], '--input-value')).toBeUndefined();
    expect(parseInputValues(['sr=16000'], '--input-value')).toEqual({ sr: [16000] });
    expect(parseInputValues(['sr=16000 input:0=1,-2.5,3e2'], "Input 'input-value'")).toEqual({ sr: [16000], 'input:0': [1, -2.5, 300] });
    expect(parseInputValues(['a=1;b=2', 'c=3'], '--input-value')).toEqual({ a: [1], b: [2], c: [3] });
  });

  it('rejects what is not NAME=numbers, naming the flag', () => {
    expect(() => parseInputValues(['sr'], '--input-value')).toThrow('--input-value "sr": expected NAME=VALUE, e.g. sr=16000');
    expect(() => parseInputValues(['=5'], '--input-value')).toThrow('--input-value "=5": expected NAME=VALUE');
    expect(() => parseInputValues(['sr=fast'], "Input 'input-value'")).toThrow('Input \'input-value\' "sr=fast": the value must be a number or numbers separated by commas, e.g. sr=16000');
    expect(() => parseInputValues(['sr=1,'], '--input-value')).toThrow(InputError);
    expect(() => parseInputValues(['sr=1', 'sr=2'], '--input-value')).toThrow('--input-value: input "sr" is given twice');
  });
});
