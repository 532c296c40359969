/**
 * Runs one single-operator fixture case (test/fixtures/ops/<group>.tar.br, unpacked: <group>/<Op>/<case>) through our simulator with
 * ESP-PPQ's own scales (model.json) and compares its outputs with ESP-PPQ's simulated outputs: integer codes
 * (output_<j>_q.npy) exactly or within ±1 LSB, float outputs (Softmax, comparisons, …) within a tolerance.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseNpy } from '../../../src/data/npy.js';
import { buildSimModel } from '../../../src/quant/simulate/sim-model.js';
import type { InferenceRuntime } from '../../../src/exec/runtime.js';
import { toFloat32, type Tensor } from '../../../src/ir/tensor.js';
import { quantizeToInt } from '../../../src/quant/fake-quant.js';
import { quantizedGraphFromPpqJson } from '../../helpers/ppq-config.js';
import { isQuantizing, resolve, type QuantizedGraph, type Target, type TensorQuantConfig } from '../../../src/quant/types.js';
import { opsFixture } from '../../helpers/paths.js';

/** Absolute tolerance for float outputs (ESP-PPQ ran torch kernels; we run onnxruntime's). */
export const FLOAT_TOL = 1e-4;

export type Verdict = 'exact' | 'lsb' | 'fail';
export interface CaseResult { verdict: Verdict; detail: string }

interface IoMeta { name: string; float_npy: string; q_npy?: string }
interface Meta { io: { inputs: IoMeta[]; outputs: IoMeta[] } }

/** Case folders of a group, sorted by operator then case. */
export function groupCases(group: string): string[] {
  const root = opsFixture(group);
  const out: string[] = [];
  for (const op of readdirSync(root).sort()) {
    const opDir = path.join(root, op);
    if (!statSync(opDir).isDirectory()) continue;
    for (const c of readdirSync(opDir).sort()) if (existsSync(path.join(opDir, c, 'model.json'))) out.push(path.join(opDir, c));
  }
  return out;
}

const npy = (file: string): Tensor => parseNpy(new Uint8Array(readFileSync(file)), file);
const want = (file: string): number => npy(file).data.length;

/** The config that quantizes graph output `name` (the producing op's output slot). */
function outputConfig(qg: QuantizedGraph, name: string): TensorQuantConfig | undefined {
  for (const op of qg.ops.values()) {
    const i = op.node.outputs.indexOf(name);
    if (i >= 0) return op.outputs[i];
  }
  return undefined;
}

function compareInt(ours: Float32Array, cfg: TensorQuantConfig, want: Tensor): { worst: number; count: number } {
  const r = resolve(cfg);
  const q = quantizeToInt(ours, r.exponent!, { dims: want.dims, qmin: cfg.qmin, qmax: cfg.qmax, rounding: cfg.rounding, ...(cfg.perChannel ? { channelAxis: cfg.channelAxis } : {}) });
  const w = want.data as ArrayLike<number>;
  let worst = 0;
  let count = 0;
  for (let i = 0; i < q.length; i++) {
    const d = Math.abs(q[i]! - Number(w[i]));
    if (d > 0) count++;
    if (d > worst) worst = d;
  }
  return { worst, count };
}

function compareFloat(ours: Tensor, want: Tensor): number {
  const a = toFloat32(ours);
  const b = toFloat32(want);
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
    if (!Number.isNaN(x) && x !== y) worst = Math.max(worst, Math.abs(x - y));
  }
  return worst;
}

/** Loads and simplifies a case model the way the pipeline does, with traced value shapes. */
import { loadCaseModel } from '../../helpers/ops-case.js';
export { loadCaseModel };

/** Simulates one case and compares every graph output with ESP-PPQ's. */
export async function runCase(dir: string, target: Target, bits: 8 | 16, runtime: InferenceRuntime): Promise<CaseResult> {
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Meta;
  const model = await loadCaseModel(dir, runtime);
  const qg = quantizedGraphFromPpqJson(model, JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')), target, bits);
  const sim = buildSimModel(qg);
  const session = await runtime.load(sim.model);
  let out: Map<string, Tensor>;
  try {
    const feeds = Object.fromEntries(meta.io.inputs.map((i) => [i.name, npy(path.join(dir, i.float_npy))]));
    out = await session.run(feeds, meta.io.outputs.map((o) => o.name));
  } finally {
    await session.release();
  }
  let verdict: Verdict = 'exact';
  const details: string[] = [];
  for (const o of meta.io.outputs) {
    const ours = out.get(o.name);
    if (!ours) return { verdict: 'fail', detail: `${o.name}: not produced` };
    const cfg = outputConfig(qg, o.name);
    const qFile = o.q_npy ? path.join(dir, o.q_npy) : undefined;
    if (qFile && existsSync(qFile)) {
      // OVERLAPPED: a passive op's output sits on its input's grid; ESP-PPQ writes it with the dominator's scale.
      const onGrid = cfg !== undefined && (cfg.state === 'OVERLAPPED' ? isQuantizing(resolve(cfg)) : isQuantizing(cfg));
      if (!cfg || !onGrid) return { verdict: 'fail', detail: `${o.name}: ESP-PPQ quantizes it, our config (${cfg?.state ?? 'none'}) does not` };
      const { worst, count } = compareInt(toFloat32(ours), cfg, npy(qFile));
      if (worst > 1) return { verdict: 'fail', detail: `${o.name}: ${count} codes differ, worst ${worst} LSB` };
      if (worst === 1) { verdict = 'lsb'; details.push(`${o.name}: ${count} of ${want(qFile)} codes ±1`); }
    } else {
      const worst = compareFloat(ours, npy(path.join(dir, o.float_npy)));
      if (worst > FLOAT_TOL) return { verdict: 'fail', detail: `${o.name}: float outputs differ by up to ${worst.toPrecision(3)}` };
    }
  }
  return { verdict, detail: details.join('; ') };
}
