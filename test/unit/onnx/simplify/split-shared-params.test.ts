/**
 * ESP-PPQ's format_parameter (GraphFormatter, esp_ppq/IR/morph.py): a parameter read by several op slots gets
 * one copy per slot named PPQ_Variable_<k>, parameters in order of first use, readers in node order.
 */
import { describe, expect, it } from 'vitest';
import { nullLogger } from '../../../../src/log.js';
import { splitSharedParams } from '../../../../src/onnx/simplify/split-shared-params.js';
import { f32, i64, model, node, vi } from '../graph-builder.js';

describe('splitSharedParams', () => {
  it('gives every reader of a shared parameter its own PPQ_Variable_<k> (fixture ScatterND/00 pattern)', () => {
    const m = model({
      nodes: [
        node('Squeeze', 'sq0', ['data', 'axis'], ['a']),
        node('Squeeze', 'sq1', ['upd', 'axis'], ['b']),
        node('Mul', 'mul', ['a', 's'], ['c']),
        node('Add', 'add', ['c', 's'], ['d']),
        node('Add', 'own', ['d', 'PPQ_Variable_1'], ['y']),
      ],
      inputs: [vi('data', [1, 4]), vi('upd', [1, 4])], outputs: [vi('y', [4]), vi('b', [4])],
      initializers: { axis: i64([1], [0]), s: f32([], [2]), PPQ_Variable_1: f32([], [1]) },
    });
    const g = m.graph;
    const axis = g.initializers.get('axis');
    splitSharedParams(g, nullLogger);
    // 'axis' is used first, so it gets the lowest indices; PPQ_Variable_1 is taken and skipped.
    expect(g.nodes.map((n) => n.inputs)).toEqual([
      ['data', 'PPQ_Variable_0'], ['upd', 'PPQ_Variable_2'], ['a', 'PPQ_Variable_3'], ['c', 'PPQ_Variable_4'], ['d', 'PPQ_Variable_1'],
    ]);
    expect([...g.initializers.keys()].sort()).toEqual(['PPQ_Variable_0', 'PPQ_Variable_1', 'PPQ_Variable_2', 'PPQ_Variable_3', 'PPQ_Variable_4']);
    expect(g.initializers.get('PPQ_Variable_2')).toBe(axis);
  });

  it('keeps a shared parameter that is also a graph output, and single-use parameters', () => {
    const m = model({
      nodes: [node('Add', 'a1', ['x', 'w'], ['y1']), node('Add', 'a2', ['x', 'w'], ['y2']), node('Mul', 'm', ['x', 'k'], ['y3'])],
      inputs: [vi('x', [2])], outputs: [vi('y1', [2]), vi('y2', [2]), vi('y3', [2]), vi('w', [2])],
      initializers: { w: f32([2], [1, 2]), k: f32([2], [3, 4]) },
    });
    splitSharedParams(m.graph, nullLogger);
    expect(m.graph.nodes.map((n) => n.inputs[1])).toEqual(['w', 'w', 'k']);
  });
});
