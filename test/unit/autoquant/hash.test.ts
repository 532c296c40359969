import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { candidateHash, hashPayload, strategyHash } from '../../../src/autoquant/hash.js';
import { dumps, floatRepr, parsePyJson } from '../../../src/autoquant/py-json.js';
import { PyFloat, type PyDict } from '../../../src/autoquant/py-value.js';
import { expandStrategies, iterParamCombos } from '../../../src/autoquant/space.js';
import { espdlDefaultSpace } from '../../../src/autoquant/spaces.js';
import { fixture } from '../../helpers/paths.js';

const VECTOR0 = '{"params": {"bias_correction": {"block_size": 4, "steps": 32, "topk": -1}, "blockwise_reconstruction": {"block_size": 4, "gamma": 1.0, "is_scale_trainable": false, "lr": 0.0001, "steps": 1000, "topk": -1}, "calib_algorithm": {"method": "kl"}, "fusion_alignment": {"avgpooling_to": "Align to Input", "concat_to": "Align to Large", "elementwise_to": "Align to Large", "force_overlap": false, "resize_to": "Align to Input"}, "horizontal_layer_split": null, "mixed_precision": null, "num_of_bits": {"value": 8}, "tqt": {"block_size": 4, "gamma": 0.0, "int_lambda": 0.0, "is_scale_trainable": true, "lr": 1e-05, "steps": 500, "topk": -1}, "weight_equalization": {"iterations": 10, "opt_level": 2, "value_threshold": 0.1}}, "strategy": {"bias_correction": true, "blockwise_reconstruction": true, "calib_algorithm": true, "fusion_alignment": true, "horizontal_layer_split": false, "mixed_precision": false, "num_of_bits": true, "tqt": true, "weight_equalization": true}}';

describe('Python float repr', () => {
  it.each([
    [1e-5, '1e-05'], [5e-5, '5e-05'], [1e-4, '0.0001'], [0.1, '0.1'], [2.5, '2.5'], [1e16, '1e+16'],
    [1e15, '1000000000000000.0'], [123456789.125, '123456789.125'], [1.5e-7, '1.5e-07'], [-0.03, '-0.03'],
    [0, '0.0'], [1, '1.0'], [1e300, '1e+300'], [0.037222380827491484, '0.037222380827491484'],
  ])('%s → %s', (x, s) => expect(floatRepr(x)).toBe(s));
});

describe('json.dumps compatibility', () => {
  it('compact, sorted, ensure_ascii', () => {
    const v: PyDict = { b: [1, new PyFloat(2), 0.5, null, true], a: { 'é': 'x"\n\u0001' } };
    expect(dumps(v, { sortKeys: true })).toBe('{"a": {"\\u00e9": "x\\"\\n\\u0001"}, "b": [1, 2.0, 0.5, null, true]}');
  });
  it('json.dump(indent=4) of every fixture file round-trips byte for byte', () => {
    for (const run of ['autoquant_default', 'autoquant_top1', 'autoquant_tqt']) {
      for (const f of ['summary.json', 'candidates.json', '0000/config.json', '0005/config.json']) {
        const text = readFileSync(fixture('digits', run, f), 'utf8');
        expect(dumps(parsePyJson(text), { indent: 4 }), `${run}/${f}`).toBe(text.replace(/\n$/, ''));
      }
    }
  });
});

describe('candidate hash (docs/esp-ppq.md §1.7 vectors)', () => {
  const strategies = expandStrategies(espdlDefaultSpace().strategy_space, espdlDefaultSpace().param_space);
  it('strategy 0, first knobs', () => {
    const first = iterParamCombos(strategies[0]).next().value!;
    expect(hashPayload(Object.fromEntries(Object.entries(strategies[0]).map(([k, v]) => [k, v.value])), first)).toBe(VECTOR0);
    expect(strategyHash(strategies[0], first)).toBe('b041719fcaf816d01c4aec555f065dde953400e1');
  });
  it('equalization + tqt on, bias correction / blockwise off', () => {
    const s = strategies.find((x) => x.weight_equalization.value && x.tqt.value && !x.bias_correction.value && !x.blockwise_reconstruction.value)!;
    expect(strategyHash(s, iterParamCombos(s).next().value!)).toBe('5d720366aa50032faad2ad2eeba02a9781ca94f1');
  });
  it('recomputes the hash of every record of the three ESP-PPQ run folders', () => {
    let n = 0;
    for (const run of ['autoquant_default', 'autoquant_top1', 'autoquant_tqt']) {
      const summary = parsePyJson(readFileSync(fixture('digits', run, 'summary.json'), 'utf8')) as PyDict[];
      for (const r of summary) {
        expect(candidateHash(r.strategy as PyDict, r.params as PyDict), `${run} #${String(r.index)}`).toBe(r.hash);
        n++;
      }
    }
    expect(n).toBe(48 + 54 + 6);
  });
});
