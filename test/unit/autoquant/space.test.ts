import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { dumps } from '../../../src/autoquant/py-json.js';
import {
  ParamRange, countExhaustive, expandParam, expandRange, expandStrategies, iterParamCombos, splitParamCandidates,
} from '../../../src/autoquant/space.js';
import { PyFloat } from '../../../src/autoquant/py-value.js';
import { espdlDefaultSpace, quickSpace } from '../../../src/autoquant/spaces.js';
import { iterFastStage1 } from '../../../src/autoquant/search.js';

const def = espdlDefaultSpace();
const strategies = expandStrategies(def.strategy_space, def.param_space);

describe('ESP-PPQ default space (docs/esp-ppq.md §1.3)', () => {
  it('has 16 strategies, 1,067,040 exhaustive experiments and 48 fast stage-1 samples', () => {
    expect(strategies).toHaveLength(16);
    expect(countExhaustive(strategies)).toBe(1_067_040);
    const structural = { calib_algorithm: ['method'], num_of_bits: ['value'] };
    expect([...iterFastStage1(strategies, structural)]).toHaveLength(48);
  });
  it('per-module sample counts', () => {
    const counts = Object.keys(def.param_space).map((m) => expandParam(def.param_space, m).length);
    expect(counts).toEqual([1, 3, 9, 2, 12, 1, 18, 16, 8]);
  });
  it('strategy order: first key slowest, all-on first', () => {
    const on = (i: number): string => ['weight_equalization', 'bias_correction', 'tqt', 'blockwise_reconstruction']
      .map((m) => (strategies[i][m].value ? '1' : '0')).join('');
    expect([0, 1, 2, 3, 15].map(on)).toEqual(['1111', '1110', '1101', '1100', '0000']);
  });
  it('first experiments vary the last module fastest', () => {
    const it = iterParamCombos(strategies[0]);
    const br = [0, 1, 2, 3].map(() => it.next().value!.blockwise_reconstruction);
    expect(br.map((b) => [b!.topk, b!.block_size])).toEqual([[-1, 4], [-1, 2], [1, 4], [1, 2]]);
    const first = iterParamCombos(strategies[0]).next().value!;
    expect(first.horizontal_layer_split).toBeNull();
    expect(dumps(first.tqt!)).toBe('{"lr": 1e-05, "steps": 500, "block_size": 4, "is_scale_trainable": true, "gamma": 0.0, ' +
      '"int_lambda": 0.0, "collecting_device": "cpu", "topk": -1}');
  });
  it('fast stage 1 of strategy 0 sweeps kl/percentile/mse with other knobs at their first value', () => {
    const grid = splitParamCandidates(strategies[0], { calib_algorithm: ['method'], num_of_bits: ['value'] }).structuralGrid;
    expect(grid.map((g) => g.calib_algorithm!.method)).toEqual(['kl', 'percentile', 'mse']);
    expect(grid[1].bias_correction).toEqual({ block_size: 4, steps: 32, topk: -1 });
  });
  it('the quick space has 24 experiments', () => {
    const q = quickSpace();
    expect(countExhaustive(expandStrategies(q.strategy_space, q.param_space))).toBe(24);
  });
});

describe('range knobs (search.py::_expand_param)', () => {
  const vals = (r: ParamRange): string => dumps(expandRange(r, 'x'));
  it('float ranges are rounded to >= 12 digits', () => {
    expect(vals(new ParamRange(0.1, 0.5, 0.1))).toBe('[0.1, 0.2, 0.3, 0.4, 0.5]');
    expect(vals(new ParamRange(0, new PyFloat(1), 0.25))).toBe('[0.0, 0.25, 0.5, 0.75, 1.0]');
    expect(vals(new ParamRange(0.7, 1, 0.1))).toBe('[0.7, 0.8, 0.9, 1.0]');
  });
  it('int ranges stay ints', () => {
    expect(vals(new ParamRange(1, 6, 2))).toBe('[1, 3, 5]');
    expect(vals(new ParamRange(1, 5, new PyFloat(2)))).toBe('[1.0, 3.0, 5.0]');
  });
  it('step <= 0 is an InputError naming the knob', () => {
    expect(() => expandParam({ m: { k: new ParamRange(1, 2, 0) } }, 'm')).toThrow(InputError);
    expect(() => expandParam({ m: { k: new ParamRange(1, 2, -1) } }, 'm')).toThrow(/param_space\.m\.k: step must be positive/);
  });
  it('a non-list knob is rejected', () => {
    expect(() => expandParam({ m: { k: 3 as unknown as number[] } }, 'm')).toThrow(/must be a list or \{range/);
  });
  it('an empty knob list gives no samples', () => {
    expect(expandParam({ m: { a: [1, 2], k: [] } }, 'm')).toEqual([]);
    expect(expandParam({}, 'absent')).toEqual([{}]);
  });
});
