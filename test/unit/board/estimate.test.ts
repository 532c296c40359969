import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimateFile } from '../../../src/board/estimate.js';
import { estimateCommand } from '../../../src/cli/commands/estimate.js';
import type { CliContext } from '../../../src/cli/command.js';
import { InputError } from '../../../src/errors.js';
import { recordingLogger } from '../../fakes/recording-logger.js';
import { fixture } from '../../helpers/paths.js';

function ctx(): CliContext & { out: string[] } {
  const out: string[] = [];
  return { out, stdout: (t) => out.push(t), stderr: () => undefined, logger: recordingLogger(), cwd: '/', env: {}, isTTY: false, signal: new AbortController().signal };
}

describe('estimate', () => {
  it('counts the same MACs from the ONNX graph (NCHW, propagated shapes) and from its ESP-PPQ export (NHWC value_info)', () => {
    const onnx = estimateFile(new Uint8Array(readFileSync(fixture('digits/model.onnx'))), 'model.onnx', 'esp32p4');
    const espdl = estimateFile(new Uint8Array(readFileSync(fixture('digits/ppq/esp32p4_8_kl/model.espdl'))), 'model.espdl', 'esp32p4');
    expect(onnx.uncosted).toEqual([]);
    expect(espdl.uncosted).toEqual([]);
    expect(onnx.macs).toBeGreaterThan(0);
    expect(onnx.macs).toBe(espdl.macs);
    const dyn = estimateFile(new Uint8Array(readFileSync(fixture('digits/model_dynbatch.onnx'))), 'dyn.onnx', 'esp32p4');
    expect(dyn.uncosted).toEqual([]);
    expect(dyn.macs).toBe(onnx.macs); // a symbolic batch is costed as batch 1
  });

  it('prints JSON with latency_ms and memory_bytes for a model-zoo file', async () => {
    const c = ctx();
    const file = fixture('espdl-zoo/models_imagenet_cls_models_p4_imagenet_cls_mobilenetv2_s8_v1.espdl');
    expect(await estimateCommand.run([file, '--target', 'esp32p4', '--json'], c)).toBe(0);
    const json = JSON.parse(c.out.join(''));
    expect(json.latency_ms).toBeCloseTo(326.6, 0);
    expect(json.memory_bytes.flash).toBe(3899216);
    expect(Object.keys(json.memory_bytes)).toEqual(['internal', 'psram', 'flash']);
    expect(json.calibrated).toBe(true);
  });

  it('rejects an unknown target and prints help', async () => {
    await expect(estimateCommand.run(['x.espdl', '--target', 'esp32c6'], ctx())).rejects.toThrow(InputError);
    const c = ctx();
    expect(await estimateCommand.run(['--help'], c)).toBe(0);
    expect(c.out.join('')).toMatch(/--target T {10}esp32p4 \| esp32s3 \| esp32/);
  });
});
