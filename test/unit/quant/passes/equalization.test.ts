import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../../src/ir/graph.js';
import { recordingLogger } from '../../../fakes/recording-logger.js';
import { findEqualizationPairs, layerwiseEqualization } from '../../../../src/quant/passes/equalization.js';
import { REPO_ROOT } from '../../../helpers/paths.js';
import { f32, model, node, rand, vi, type AttrValue } from '../../onnx/graph-builder.js';
import { runOrt } from '../../onnx/simplify/ort.js';

/** Cases and torch-computed expectations: test/fixtures/equalization/make-expected.py. */
interface Case {
  name: string; optLevel: 1 | 2; iterations: number; valueThreshold: number; input: number[];
  nodes: { name: string; opType: string; inputs: string[]; outputs: string[]; attributes: Record<string, number | number[]> }[];
  initializers: Record<string, { dims: number[]; data: number[] }>;
  pairs: [string[], string[]][];
  expected: Record<string, number[]>;
}
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/equalization/expected.json');
const cases = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: Case[] }).cases;

const FLOAT_ATTRS = new Set(['alpha', 'beta']);

function build(c: Case): Model {
  return model({
    nodes: c.nodes.map((n) => node(n.opType, n.name, n.inputs, n.outputs, Object.fromEntries(Object.entries(n.attributes)
      .map(([k, v]): [string, AttrValue] => [k, FLOAT_ATTRS.has(k) ? { float: v as number } : v])))),
    inputs: [vi('x', c.input)],
    outputs: [vi('out', undefined)],
    initializers: Object.fromEntries(Object.entries(c.initializers).map(([k, t]) => [k, f32(t.dims, t.data)])),
  });
}

const names = (pair: { upstream: readonly { name: string }[]; downstream: readonly { name: string }[] }) =>
  [pair.upstream.map((n) => n.name).sort(), pair.downstream.map((n) => n.name).sort()];

/** max |a − b| / max |b|: equalization keeps the function, up to float32 rounding. */
function relDiff(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) { num = Math.max(num, Math.abs(a[i]! - b[i]!)); den = Math.max(den, Math.abs(b[i]!)); }
  return num / den;
}

describe('layerwiseEqualization vs torch re-derivation of ESP-PPQ', () => {
  for (const c of cases) {
    it(`${c.name}: pairs, equalized weights (bit-exact), float outputs unchanged`, async () => {
      const m = build(c);
      const pairs = findEqualizationPairs(m.graph, c.optLevel);
      expect(pairs.map(names)).toEqual(c.pairs.map(([u, d]) => [[...u].sort(), [...d].sort()]));

      const log = recordingLogger();
      const eq = layerwiseEqualization(m, { iterations: c.iterations, valueThreshold: c.valueThreshold, optLevel: c.optLevel }, log);
      expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
      for (const [name, want] of Object.entries(c.expected)) {
        expect(Array.from(eq.graph.initializers.get(name)!.data as Float32Array), name).toEqual(want);
        // the input model is untouched
        expect(Array.from(m.graph.initializers.get(name)!.data as Float32Array), name).toEqual(c.initializers[name]!.data);
      }
      expect(eq.graph.nodes.map((n) => [n.name, n.inputs, n.outputs])).toEqual(m.graph.nodes.map((n) => [n.name, n.inputs, n.outputs]));

      const r = rand(7);
      const x = f32(c.input, () => r(0) * 2);
      const feed = { x: { dims: c.input, data: x.data as Float32Array } };
      const [before, after] = [await runOrt(m, feed), await runOrt(eq, feed)];
      expect(relDiff(after.out!, before.out!)).toBeLessThan(1e-5);
      if (c.pairs.length > 0) expect(c.expected).not.toEqual(Object.fromEntries(Object.entries(c.initializers).map(([k, t]) => [k, t.data])));
    });
  }
});

describe('equalization pair search and safety checks', () => {
  it('Clip (ReLU6) is not crossable: no pair at either level', () => {
    const m = model({
      nodes: [node('Conv', 'c1', ['x', 'w1'], ['y']), node('Clip', 'clip', ['y', 'lo', 'hi'], ['a']), node('Conv', 'c2', ['a', 'w2'], ['out'])],
      inputs: [vi('x', [1, 2, 4, 4])], outputs: [vi('out', undefined)],
      initializers: { w1: f32([3, 2, 1, 1], () => 1), w2: f32([2, 3, 1, 1], () => 1), lo: f32([], [0]), hi: f32([], [6]) },
    });
    expect(findEqualizationPairs(m.graph, 1)).toEqual([]);
    expect(findEqualizationPairs(m.graph, 2)).toEqual([]);
  });

  it('skips (with a warning) pairs ESP-PPQ would pair but whose rescaling would change outputs', () => {
    const w = (d: number[]) => f32(d, rand(3));
    const m = model({
      nodes: [
        // Add with a constant: ESP-PPQ pairs c1 -> c2 at level 2 (the constant has no producer op)
        node('Conv', 'c1', ['x', 'w1'], ['y1']), node('Add', 'addc', ['y1', 'k'], ['s1']), node('Conv', 'c2', ['s1', 'w2'], ['y2']),
        // a rescaled value that is also a graph output
        node('Relu', 'r2', ['y2'], ['a2']), node('Conv', 'c3', ['a2', 'w3'], ['out']),
      ],
      inputs: [vi('x', [1, 2, 4, 4])], outputs: [vi('out', undefined), vi('a2', undefined)],
      initializers: { w1: w([3, 2, 1, 1]), k: w([1, 3, 1, 1]), w2: w([3, 3, 1, 1]), w3: w([2, 3, 1, 1]) },
    });
    expect(findEqualizationPairs(m.graph, 2).map(names)).toEqual([[['c1'], ['c2']], [['c2'], ['c3']]]);
    const log = recordingLogger();
    const eq = layerwiseEqualization(m, { iterations: 3, valueThreshold: 0, optLevel: 2 }, log);
    const warns = log.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warns).toEqual([
      'equalization: skipping pair [c1] -> [c2]: addc (Add) mixes rescaled and unscaled inputs',
      'equalization: skipping pair [c2] -> [c3]: rescaled value a2 leaves the graph',
    ]);
    expect(log.lines.some((l) => l.message === 'equalization: 0 equalization pair(s) found (opt_level 2)')).toBe(true);
    for (const k of ['w1', 'w2', 'w3']) expect(eq.graph.initializers.get(k)).toBe(m.graph.initializers.get(k));
  });

  it('a start op already collected as an upstream layer is not searched again; interestedLayers restricts starts', () => {
    const c = cases.find((x) => x.name === 'residual-add-level2')!;
    const m = build(c);
    // cb is upstream of the pair found from ca, so only one pair
    expect(findEqualizationPairs(m.graph, 2)).toHaveLength(1);
    // starting from cb alone finds the same pair (its down search crosses the Add to cc; up from cc reaches ca)
    expect(findEqualizationPairs(m.graph, 2, ['cb']).map(names)).toEqual([[['ca', 'cb'], ['cc']]]);
    expect(findEqualizationPairs(m.graph, 2, ['nope'])).toEqual([]);
  });
});
