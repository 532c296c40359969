import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { loadOnnxFile } from '../../../src/node/onnx-file.js';
import { DATA_TYPE_CODE } from '../../../src/ir/tensor.js';
import { ProtoWriter } from '../../../src/onnx/proto-writer.js';
import { fixture } from '../../helpers/paths.js';

/**
 * Hand-assembles (field by field, onnx.proto numbering) a model y = x + W where W [2,3] float32 lives in an
 * external file at `location` with `offset`.
 */
function externalModel(location: string, offset: number): Uint8Array {
  const w = new ProtoWriter();
  const valueInfo = (m: ProtoWriter, name: string) => {
    m.stringField(1, name);
    m.messageField(2, (t) => t.messageField(1, (tt) => {
      tt.varintField(1, DATA_TYPE_CODE.float32);
      tt.messageField(2, (s) => { s.messageField(1, (d) => d.varintField(1, 2)); s.messageField(1, (d) => d.varintField(1, 3)); });
    }));
  };
  w.varintField(1, 8);
  w.messageField(7, (g) => {
    g.messageField(1, (n) => n.stringField(1, 'x').stringField(1, 'W').stringField(2, 'y').stringField(3, 'add').stringField(4, 'Add'));
    g.stringField(2, 'g');
    g.messageField(5, (t) => {
      t.messageField(1, (p) => p.int64(2).int64(3));
      t.varintField(2, DATA_TYPE_CODE.float32);
      t.stringField(8, 'W');
      t.messageField(13, (e) => e.stringField(1, 'location').stringField(2, location));
      t.messageField(13, (e) => e.stringField(1, 'offset').stringField(2, String(offset)));
      t.messageField(13, (e) => e.stringField(1, 'length').stringField(2, '24'));
      t.varintField(14, 1);
    });
    g.messageField(11, (m) => valueInfo(m, 'x'));
    g.messageField(12, (m) => valueInfo(m, 'y'));
  });
  w.messageField(8, (o) => o.varintField(2, 13));
  return w.finish();
}

const W = Float32Array.from([1, 2, 3, -4, 5.5, 6]);

function setup(location: string, offset = 16): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'onnx-file-'));
  const data = new Uint8Array(offset + 24 + 8);
  data.set(new Uint8Array(W.buffer), offset);
  mkdirSync(path.join(dir, 'sub'));
  writeFileSync(path.join(dir, 'sub', 'weights.bin'), data);
  writeFileSync(path.join(dir, 'model.onnx'), externalModel(location, offset));
  return dir;
}

describe('loadOnnxFile', () => {
  it('loads the digits fixture', async () => {
    const m = await loadOnnxFile(fixture('digits/model.onnx'));
    expect(m.graph.nodes.length).toBe(34);
  });

  it('resolves external data next to the model, as onnxruntime does', async () => {
    const dir = setup('sub/weights.bin');
    const file = path.join(dir, 'model.onnx');
    const m = await loadOnnxFile(file);
    const t = m.graph.initializers.get('W')!;
    expect(t.dims).toEqual([2, 3]);
    expect(t.data).toEqual(W);
    // Independent check: onnxruntime reads the same external file.
    const ort = (await import('onnxruntime-node')).default;
    const s = await ort.InferenceSession.create(file);
    const out = await s.run({ x: new ort.Tensor('float32', new Float32Array(6), [2, 3]) });
    await s.release();
    expect(out.y!.data).toEqual(W);
  });

  it('missing model file', async () => {
    await expect(loadOnnxFile('/nonexistent/m.onnx')).rejects.toThrow(new InputError('model file not found: /nonexistent/m.onnx'));
  });

  it('rejects absolute, escaping and symlinked-out external locations', async () => {
    const abs = setup('/etc/passwd');
    await expect(loadOnnxFile(path.join(abs, 'model.onnx'))).rejects.toThrow(/absolute path '\/etc\/passwd'/);
    const up = setup('../outside.bin');
    writeFileSync(path.join(up, '..', 'outside.bin'), new Uint8Array(64));
    await expect(loadOnnxFile(path.join(up, 'model.onnx'))).rejects.toThrow(/'\.\.\/outside\.bin' .* outside the model's folder/);
    const link = setup('sub/link.bin');
    symlinkSync('/etc/hostname', path.join(link, 'sub', 'link.bin'));
    await expect(loadOnnxFile(path.join(link, 'model.onnx'))).rejects.toThrow(InputError);
    const missing = setup('sub/nope.bin');
    await expect(loadOnnxFile(path.join(missing, 'model.onnx'))).rejects.toThrow(/external data file 'sub\/nope\.bin' .* not found/);
  });

  it('a corrupt file names itself', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onnx-file-'));
    const file = path.join(dir, 'bad.onnx');
    writeFileSync(file, readFileSync(fixture('digits/model.onnx')).subarray(0, 1000));
    await expect(loadOnnxFile(file)).rejects.toThrow(`${file} is not a valid ONNX model: `);
  });
});
