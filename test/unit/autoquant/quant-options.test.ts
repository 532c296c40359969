import { describe, expect, it } from 'vitest';
import { buildQuantOptions, selectTopkLayers } from '../../../src/autoquant/quant-options.js';
import { PyFloat } from '../../../src/autoquant/py-value.js';
import { expandStrategies, iterParamCombos, type SampledParams, type Strategy } from '../../../src/autoquant/space.js';
import { espdlDefaultSpace, quickSpace } from '../../../src/autoquant/spaces.js';
import { DEFAULT_ALIGNMENT } from '../../../src/quant/options.js';

const LW = { conv0: 0.2, conv1: 0.5, conv2: 0.5, gemm: 0.1 };
const succ = (n: string): string[] => ({ conv1: ['relu1', 'add0'], conv2: ['add0'] } as Record<string, string[]>)[n] ?? [];

function sample(space = espdlDefaultSpace(), pick: (s: Strategy) => boolean = () => true): { strategy: Strategy; params: SampledParams } {
  const strategy = expandStrategies(space.strategy_space, space.param_space).find(pick)!;
  return { strategy, params: iterParamCombos(strategy).next().value! };
}

describe('buildQuantOptions (quantize.py::build_quant_setting)', () => {
  it('select_topk_layers: -1 = all (empty), k = largest first, ties in insertion order', () => {
    expect(selectTopkLayers(LW, -1)).toEqual([]);
    expect(selectTopkLayers(LW, 3)).toEqual(['conv1', 'conv2', 'conv0']);
  });
  it('all-on default strategy', () => {
    const { strategy, params } = sample();
    const o = buildQuantOptions({ strategy, params, target: 'esp32p4', layerwise: LW, successorsOf: succ });
    expect(o.bits).toBe(8);
    expect(o.calibAlgorithm).toBe('kl');
    expect(o.equalization).toEqual({ iterations: 10, valueThreshold: 0.1, optLevel: 2 });
    expect(o.biasCorrection).toEqual({ interestedLayers: [], blockSize: 4, steps: 32 });
    expect(o.tqt).toEqual({ interestedLayers: [], lr: 1e-5, steps: 500, blockSize: 4, isScaleTrainable: true, gamma: 0, intLambda: 0 });
    expect(o.alignment).toEqual({ enabled: true, elementwiseTo: 'Align to Large', concatTo: 'Align to Large', avgpoolingTo: 'Align to Input', resizeTo: 'Align to Input', forceOverlap: false });
    expect(o.blockwiseReconstruction).toEqual({ interestedLayers: [], isScaleTrainable: false, lr: 1e-4, steps: 1000, gamma: 1, blockSize: 4 });
    expect(o.weightSplit).toBeUndefined();
    expect(o.int16Layers).toEqual([]);
  });
  it('mixed precision = top-k layers + direct successors, deduplicated', () => {
    const { strategy, params } = sample(quickSpace(), (s) => s.mixed_precision.value && !s.weight_equalization.value);
    const o = buildQuantOptions({ strategy, params: { ...params, mixed_precision: { topk: 2 } }, target: 'esp32s3', layerwise: LW, successorsOf: succ });
    expect(o.int16Layers).toEqual(['conv1', 'relu1', 'add0', 'conv2']);
    expect(o.alignment).toEqual({ ...DEFAULT_ALIGNMENT });
    expect(o.equalization).toBeUndefined();
  });
  it('horizontal split needs topk > 0 and takes value_threshold', () => {
    const { strategy, params } = sample();
    const s = { ...strategy, horizontal_layer_split: { value: true, paramCandidates: [] } };
    const p = { ...params, horizontal_layer_split: { topk: 1, value_threshold: new PyFloat(2) } };
    expect(buildQuantOptions({ strategy: s, params: p, target: 'esp32p4', layerwise: LW, successorsOf: succ }).weightSplit)
      .toEqual({ interestedLayers: ['conv1'], valueThreshold: 2 });
    expect(() => buildQuantOptions({ strategy: s, params: { ...p, horizontal_layer_split: { topk: -1, value_threshold: 0.1 } }, target: 'esp32p4', layerwise: LW, successorsOf: succ }))
      .toThrow('horizontal_layer_split.topk must be > 0, got -1');
  });
  it('layerwise-dependent modules require the baseline', () => {
    const { strategy, params } = sample(quickSpace(), (s) => s.mixed_precision.value);
    expect(() => buildQuantOptions({ strategy, params, target: 'esp32p4', layerwise: {}, successorsOf: succ }))
      .toThrow('mixed_precision requires layerwise_error');
  });
  it('topk must be an int, not a bool or float', () => {
    const { strategy, params } = sample();
    const bad = (topk: unknown): (() => unknown) => () => buildQuantOptions({ strategy, params: { ...params, bias_correction: { block_size: 4, steps: 32, topk: topk as number } }, target: 'esp32p4', layerwise: LW, successorsOf: succ });
    expect(bad(true)).toThrow('bias_correction.topk must be an int');
    expect(bad(new PyFloat(1))).toThrow('bias_correction.topk must be an int');
    expect(bad(0)).toThrow('bias_correction.topk must be -1 or > 0, got 0');
  });
});
