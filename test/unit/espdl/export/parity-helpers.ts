/** Shared by the exporter parity tests: load a fixture case, export it, compare canonical views by name. */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { decodeModel } from '../../../../src/onnx/read.js';
import { simplifyModel } from '../../../../src/onnx/simplify/index.js';
import { parseNpy } from '../../../../src/data/npy.js';
import { canonicalView, parseCanonicalJson } from '../../../../src/espdl/canonical.js';
import { exportEspdl } from '../../../../src/espdl/export/index.js';
import { quantizedGraphFromPpqJson } from '../../../helpers/ppq-config.js';
import type { Model } from '../../../../src/ir/graph.js';
import type { Tensor } from '../../../../src/ir/tensor.js';
import type { Target } from '../../../../src/quant/types.js';

type Obj = Record<string, unknown>;

const NODE_KEYS = ['op_type', 'inputs', 'outputs', 'attributes'] as const;
const INIT_KEYS = ['dims', 'data_type', 'exponents', 'doc_string', 'raw_sha1'] as const;
const VI_KEYS = ['elem_type', 'dims', 'exponents'] as const;
const TEST_KEYS = ['dims', 'data_type', 'exponents', 'raw_sha1'] as const;

function byName(list: unknown): Map<string, Obj> {
  return new Map((list as Obj[]).map((x) => [String(x['name']), x]));
}

function diffList(kind: string, ours: unknown, theirs: unknown, keys: readonly string[], out: string[]): void {
  const a = byName(ours);
  const b = byName(theirs);
  for (const [name, t] of b) {
    const o = a.get(name);
    if (!o) { out.push(`${kind} ${name}: missing`); continue; }
    for (const k of keys) {
      const x = JSON.stringify(o[k]);
      const y = JSON.stringify(t[k]);
      if (x !== y) out.push(`${kind} ${name}.${k}: ours ${x?.slice(0, 120)} vs ${y?.slice(0, 120)}`);
    }
  }
  for (const name of a.keys()) if (!b.has(name)) out.push(`${kind} ${name}: extra`);
}

/** Differences between our canonical view and ESP-PPQ's (empty = equal), compared by name. */
export function diffCanonical(ours: Obj, theirs: Obj): string[] {
  const out: string[] = [];
  for (const k of ['ir_version', 'model_version', 'metadata_props', 'graph_name', 'opset_import_len']) {
    if (JSON.stringify(ours[k]) !== JSON.stringify(theirs[k])) out.push(`${k}: ours ${JSON.stringify(ours[k])} vs ${JSON.stringify(theirs[k])}`);
  }
  diffList('node', ours['nodes'], theirs['nodes'], NODE_KEYS, out);
  diffList('init', ours['initializers'], theirs['initializers'], INIT_KEYS, out);
  diffList('input', ours['inputs'], theirs['inputs'], VI_KEYS, out);
  diffList('output', ours['outputs'], theirs['outputs'], VI_KEYS, out);
  diffList('value_info', ours['value_info'], theirs['value_info'], VI_KEYS, out);
  diffList('test_input', ours['test_inputs'], theirs['test_inputs'], TEST_KEYS, out);
  diffList('test_output', ours['test_outputs'], theirs['test_outputs'], TEST_KEYS, out);
  return out;
}

export function loadModel(file: string): Model {
  return simplifyModel(decodeModel(new Uint8Array(readFileSync(file))));
}

export function npy(file: string): Tensor {
  return parseNpy(new Uint8Array(readFileSync(file)));
}

/** Exports `model` with ESP-PPQ's config from `dir/model.json` and returns the differences to its canonical view. */
export function exportAndDiff(
  model: Model, dir: string, target: Target, bits: 8 | 16,
  testValues: { inputs: Record<string, Tensor>; outputs: Record<string, Tensor> } | undefined, int16LutStep: number,
  metadataProps: Record<string, string> = { target },
): string[] {
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as unknown;
  const qg = quantizedGraphFromPpqJson(model, json, target, bits);
  const res = exportEspdl(qg, { metadataProps, int16LutStep, ...(testValues ? { testValues } : {}) });
  const ours = canonicalView(res.espdl) as Obj;
  const theirs = parseCanonicalJson(readFileSync(path.join(dir, 'model.canonical.json'), 'utf8')) as Obj;
  return diffCanonical(ours, theirs);
}

/** The test values of an ops case: input_<i>.npy / output_<j>.npy by the names in meta.json. */
export function caseTestValues(dir: string): { inputs: Record<string, Tensor>; outputs: Record<string, Tensor> } {
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { io: { inputs: { name: string; float_npy: string }[]; outputs: { name: string; float_npy: string }[] } };
  const pick = (list: { name: string; float_npy: string }[]): Record<string, Tensor> =>
    Object.fromEntries(list.filter((x) => existsSync(path.join(dir, x.float_npy))).map((x) => [x.name, npy(path.join(dir, x.float_npy))]));
  return { inputs: pick(meta.io.inputs), outputs: pick(meta.io.outputs) };
}
