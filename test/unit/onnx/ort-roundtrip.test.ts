import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/onnx/read.js';
import { encodeModel } from '../../../src/onnx/write.js';
import { fixture } from '../../helpers/paths.js';

/** First sample of a float32 C-order .npy, read from the header independently of src/data. */
function firstSample(file: string, sampleElems: number): Float32Array {
  const b = readFileSync(file);
  const headerLen = b.readUInt16LE(8);
  expect(b.subarray(10, 10 + headerLen).toString('latin1')).toContain("'descr': '<f4'");
  const start = 10 + headerLen;
  return new Float32Array(b.buffer.slice(b.byteOffset + start, b.byteOffset + start + sampleElems * 4));
}

describe('re-encoded model runs identically in onnxruntime', () => {
  it('digits: original and decode→encode give bit-identical logits', async () => {
    const ort = (await import('onnxruntime-node')).default;
    const original = readFileSync(fixture('digits/model.onnx'));
    const reencoded = encodeModel(decodeModel(original));
    const x = firstSample(fixture('digits/calib.npy'), 32 * 32);
    const run = async (bytes: Uint8Array) => {
      const s = await ort.InferenceSession.create(bytes);
      const out = await s.run({ input: new ort.Tensor('float32', x, [1, 1, 32, 32]) });
      await s.release();
      return out.logits!.data as Float32Array;
    };
    const a = await run(original);
    const b = await run(reencoded);
    expect(a.length).toBe(10);
    expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.from(a.buffer, a.byteOffset, a.byteLength))).toBe(true);
    // Sanity: logits are finite and not all equal (the model really ran).
    expect(new Set(a).size).toBe(10);
  });
});
