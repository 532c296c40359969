/**
 * Ops outside ESP-DL's reach: an op ESP-DL cannot quantize stays FP32 (named in one warning) and the model still
 * quantizes and exports; an op ESP-DL has no kernel for at all fails the export with exit code 2 naming the node.
 */
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../helpers/npy.js';
import { seededNormal } from '../../../src/data/random.js';
import type { Attribute, Model, Node } from '../../../src/ir/graph.js';
import { encodeModel } from '../../../src/onnx/write.js';
import { runCli } from '../../helpers/cli.js';

const ints = (v: number[]): Attribute => ({ type: 'ints', value: v });
const node = (name: string, opType: string, inputs: string[], outputs: string[], attrs: [string, Attribute][] = []): Node =>
  ({ name, opType, domain: '', inputs, outputs, attributes: new Map(attrs) });

/** input [1,3,8,8] → Conv 3→4 → Relu → <middle op> → Conv 4→2 → output. */
function model(middle: string): Model {
  const w = (n: number) => ({ dtype: 'float32' as const, dims: [], data: seededNormal(n, n) });
  const conv = (name: string, x: string, wName: string, y: string) => node(name, 'Conv', [x, wName], [y], [['kernel_shape', ints([3, 3])], ['pads', ints([1, 1, 1, 1])]]);
  return {
    irVersion: 7, opsetImports: [{ domain: '', version: 13 }], producerName: 'test', producerVersion: '', domain: '', modelVersion: 0, docString: '',
    metadataProps: [],
    graph: {
      name: 'g',
      nodes: [conv('/conv1', 'input', 'w1', 'a'), node('/relu', 'Relu', ['a'], ['b']), node('/middle', middle, ['b'], ['c']), conv('/conv2', 'c', 'w2', 'output')],
      inputs: [{ name: 'input', dtype: 'float32', shape: [1, 3, 8, 8] }],
      outputs: [{ name: 'output', dtype: 'float32', shape: [1, 2, 8, 8] }],
      initializers: new Map([['w1', { ...w(108), dims: [4, 3, 3, 3] }], ['w2', { ...w(72), dims: [2, 4, 3, 3] }]]),
      valueInfo: new Map(),
    },
  };
}

function files(middle: string): { dir: string; modelPath: string; calib: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'espdl-ops-'));
  const modelPath = path.join(dir, 'm.onnx');
  writeFileSync(modelPath, encodeModel(model(middle)));
  const calib = path.join(dir, 'calib.npy');
  writeFileSync(calib, encodeNpy({ dtype: 'float32', dims: [16, 3, 8, 8], data: seededNormal(16 * 192, 7) }));
  return { dir, modelPath, calib };
}

describe('ops ESP-DL cannot quantize or run', () => {
  it('keeps an op ESP-DL cannot quantize in FP32, names it once, and still exports', async () => {
    const f = files('Sqrt');
    const r = await runCli(['quantize', '--model', f.modelPath, '--calib', f.calib, '--target', 'esp32s3', '--calib-steps', '2', '--out', path.join(f.dir, 'model.espdl'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/stay FP32/g)).toHaveLength(1);
    expect(r.stderr).toContain('/middle');
    expect(JSON.parse(r.stdout).fp32_nodes).toEqual(['/middle']);
    expect(existsSync(path.join(f.dir, 'model.espdl'))).toBe(true);
  });

  it('refuses an op ESP-DL has no kernel for, naming the node, with exit code 2', async () => {
    const f = files('Sin');
    const r = await runCli(['quantize', '--model', f.modelPath, '--calib', f.calib, '--target', 'esp32p4', '--calib-steps', '2', '--out', path.join(f.dir, 'model.espdl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no kernel for node\(s\) \/middle \(Sin\)/);
    expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('warning:'))).toHaveLength(1);
  });
});
