import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseNpy } from '../../../../src/data/npy.js';
import { parseContainer } from '../../../../src/espdl/container.js';
import { convFilterLayout } from '../../../../src/espdl/export/filter-layout.js';
import { readContainerModel } from '../../../../src/espdl/open-model.js';
import { attrInt, type Model, type Node } from '../../../../src/ir/graph.js';
import { encodeModel } from '../../../../src/onnx/write.js';
import { recordingLogger } from '../../../fakes/recording-logger.js';
import { loadOnnxFile } from '../../../../src/node/onnx-file.js';
import { simplifyModel } from '../../../../src/onnx/simplify/index.js';
import { quantizeToInt } from '../../../../src/quant/fake-quant.js';
import { equalizablePairs, layerwiseEqualization } from '../../../../src/quant/passes/equalization.js';
import { fixture } from '../../../helpers/paths.js';

let model: Model;
let images: Float32Array;

beforeAll(async () => {
  model = simplifyModel(await loadOnnxFile(fixture('digits', 'model.onnx')));
  images = parseNpy(new Uint8Array(readFileSync(fixture('digits', 'calib.npy')))).data as Float32Array;
});

const pairNames = (g: Model['graph'], level: 1 | 2) =>
  equalizablePairs(g, level).map(({ pair }) => [pair.upstream.map((n) => n.name).sort(), pair.downstream.map((n) => n.name).sort()]);

/** Logits of the first `count` calibration images (one session per model). */
async function logits(m: Model, count: number): Promise<Float32Array[]> {
  const ort = (await import('onnxruntime-node')).default;
  const session = await ort.InferenceSession.create(encodeModel(m));
  const out: Float32Array[] = [];
  for (let k = 0; k < count; k++) {
    const x = new ort.Tensor('float32', images.slice(k * 1024, (k + 1) * 1024), [1, 1, 32, 32]);
    out.push((await session.run({ input: x })).logits!.data as Float32Array);
  }
  await session.release();
  return out;
}

describe('layerwiseEqualization on the digits model', () => {
  it('finds 3 pairs at level 1, 4 at level 2 (the residual Add), and keeps the float logits', async () => {
    const stem = [['/stem/stem.0/Conv'], ['/b1/conv/conv.0/Conv']];
    const branches = [['/b3/conv/conv.6/Conv'], ['/br_a/br_a.0/Conv', '/br_b/br_b.0/Conv']];
    const se = [['/se/fc1/Conv'], ['/se/fc2/Conv']];
    const residual = [['/b1/conv/conv.6/Conv', '/b2/conv/conv.6/Conv'], ['/b2/conv/conv.0/Conv', '/b3/conv/conv.0/Conv']];
    expect(pairNames(model.graph, 1)).toEqual([stem, branches, se]);
    expect(pairNames(model.graph, 2)).toEqual([stem, residual, branches, se]);

    const before = await logits(model, 8);
    for (const level of [1, 2] as const) {
      const log = recordingLogger();
      const eq = layerwiseEqualization(model, { iterations: 10, valueThreshold: 0.5, optLevel: level }, log);
      expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
      const after = await logits(eq, 8);
      for (let k = 0; k < 8; k++) {
        let num = 0, den = 0;
        for (let i = 0; i < 10; i++) { num = Math.max(num, Math.abs(after[k]![i]! - before[k]![i]!)); den = Math.max(den, Math.abs(before[k]![i]!)); }
        expect(num / den).toBeLessThan(1e-5);
      }
    }
  });

  // AutoQuant runs with weight_equalization (P4, level 2, 10 iterations, threshold 0.1) and without mixed precision;
  // bias correction and the calibration method do not touch Conv weights.
  const runs = ['0003', '0004', '0005', '0009', '0010', '0011', '0039', '0040', '0041', '0042', '0043', '0044'];
  it.each(runs)('matches the int8 Conv weights ESP-PPQ exported after equalization (autoquant_default/%s)', (run) => {
    const file = readFileSync(fixture('digits', 'autoquant_default', run, 'model.espdl'));
    const view = readContainerModel(parseContainer(new Uint8Array(file)).models[0]!, 'model.espdl');
    const exported = new Map(view.graph.initializers.map((t) => [t.name!, t]));
    const eq = layerwiseEqualization(model, { iterations: 10, valueThreshold: 0.1, optLevel: 2 });
    const equalized = new Set(equalizablePairs(model.graph, 2).flatMap(({ pair }) => [...pair.upstream, ...pair.downstream]).map((n) => n.name));
    const mismatches = (m: Model, conv: Node) => {
      const w = m.graph.initializers.get(conv.inputs[1]!)!;
      const t = exported.get(conv.inputs[1]!)!;
      const q = quantizeToInt(w.data as Float32Array, t.exponents, { dims: w.dims, channelAxis: 0, qmin: -128, qmax: 127, rounding: 'half_even' });
      const laid = convFilterLayout(Int8Array.from(q), w.dims, 'p4', false, attrInt(conv, 'group', 1));
      const raw = new Int8Array(t.raw.buffer, t.raw.byteOffset, laid.data.length);
      return laid.data.filter((v, i) => v !== raw[i]).length;
    };
    const convs = eq.graph.nodes.filter((n) => n.opType === 'Conv');
    expect(convs).toHaveLength(14);
    expect(equalized.size).toBe(11);
    for (const conv of convs) {
      expect(mismatches(eq, conv), conv.name).toBe(0);
      // the check is sensitive: the un-equalized weights of equalized layers do not match
      if (equalized.has(conv.name)) expect(mismatches(model, conv), conv.name).toBeGreaterThan(0);
    }
  });
});
