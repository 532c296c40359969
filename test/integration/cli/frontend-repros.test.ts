/**
 * The six failure classes of issue 12, each with the tiny model that reproduced it (test/fixtures/frontend/repro,
 * rebuilt by make_repros.py), run through the real CLI. Before the front end: bool/int tensors observed
 * (onnxruntime rejected our own ReduceMax), shape arithmetic observed instead of folded, the exporter crashed on
 * Transpose → MatMul ("Cannot convert undefined to a BigInt", exit 3), Clip's +inf bound blamed on the data,
 * `--input-shape` could not name an input, inputs with a leading dim other than 1 could not be fed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../helpers/npy.js';
import { seededNormal } from '../../../src/data/random.js';
import { encodeModel } from '../../../src/onnx/write.js';
import { runCli } from '../../helpers/cli.js';
import { fixture, REPO_ROOT } from '../../helpers/paths.js';
import { f32, model, node, vi } from '../../unit/onnx/graph-builder.js';
import { maxRelError, runOrt } from '../../unit/onnx/simplify/ort.js';

const REPRO = path.join(REPO_ROOT, 'test/fixtures/frontend/repro');
const repro = (f: string) => path.join(REPRO, f);

async function quantize(modelFile: string, calib: string, extra: string[] = []) {
  const dir = mkdtempSync(path.join(tmpdir(), 'espdl-repro-'));
  const out = path.join(dir, 'model.espdl');
  const r = await runCli(['quantize', '--model', modelFile, '--calib', calib, '--target', 'esp32p4', '--calib-steps', '2', '--out', out, '--json', ...extra]);
  return { ...r, out, dir };
}

describe('issue 12 repro models through the CLI', () => {
  it('1. bool tensors are not observed: a comparison mask quantizes; a mask that needs Cast names Cast as the only op ESP-DL lacks', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'espdl-bool-'));
    const m = model({
      nodes: [node('Conv', 'conv', ['x', 'w'], ['c']), node('Greater', 'gt', ['c', 'zero'], ['mask'])],
      inputs: [vi('x', [1, 4, 8, 8])], outputs: [vi('mask', [1, 4, 8, 8], 'bool')],
      initializers: { w: f32([4, 4, 1, 1], (i) => ((i * 7) % 5) / 5 - 0.4), zero: f32([], [0]) },
    });
    writeFileSync(path.join(dir, 'mask.onnx'), encodeModel(m));
    const ok = await quantize(path.join(dir, 'mask.onnx'), repro('calib_4x8x8.npy'));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).not.toMatch(/ReduceMax/);

    const r = await quantize(repro('bool_mask.onnx'), repro('calib_4x8x8.npy'));
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/ReduceMax|onnxruntime/);
    expect(r.stderr).toMatch(/ESP-DL has no kernel for node\(s\) generated_name_2 \(Cast\): .*cannot stay FP32 either/);
  });

  it('2. Shape → Slice → Concat → Reshape folds to a constant and the model quantizes', async () => {
    const r = await quantize(repro('shape_reshape.onnx'), repro('calib_4x8x8.npy'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('front end: folded 3 node(s) of constant or shape arithmetic into constants');
    expect(JSON.parse(r.stdout).fp32_nodes).toEqual([]);
  });

  it('3. Transpose (perm 0,2,3,1) feeding MatMul exports and inspects', async () => {
    const r = await quantize(repro('transpose_matmul.onnx'), repro('calib_40x8x15.npy'));
    expect(r.code, r.stderr).toBe(0);
    const inspect = await runCli(['inspect', r.out, '--json']);
    expect(inspect.code, inspect.stderr).toBe(0);
    type JsonNode = { op_type: string; attributes: Record<string, { value: number[] }> };
    const perms = (JSON.parse(inspect.stdout).models[0].model.nodes as JsonNode[])
      .filter((n) => n.op_type === 'Transpose').map((n) => n.attributes.perm!.value);
    expect(perms.length).toBeGreaterThan(0);
    // ESP-PPQ writes the MatMul pre-nodes' perms with negative axes; each must still be a permutation.
    for (const p of perms) expect(p.map((a) => (a < 0 ? a + p.length : a)).sort()).toEqual(p.map((_, i) => i));
  });

  it('4. Clip with max = +inf quantizes, the rewrite is named', async () => {
    const r = await quantize(repro('clip_inf.onnx'), repro('calib_4x8x8.npy'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/front end: Clip with an infinite bound → finite bound \(1 node\)/);
  });

  it('5. two inputs with a dynamic dim: --input-shape NAME:DIMS (one fixes the shared symbol), .npz by input name', async () => {
    const r = await quantize(repro('two_inputs_dynamic.onnx'), repro('calib_two_inputs.npz'), ['--input-shape', 'a:1,16', '--input-shape', 'b:1,16']);
    expect(r.code, r.stderr).toBe(0);
    const one = await quantize(repro('two_inputs_dynamic.onnx'), repro('calib_two_inputs.npz'), ['--input-shape', 'a:1,16']);
    expect(one.code, one.stderr).toBe(0);
    const unnamed = await quantize(repro('two_inputs_dynamic.onnx'), repro('calib_two_inputs.npz'), ['--input-shape', '1,16']);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toMatch(/the model has 2 inputs \(a, b\): give one --input-shape NAME:DIMS per input/);
  });

  it('6. an input whose fixed first dim is 2 is fed whole per sample; data of the wrong shape is named', async () => {
    const r = await quantize(repro('leading_dim2.onnx'), repro('calib_N_2x8.npy'));
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(r.out)).toBe(true);
    const bad = await quantize(repro('leading_dim2.onnx'), repro('calib_N_8.npy'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/calib_N_8\.npy has shape \[8, 8\], which does not fit model input 'x' of shape \[2, 8\]: expected \[N, 2, 8\]/);
  });

  it('7. an If on a setting input (Silero VAD\'s sample rate): exit 2 naming the If and --input-value; with --input-value sr=16000 it folds and quantizes to the 16 kHz branch', async () => {
    const noValue = await quantize(repro('if_sample_rate.onnx'), repro('calib_N_8.npy'));
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toMatch(/ESP-DL has no kernel for node\(s\) \S+ \(If\): .*--input-value/);

    const r = await quantize(repro('if_sample_rate.onnx'), repro('calib_N_8.npy'), ['--input-value', 'sr=16000']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('front end: input sr frozen to 16000 (int64, shape [])');
    expect(r.stderr).toMatch(/front end: If with a constant condition replaced by its branch: \S+/);
    // The quantized model computes the 16 kHz branch of the original (int8 noise: 5.5 % here), not the other one.
    const x = { dims: [1, 8], data: Float32Array.from(seededNormal(8, 11)) };
    const original = new Uint8Array(readFileSync(repro('if_sample_rate.onnx')));
    const at = async (rate: number) => (await runOrt(original, { x, sr: { dims: [], data: BigInt64Array.of(BigInt(rate)) } })).y!;
    const q = (await runOrt(new Uint8Array(readFileSync(path.join(r.dir, 'model.qdq.onnx'))), { x })).y!;
    expect(maxRelError(q, await at(16000), 1)).toBeLessThan(0.15);
    expect(maxRelError(q, await at(8000), 1)).toBeGreaterThan(0.5);
  });

  it('non-float inputs in an .npz are fed as they are (int64 indices, a whole [2] sample each)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'espdl-int-'));
    const m = model({
      nodes: [node('Conv', 'conv', ['x', 'w'], ['c']), node('Gather', 'pick', ['c', 'idx'], ['y'], { axis: 1 })],
      inputs: [vi('x', [1, 4, 8, 8]), vi('idx', [2], 'int64')], outputs: [vi('y', [1, 2, 8, 8])],
      initializers: { w: f32([4, 4, 1, 1], (i) => ((i * 7) % 5) / 5 - 0.4) },
    });
    writeFileSync(path.join(dir, 'm.onnx'), encodeModel(m));
    const { zipSync } = await import('fflate');
    writeFileSync(path.join(dir, 'd.npz'), zipSync({
      'x.npy': encodeNpy({ dtype: 'float32', dims: [4, 4, 8, 8], data: seededNormal(4 * 256, 3) }),
      'idx.npy': encodeNpy({ dtype: 'int64', dims: [4, 2], data: BigInt64Array.from([0n, 3n, 1n, 2n, 3n, 3n, 0n, 0n]) }),
    }));
    const r = await quantize(path.join(dir, 'm.onnx'), path.join(dir, 'd.npz'));
    expect(r.code, r.stderr).toBe(0);
    const floats = path.join(dir, 'f.npz');
    writeFileSync(floats, zipSync({
      'x.npy': encodeNpy({ dtype: 'float32', dims: [4, 4, 8, 8], data: seededNormal(4 * 256, 3) }),
      'idx.npy': encodeNpy({ dtype: 'float32', dims: [4, 2], data: new Float32Array(8) }),
    }));
    const bad = await quantize(path.join(dir, 'm.onnx'), floats);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/f\.npz\[idx\] holds float32 values, but model input 'idx' is int64: save the array as int64/);
  });
});

describe('inspect piped into a reader that stops early', () => {
  it('exits quietly on EPIPE (no stack trace)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'espdl-epipe-'));
    const cli = path.join(dir, 'cli.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('../../../src/cli/index.ts', import.meta.url))], bundle: true, platform: 'node',
      format: 'esm', outfile: cli, logLevel: 'error', external: ['onnxruntime-node', 'serialport', 'esptool-js'],
    });
    // 80 KB of JSON: more than a pipe holds, so the writer is still writing when the reader goes away.
    const espdl = fixture('digits', 'ppq', 'esp32p4_8_kl', 'model.espdl');
    // A real shell pipe into `head -1` (coreutils), as a user types it; pipefail gives the CLI's own exit code.
    const child = spawn('bash', ['-c', `set -o pipefail; "${process.execPath}" "${cli}" inspect "${espdl}" --json | head -1 >/dev/null`], { stdio: ['ignore', 'ignore', 'pipe'], cwd: REPO_ROOT });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += String(d); });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });
});
