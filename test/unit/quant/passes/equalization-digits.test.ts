import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../../src/ir/graph.js';
import { recordingLogger } from '../../../../src/log.js';
import { loadOnnxFile } from '../../../../src/node/onnx-file.js';
import { parseNpy } from '../../../../src/data/npy.js';
import { simplifyModel } from '../../../../src/onnx/simplify/index.js';
import { equalizablePairs, layerwiseEqualization } from '../../../../src/quant/passes/equalization.js';
import { fixture } from '../../../helpers/paths.js';
import { runOrt } from '../../onnx/simplify/ort.js';

let model: Model;
let images: Float32Array;

beforeAll(async () => {
  model = simplifyModel(await loadOnnxFile(fixture('digits', 'model.onnx')));
  images = parseNpy(new Uint8Array(readFileSync(fixture('digits', 'calib.npy')))).data as Float32Array;
});

const pairNames = (g: Model['graph'], level: 1 | 2) =>
  equalizablePairs(g, level).map(({ pair }) => [pair.upstream.map((n) => n.name).sort(), pair.downstream.map((n) => n.name).sort()]);

describe('layerwiseEqualization on the digits model', () => {
  it('finds the expected pairs and keeps the float logits', async () => {
    console.log(JSON.stringify(pairNames(model.graph, 1)), JSON.stringify(pairNames(model.graph, 2)));
    for (const level of [1, 2] as const) {
      const log = recordingLogger();
      const eq = layerwiseEqualization(model, { iterations: 10, valueThreshold: 0.5, optLevel: level }, log);
      console.log(log.lines);
      let worst = 0;
      for (let k = 0; k < 8; k++) {
        const x = { dims: [1, 1, 32, 32], data: images.slice(k * 1024, (k + 1) * 1024) };
        const [a, b] = [await runOrt(model, { input: x }), await runOrt(eq, { input: x })];
        let num = 0, den = 0;
        for (let i = 0; i < 10; i++) { num = Math.max(num, Math.abs(a.logits![i]! - b.logits![i]!)); den = Math.max(den, Math.abs(a.logits![i]!)); }
        worst = Math.max(worst, num / den);
      }
      console.log(level, worst);
    }
  });
});
