/**
 * Parity guard: on every model ESP-PPQ could load as it was (the 630-case operator bank, digits, the static and
 * the dynamic-batch copy), the front end changes nothing ESP-PPQ's formatting would see — the prepared model's
 * bytes are the same with and without it. So every parity test stays exact whether it goes through
 * prepareModel (front end + simplify) or simplify alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../../src/ir/graph.js';
import { decodeModel } from '../../../../src/onnx/read.js';
import { runFrontEnd } from '../../../../src/onnx/frontend/index.js';
import { simplifyModel } from '../../../../src/onnx/simplify/index.js';
import { encodeModel } from '../../../../src/onnx/write.js';
import { fixture, opsFixture } from '../../../helpers/paths.js';

const load = (file: string): Model => decodeModel(new Uint8Array(readFileSync(file)), { source: file });
const prepared = (m: Model, front: boolean): Uint8Array => encodeModel(simplifyModel(front ? runFrontEnd(m) : m, { fixBatchTo1: true }));

const dirs = (p: string): string[] => readdirSync(p, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(p, d.name));

function bankModels(): string[] {
  return ['esp32p4_8', 'esp32s3_8', 'esp32p4_16', 'esp32s3_16'].flatMap((group) => dirs(opsFixture(group)).flatMap((op) => dirs(op).map((c) => path.join(c, 'model.onnx'))));
}

describe('the front end leaves ESP-PPQ-ready models alone', () => {
  it('operator bank: every case prepares to the same bytes', () => {
    const files = bankModels();
    expect(files.length).toBe(630);
    const changed = files.filter((f) => {
      const m = load(f);
      return Buffer.compare(Buffer.from(prepared(m, true)), Buffer.from(prepared(m, false))) !== 0;
    });
    expect(changed).toEqual([]);
  });

  it('digits (static and dynamic batch): the same bytes', () => {
    for (const f of ['model.onnx', 'model_dynbatch.onnx']) {
      const m = load(fixture('digits', f));
      expect(Buffer.from(prepared(m, true)).equals(Buffer.from(prepared(m, false))), f).toBe(true);
    }
  });
});
