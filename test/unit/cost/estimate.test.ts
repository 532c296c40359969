import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCH_SCHEMA_ID } from '../../../src/board/bench-report.js';
import { estimateEspdlFile, estimateOnnxGraph } from '../../../src/cost/estimate.js';
import { estimateCandidate } from '../../../src/index.js';
import { decodeModel } from '../../../src/onnx/read.js';
import { encodeModel } from '../../../src/onnx/write.js';
import { runCli } from '../../helpers/cli.js';
import { fixture } from '../../helpers/paths.js';
import { zooBytes, zooEntries } from '../../helpers/zoo.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'estimate-'));
const mbv2P4 = zooEntries().find((e) => e.chip === 'esp32p4' && e.file.includes('mobilenetv2'))!;

/** A zoo file written out as a plain .espdl (parameters zeroed: the estimate reads shapes only). */
function zooFile(dir: string): string {
  const f = path.join(dir, 'mobilenetv2_p4.espdl');
  writeFileSync(f, zooBytes(mbv2P4));
  return f;
}

describe('estimate', () => {
  it('counts the same MACs from the ONNX graph (NCHW, propagated shapes) and from its ESP-PPQ export (NHWC value_info)', () => {
    const onnx = estimateOnnxGraph(decodeModel(new Uint8Array(readFileSync(fixture('digits/model.onnx')))).graph, 'esp32p4', 8);
    const espdl = estimateEspdlFile(new Uint8Array(readFileSync(fixture('digits/ppq/esp32p4_8_kl/model.espdl'))), 'model.espdl', 'esp32p4');
    expect(onnx.uncosted).toEqual([]);
    expect(espdl.uncosted).toEqual([]);
    expect(onnx.macs).toBeGreaterThan(0);
    expect(onnx.macs).toBe(espdl.macs);
  });

  it('prints JSON: latency, band, per-class breakdown and memory of a model-zoo file', async () => {
    const dir = tmp();
    const r = await runCli(['estimate', zooFile(dir), '--target', 'esp32p4', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    // Its own published figure is 326.6 ms; the fit (which includes it) is within its leave-one-out band.
    expect(json.band_ms[0]).toBeLessThan(326.6);
    expect(json.band_ms[1]).toBeGreaterThan(326.6);
    expect(json.calibrated).toBe(true);
    expect(Object.keys(json.memory_bytes)).toEqual(['internal', 'psram', 'flash']);
    expect(json.memory_bytes.flash).toBe(3899216);
    // Parameters (3.38 MiB) plus ESP-DL's simulated activation arena, all in PSRAM by default.
    expect(json.memory_bytes.internal).toBe(0);
    expect(json.memory_bytes.psram).toBeGreaterThan(3.38 * 1024 * 1024);
    const classes = json.by_class.map((c: { class: string; detail: string }) => `${c.class}${c.detail ? ` ${c.detail}` : ''}`);
    expect(classes).toEqual(['conv 3×3 s2', 'conv1x1', 'depthwise', 'elementwise', 'pool', 'copy', 'scalar', 'free']);
    const sum = json.by_class.reduce((s: number, c: { ms: number }) => s + c.ms, 0);
    expect(sum).toBeCloseTo(json.latency_ms, 0);
    expect(json.extrapolation).toEqual([]);
  });

  it('prints text with the band, the breakdown and where the model leaves the fitted range', async () => {
    const dir = tmp();
    const f = zooFile(dir);
    const r = await runCli(['estimate', f, '--target', 'esp32p4', '--max-internal-kb', '256']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/on esp32p4: \d+ ms single-core — an estimate, not a measurement/);
    expect(r.stdout).toMatch(/likely \d+–\d+ ms \(the range of leave-one-out errors over 7 published esp32p4 models\)/);
    expect(r.stdout).toMatch(/1×1 conv\/Gemm\/MatMul +\d+ ms +\d+%/);
    expect(r.stdout).toMatch(/k×k conv 3×3 s2/);
    expect(r.stdout).toMatch(/memory {3}internal 256\.0 KiB, PSRAM/);
    expect(r.stdout).toMatch(/outside what the model was fitted on:\n {4}- activations in internal RAM/);
  });

  it('ONNX with a dynamic dimension: asks for --input-shape (exit 2), then costs every node with it', async () => {
    const dir = tmp();
    const model = decodeModel(new Uint8Array(readFileSync(fixture('digits/model.onnx'))));
    const input = model.graph.inputs[0];
    const shape = input.shape!;
    input.shape = [shape[0], shape[1], 'height', 'width'];
    const f = path.join(dir, 'dynamic.onnx');
    writeFileSync(f, encodeModel(model));
    const refused = await runCli(['estimate', f, '--target', 'esp32s3']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/dynamic dimension.*--input-shape/);
    const given = await runCli(['estimate', f, '--target', 'esp32s3', '--input-shape', shape.join(','), '--json']);
    expect(given.code).toBe(0);
    const json = JSON.parse(given.stdout);
    expect(json.uncosted).toEqual([]);
    const fixed = estimateOnnxGraph(decodeModel(new Uint8Array(readFileSync(fixture('digits/model.onnx')))).graph, 'esp32s3', 8);
    expect(json.macs).toBe(fixed.macs);
  });

  it('--measured bench.json: refines the constants with the board\'s measurements', async () => {
    const dir = tmp();
    const f = zooFile(dir);
    const before = JSON.parse((await runCli(['estimate', f, '--target', 'esp32p4', '--json'])).stdout).latency_ms;
    const bench = {
      schema: BENCH_SCHEMA_ID, created: '2026-01-01T00:00:00Z', mode: 'board', chip: 'esp32p4', runs: 3, warmup: 1, boards: [],
      candidates: [{
        name: 'mbv2', file: 'mobilenetv2_p4.espdl', status: 'ok', reason: null, board: 'b0', attempts: 1, test: 'none', model_bytes: 3899216,
        latency_us: { warmup: 1, runs: [1, 2, 3], min: 1, median: before * 1500, mean: 1, p90: 1, max: 1 }, icount: null, memory_bytes: null, layers: [],
      }],
    };
    writeFileSync(path.join(dir, 'bench.json'), JSON.stringify(bench));
    const r = await runCli(['estimate', f, '--target', 'esp32p4', '--measured', path.join(dir, 'bench.json'), '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.refined).toEqual({ method: 'scale', measurements: 1 });
    expect(json.latency_ms).toBeCloseTo(1.5 * before, 0);
    const wrongChip = await runCli(['estimate', f, '--target', 'esp32s3', '--measured', path.join(dir, 'bench.json')]);
    expect(wrongChip.code).toBe(2);
    expect(wrongChip.stderr).toMatch(/measured on esp32p4, not esp32s3/);
  });

  it('estimateCandidate (the search/report API): latency, band and memory of a candidate\'s .espdl bytes', () => {
    const bytes = zooBytes(mbv2P4);
    const full = estimateEspdlFile(bytes, 'm.espdl', 'esp32p4');
    const c = estimateCandidate(bytes, 'esp32p4')!;
    expect(c.latency_ms).toBe(full.latency_ms);
    expect(c.band_ms).toEqual(full.band_ms);
    expect(c.memory_bytes).toEqual(full.memory_bytes);
    expect(c.ram_bytes).toBe(full.memory_bytes.internal + full.memory_bytes.psram);
    expect(c.calibrated).toBe(true);
    // ESP-PPQ's target "c" is ESP32's C kernels; targets without a latency model give undefined.
    expect(estimateCandidate(bytes, 'c', { deployment: { params: 'flash' } })?.target).toBe('esp32');
    expect(estimateCandidate(bytes, 'esp32c6')).toBeUndefined();
  });

  it('rejects an unknown target, bad --params and prints help', async () => {
    expect((await runCli(['estimate', 'x.espdl', '--target', 'esp32c6'])).code).toBe(2);
    const dir = tmp();
    const bad = await runCli(['estimate', zooFile(dir), '--target', 'esp32s3', '--params', 'sdcard']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--params sdcard: expected psram, flash or internal/);
    const help = await runCli(['estimate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--target T {12}esp32p4 \| esp32s3 \| esp32/);
    expect(help.stdout).toMatch(/--input-shape DIMS/);
  });
});
