import { describe, expect, it } from 'vitest';
import { parseInputs, parseScoreDrop, parseShard } from '../../../src/action/inputs.js';
import { InputError } from '../../../src/errors.js';

const reader = (m: Record<string, string>) => (name: string): string => m[name] ?? '';

describe('parseInputs', () => {
  it('applies the documented defaults', () => {
    const cfg = parseInputs(reader({ model: 'm.onnx' }));
    expect(cfg).toEqual({
      mode: 'search', model: 'm.onnx', target: 'esp32p4', runDir: 'espdl-autoquant-run', cache: true,
      cacheKeyPrefix: 'espdl-autoquant', artifactName: 'espdl-autoquant', retentionDays: 0, comment: 'on-change',
      githubToken: '', failOnRegression: true, flash: true, allowForkPrs: false,
    });
  });

  it('parses every typed input', () => {
    const cfg = parseInputs(reader({
      model: 'm.onnx', calib: 'calib/', target: 'esp32s3', bits: '16', 'search-mode': 'fast', 'num-of-candidates': '3',
      'time-budget-minutes': '2.5', cache: 'False', 'retention-days': '7', comment: 'always', 'min-score': '-1.5',
      'max-score-drop': '2%', shard: '2/4', 'score-direction': 'maximize', 'fail-on-regression': 'false', 'baseline-score': '0.25',
    }));
    expect(cfg).toMatchObject({
      calib: 'calib/', target: 'esp32s3', bits: 16, searchMode: 'fast', numOfCandidates: 3, timeBudgetMinutes: 2.5,
      cache: false, retentionDays: 7, comment: 'always', minScore: -1.5, maxScoreDrop: { kind: 'percent', value: 2 },
      shard: { index: 2, count: 4 }, scoreDirection: 'maximize', failOnRegression: false, baselineScore: 0.25,
    });
  });

  it.each([
    [{ model: 'm', mode: 'serch' }, "Input 'mode' must be one of search, merge, report, benchmark; got 'serch'"],
    [{}, "Input 'model' is required when mode is search"],
    [{ model: 'm', target: 'esp8266' }, "Input 'target' must be one of esp32p4"],
    [{ model: 'm', bits: '4' }, "Input 'bits' must be 8 or 16; got '4'"],
    [{ model: 'm', 'num-of-candidates': '0' }, "Input 'num-of-candidates' must be an integer >= 1; got '0'"],
    [{ model: 'm', cache: 'yes' }, "Input 'cache' must be true or false; got 'yes'"],
    [{ model: 'm', comment: 'sometimes' }, "Input 'comment' must be one of always, on-change, never"],
    [{ model: 'm', 'max-score-drop': '-1' }, "Input 'max-score-drop' must be a non-negative number"],
    [{ model: 'm', shard: '2/2' }, "Input 'shard' must be 'i/n' with 0 <= i < n"],
    [{ model: 'm', evaluate: 'e.mjs', 'evaluate-command': 'x' }, "Inputs 'evaluate' and 'evaluate-command' exclude each other"],
    [{ mode: 'benchmark' }, "Input 'firmware' is required when mode is benchmark"],
    [{ mode: 'benchmark', firmware: 'fw', 'max-latency-ms': '0' }, "Input 'max-latency-ms' must be a positive number of milliseconds; got '0'"],
    [{ mode: 'benchmark', firmware: 'fw', 'max-latency-ms': 'fast' }, "Input 'max-latency-ms' must be a number >= 0; got 'fast'"],
    [{ mode: 'benchmark', firmware: 'fw', runs: '2.5' }, "Input 'runs' must be an integer >= 1; got '2.5'"],
    [{ mode: 'benchmark', firmware: 'fw', 'allow-fork-prs': 'maybe' }, "Input 'allow-fork-prs' must be true or false; got 'maybe'"],
  ])('rejects %j naming the input', (inputs, message) => {
    expect(() => parseInputs(reader(inputs))).toThrow(InputError);
    expect(() => parseInputs(reader(inputs))).toThrow(message);
  });

  it('parses the benchmark inputs (ports split on commas and newlines)', () => {
    const cfg = parseInputs(reader({
      mode: 'benchmark', firmware: 'fw/build', chip: 'esp32s3', ports: '/dev/ttyUSB0, /dev/ttyACM1\n/dev/ttyUSB2\n', runs: '20',
      flash: 'false', 'max-latency-ms': '12.5', 'allow-fork-prs': 'TRUE',
    }));
    expect(cfg).toMatchObject({
      mode: 'benchmark', firmware: 'fw/build', chip: 'esp32s3', ports: ['/dev/ttyUSB0', '/dev/ttyACM1', '/dev/ttyUSB2'], runs: 20,
      flash: false, maxLatencyMs: 12.5, allowForkPrs: true,
    });
    expect(cfg.model).toBeUndefined();
  });

  it('does not need a model for merge and report', () => {
    expect(parseInputs(reader({ mode: 'merge' })).mode).toBe('merge');
    expect(parseInputs(reader({ mode: 'report', 'report-run-id': '42' })).reportRunId).toBe(42);
  });
});

describe('score drop and shard syntax', () => {
  it('reads absolute and percent drops', () => {
    expect(parseScoreDrop('0.5')).toEqual({ kind: 'absolute', value: 0.5 });
    expect(parseScoreDrop(' 2.5 % ')).toEqual({ kind: 'percent', value: 2.5 });
    expect(parseScoreDrop('1e-3')).toEqual({ kind: 'absolute', value: 0.001 });
  });
  it('reads i/n', () => {
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
    expect(parseShard(' 3 / 8 ')).toEqual({ index: 3, count: 8 });
    expect(() => parseShard('1/1')).toThrow(InputError);
    expect(() => parseShard('0/0')).toThrow(InputError);
    expect(() => parseShard('2')).toThrow(InputError);
  });
});
