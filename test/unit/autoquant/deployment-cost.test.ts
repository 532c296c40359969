import { describe, expect, it } from 'vitest';
import { deploymentCostOf, withDeploymentCost, type DeploymentCost } from '../../../src/autoquant/deployment-cost.js';
import { validateEvaluation } from '../../../src/autoquant/evaluator.js';
import { dumps, parsePyJson } from '../../../src/autoquant/py-json.js';
import type { PyDict } from '../../../src/autoquant/py-value.js';

const cost: DeploymentCost = {
  target: 'esp32p4',
  estimated: { latency_ms: 2, latency_band_ms: [1.5, 2.75], ram_bytes: 3000, memory_bytes: { internal: 1000, psram: 2000, flash: 27000 }, calibrated: true },
  measured: { source: 'board', chip: 'esp32p4', status: 'ok', test: 'pass', latency_ms: 1.875, ram_bytes: 2048, memory_bytes: { internal: 2048, psram: 0, flash: null } },
};

describe('deployment figures in a record (extras key espdl_autoquant)', () => {
  it('goes last, after ESP-PPQ\'s keys and the evaluator\'s extras, and reads back unchanged through the JSON files', () => {
    const record = withDeploymentCost({ index: 3, score: 0.5, top1: 98 }, cost);
    expect(Object.keys(record)).toEqual(['index', 'score', 'top1', 'espdl_autoquant']);
    const text = dumps(record, { indent: 4 });
    expect(text).toContain('"latency_ms": 2.0,'); // a Python float, as json.dump writes it
    expect(deploymentCostOf(parsePyJson(text) as PyDict)).toEqual(cost);
  });
  it('reads what an artifact holds defensively: bad numbers, unknown words and odd chip names are dropped', () => {
    const hostile = { espdl_autoquant: {
      target: '<img src=x>', estimated: { latency_ms: -1 },
      measured: { source: 'board', status: 'ok', chip: 'esp32p4', test: 'maybe', latency_ms: 'fast', ram_bytes: Number.NaN },
    } } as unknown as PyDict;
    expect(deploymentCostOf(hostile)).toEqual({ target: '?', measured: { source: 'board', chip: 'esp32p4', status: 'ok', test: null } });
    expect(deploymentCostOf({ espdl_autoquant: { measured: { source: 'phone', status: 'ok' } } })).toBeUndefined();
    expect(deploymentCostOf({ espdl_autoquant: 'x' })).toBeUndefined();
    expect(deploymentCostOf({ score: 1 })).toBeUndefined();
  });
  it('QEMU never carries a latency, boards never carry an instruction count', () => {
    const q = deploymentCostOf({ espdl_autoquant: { target: 'esp32s3', measured: { source: 'qemu', chip: 'esp32s3', status: 'ok', test: 'pass', latency_ms: 5, instructions: 123456 } } });
    expect(q?.measured).toEqual({ source: 'qemu', chip: 'esp32s3', status: 'ok', test: 'pass', instructions: 123456 });
    const b = deploymentCostOf({ espdl_autoquant: { target: 'esp32s3', measured: { source: 'board', chip: 'esp32s3', status: 'ok', test: 'pass', latency_ms: 5, instructions: 123456 } } });
    expect(b?.measured).toEqual({ source: 'board', chip: 'esp32s3', status: 'ok', test: 'pass', latency_ms: 5 });
  });
  it('an evaluator may not write the key', () => {
    expect(() => validateEvaluation({ score: 1, extras: { espdl_autoquant: 1 } }, 'candidate 0000')).toThrow(/candidate 0000: .*'espdl_autoquant'/);
  });
});
