import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { dumps } from '../../../src/autoquant/py-json.js';
import { loadSettings } from '../../../src/autoquant/settings.js';
import { ParamRange, countExhaustive, expandStrategies } from '../../../src/autoquant/space.js';

describe('settings', () => {
  it('defaults are ESP-PPQ AutoQuantSearchSetting() behaviour fields + the quick space', () => {
    const s = loadSettings(undefined);
    expect([s.space, s.num_of_candidates, s.search_mode, s.candidate_filter, s.score_direction, s.run_dir, s.resume,
      s.top_strategy, s.early_stop_patience]).toEqual(['quick', 5, 'exhaustive', 'low_latency', 'maximize', 'outputs/auto_quant', false, 10, 3]);
    expect(s.structural_knobs).toEqual({ calib_algorithm: ['method'], num_of_bits: ['value'] });
    expect(Object.keys(s.strategy_space)).toEqual(['num_of_bits', 'calib_algorithm', 'weight_equalization',
      'horizontal_layer_split', 'bias_correction', 'mixed_precision', 'tqt', 'fusion_alignment', 'blockwise_reconstruction']);
  });
  it('YAML keeps int/float kinds and module order, merging over the base space', () => {
    const s = loadSettings([
      'space: espdl-default', 'strategy_space:', '  tqt: [false]', '  blockwise_reconstruction: [false]',
      'param_space:', '  weight_equalization:', '    value_threshold: [2, 2.0, 1e-1]',
      '  bias_correction:', '    block_size: {range: [1, 4, 1]}',
    ].join('\n'), 'autoquant.yml');
    expect(dumps(s.param_space.weight_equalization.value_threshold as never)).toBe('[2, 2.0, 0.1]');
    expect(s.param_space.bias_correction.block_size).toEqual(new ParamRange(1, 4, 1));
    expect(Object.keys(s.strategy_space)[6]).toBe('tqt');
    expect(countExhaustive(expandStrategies(s.strategy_space, s.param_space))).toBe(48 * (1 + 9) * (1 + 16));
  });
  it('JSON text is read too (yaml parses JSON), float tokens kept', () => {
    const s = loadSettings('{"search_mode": "fast", "param_space": {"tqt": {"gamma": [0.0, 1]}}}', 'a.json');
    expect(s.search_mode).toBe('fast');
    expect(dumps(s.param_space.tqt.gamma as never)).toBe('[0.0, 1]');
  });
  it('CLI overrides win over the file', () => {
    const s = loadSettings('num_of_candidates: 3\nrun_dir: a', 'f', { num_of_candidates: 7, resume: true });
    expect([s.num_of_candidates, s.run_dir, s.resume]).toEqual([7, 'a', true]);
  });
  it.each([
    ['search_mode: slow', /f: search_mode: Invalid option/],
    ['num_of_candidates: 0', /f: num_of_candidates: must be >= 1/],
    ['score_direction: up', /f: score_direction:/],
    ['bogus: 1', /f: bogus: Unrecognized key/],
    ['strategy_space: {tqt: [yes]}', /f: strategy_space\.tqt\[0\]: .*boolean/],
    ['strategy_space: {quantum: [true]}', /strategy_space\.quantum: unknown module/],
    ['param_space: {bias_correction: {blok_size: [4]}}', /param_space\.bias_correction\.blok_size: unknown knob \(known: block_size, steps, topk\)/],
    ['param_space: {bias_correction: {topk: [-1, 0]}}', /param_space\.bias_correction\.topk\[1\]: bias_correction\.topk must be -1 or > 0, got 0/],
    ['param_space: {mixed_precision: {topk: [-1]}}', /mixed_precision\.topk must be > 0, got -1/],
    ['param_space: {bias_correction: {topk: [1.0]}}', /topk\[0\]: 1\.0 is not an int/],
    ['param_space: {calib_algorithm: {method: [kl, entropy]}}', /method\[1\]: entropy is not one of kl, percentile, mse, minmax/],
    ['param_space: {weight_equalization: {iterations: 10}}', /iterations: unsupported format 10; must be a list or \{range/],
    ['a: [', /^f: /],
  ])('rejects %s naming the field', (text, msg) => {
    const err = (() => { try { loadSettings(text, 'f'); } catch (e) { return e; } return null; })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(msg);
  });
});
