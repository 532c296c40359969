/** The `quantize` command end to end on real files: outputs, JSON report, and one-line errors with exit code 2. */
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../helpers/paths.js';
import { runCli } from '../../helpers/cli.js';
import { parseContainer } from '../../../src/espdl/container.js';
import { readEspdlModel } from '../../../src/espdl/read.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'espdl-q-'));

describe('espdl-autoquant quantize', () => {
  it('writes model.qdq.onnx, model.espdl, model.info, model.json and prints the JSON report', async () => {
    const dir = tmp();
    const out = path.join(dir, 'm', 'model.espdl');
    const r = await runCli(['quantize', '--model', fixture('digits', 'model.onnx'), '--calib', fixture('digits', 'calib.npy'),
      '--target', 'esp32p4', '--calib-steps', '8', '--out', out, '--json']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const ppq = JSON.parse(readFileSync(fixture('digits', 'ppq', 'esp32p4_8_kl', 'tensor_exponents.json'), 'utf8'));
    expect(report.exponents['/stem/stem.2/Relu_output_0']).toBe(ppq['/stem/stem.2/Relu_output_0'].exponent);
    expect(report.bits['onnx::Conv_135']).toBe(32);
    expect(Object.keys(report.graphwise_snr)).toHaveLength(15);
    expect(report.top3_mean).toBeCloseTo(0.08124185958877206, 4);
    expect(report.fp32_nodes).toEqual([]);
    for (const f of ['model.qdq.onnx', 'model.espdl', 'model.info', 'model.json']) expect(existsSync(path.join(dir, 'm', f))).toBe(true);
    const file = new Uint8Array(readFileSync(out));
    const c = parseContainer(file);
    expect(c.format).toBe('EDL2');
    const view = readEspdlModel(c.models[0]!.payload);
    expect(view.metadataProps).toEqual([{ key: 'target', value: 'esp32p4' }]);
  });

  it('rejects bad input with one line and exit code 2', async () => {
    const dir = tmp();
    const corrupt = path.join(dir, 'bad.onnx');
    writeFileSync(corrupt, 'not a model');
    const cases: [string[], RegExp][] = [
      [['--model', path.join(dir, 'missing.onnx'), '--calib', fixture('digits', 'calib.npy'), '--target', 'esp32p4'], /not found/],
      [['--model', corrupt, '--calib', fixture('digits', 'calib.npy'), '--target', 'esp32p4'], /not a valid ONNX model/],
      [['--model', fixture('digits', 'model.onnx'), '--calib', fixture('digits', 'test_labels.npy'), '--target', 'esp32p4'], /test_labels\.npy/],
      [['--model', fixture('digits', 'model.onnx'), '--calib', fixture('digits', 'calib.npy'), '--target', 'esp32x9'], /valid targets are esp32p4/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['quantize', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('quantize + export end to end against ESP-PPQ', () => {
  it('our own esp32p4 int8 kl quantization exports the same .espdl content as ESP-PPQ (canonical view)', async () => {
    const { canonicalView, parseCanonicalJson, stringifyCanonical } = await import('../../../src/espdl/canonical.js');
    const dir = tmp();
    const out = path.join(dir, 'model.espdl');
    const r = await runCli(['quantize', '--model', fixture('digits', 'model.onnx'), '--calib', fixture('digits', 'calib.npy'),
      '--target', 'esp32p4', '--calib-steps', '8', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const ours = JSON.parse(stringifyCanonical(canonicalView(new Uint8Array(readFileSync(out)))));
    const ppq = JSON.parse(stringifyCanonical(parseCanonicalJson(readFileSync(fixture('digits', 'ppq', 'esp32p4_8_kl', 'model.canonical.json'), 'utf8'))));
    // Nodes are compared by name (ESP-PPQ's own order among independent nodes comes from a Python set); we write
    // metadata_props {target}, which ESP-PPQ only writes when asked; sizes follow from both.
    const byName = (nodes: { name: string }[]) => [...nodes].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(ours.nodes)).toEqual(byName(ppq.nodes));
    expect(ours.metadata_props).toEqual({ target: 'esp32p4' });
    const differing = Object.keys(ppq).filter((k) => !['nodes', 'metadata_props', 'file_bytes', 'header'].includes(k))
      .filter((k) => JSON.stringify(ours[k]) !== JSON.stringify(ppq[k]));
    expect(differing).toEqual([]);
  });
});

describe('test values for Model::test() on the device', () => {
  it('embeds the first test image and the simulated output exactly as ESP-PPQ does (p4_8_kl_testvalues)', async () => {
    const { canonicalView, parseCanonicalJson, stringifyCanonical } = await import('../../../src/espdl/canonical.js');
    const dir = tmp();
    const out = path.join(dir, 'model.espdl');
    const r = await runCli(['quantize', '--model', fixture('digits', 'model.onnx'), '--calib', fixture('digits', 'calib.npy'),
      '--target', 'esp32p4', '--calib-steps', '8', '--out', out, '--export-test-values', '--test-input', fixture('digits', 'test_images.npy')]);
    expect(r.code, r.stderr).toBe(0);
    const ours = JSON.parse(stringifyCanonical(canonicalView(new Uint8Array(readFileSync(out)))));
    const ppq = JSON.parse(stringifyCanonical(parseCanonicalJson(readFileSync(fixture('digits', 'ppq', 'p4_8_kl_testvalues', 'model.canonical.json'), 'utf8'))));
    expect(ours.test_inputs).toEqual(ppq.test_inputs);
    expect(ours.test_outputs).toEqual(ppq.test_outputs);
  });
});
