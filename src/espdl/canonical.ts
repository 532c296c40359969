/**
 * The order-independent "canonical" view of a `.espdl` file, exactly as the shared fixtures'
 * `model.canonical.json` (format in fixtures/digits/README.md). ESP-PPQ orders variables through a Python
 * set, so its byte order depends on the hash seed; this view compares structure and tensor data instead:
 * initializers and value_info sorted by name, everything else in file order (as the fixtures have it).
 */
import { InputError } from '../errors.js';
import type { TensorData } from '../ir/tensor.js';
import { parseContainer } from './container.js';
import { sha1, toHex } from './crypto.js';
import { readContainerModel, type KeyOptions } from './open-model.js';
import {
  halfToFloat, tensorDataTypeName, type EspdlAttributeView, type EspdlTensorView, type EspdlValueInfoView,
} from './read.js';

/** How many leading values `head` shows. */
const HEAD = 16;
/** TensorDataType FLOAT16. */
const FLOAT16 = 10;

export interface CanonicalOptions extends KeyOptions {
  /** Package entry (name or index) for PDL files; single-model files ignore it. */
  model?: string | number;
  /** Names the file in errors. */
  what?: string;
}

/** Canonical view of a whole `.espdl` file (a plain JSON-able object). */
export function canonicalView(fileBytes: Uint8Array, opts: CanonicalOptions = {}): Record<string, unknown> {
  const what = opts.what ?? 'file';
  const container = parseContainer(fileBytes, what);
  const entry = pickModel(container.models, opts.model, what);
  const m = readContainerModel(entry, what, opts);
  const g = m.graph;
  return {
    file_bytes: fileBytes.byteLength,
    header: { magic: entry.header.magic, encrypted: entry.header.mode, flatbuffer_bytes: entry.header.length, pad: entry.header.pad },
    ir_version: m.irVersion,
    model_version: m.modelVersion,
    producer_name: m.producerName,
    opset_import_len: m.opsetImport.length,
    metadata_props: Object.fromEntries(m.metadataProps.map((p) => [p.key ?? '', p.value])),
    graph_name: g.name,
    inputs: g.inputs.map(canonicalValueInfo),
    outputs: g.outputs.map(canonicalValueInfo),
    nodes: g.nodes.map((n) => ({
      name: n.name,
      op_type: n.opType,
      inputs: n.inputs,
      outputs: n.outputs,
      attributes: Object.fromEntries(n.attributes.map((a) => [a.name, canonicalAttribute(a)])),
    })),
    initializers: byName(g.initializers).map(canonicalTensor),
    value_info: byName(g.valueInfo).map(canonicalValueInfo),
    test_inputs: g.testInputs.map(canonicalTensor),
    test_outputs: g.testOutputs.map(canonicalTensor),
  };
}

/** Picks a package entry by name or index; a single model needs no selector. */
export function pickModel<T extends { name?: string }>(models: T[], sel: string | number | undefined, what: string): T {
  if (sel === undefined) {
    if (models.length === 1) return models[0];
    throw new InputError(`${what}: a package of ${models.length} models: choose one with --model NAME|INDEX (${models.map((m) => m.name).join(', ')})`);
  }
  const found = typeof sel === 'number' ? models[sel] : models.find((m) => m.name === sel) ?? models[Number(sel)];
  if (!found) throw new InputError(`${what}: no model ${JSON.stringify(sel)} (have: ${models.map((m, i) => `${i}:${m.name}`).join(', ')})`);
  return found;
}

/** Python's sorted() on str: code-point order (JS `<` compares UTF-16 units; equal for the BMP). */
function byName<T extends { name: string | null }>(items: T[]): T[] {
  return [...items].sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0));
}

function canonicalValueInfo(v: EspdlValueInfoView): Record<string, unknown> {
  return {
    name: v.name,
    exponents: v.exponents,
    elem_type: v.elemType === null ? null : tensorDataTypeName(v.elemType),
    dims: v.dims,
  };
}

function canonicalAttribute(a: EspdlAttributeView): Record<string, unknown> {
  const out: Record<string, unknown> = { type: a.type };
  if (a.s !== undefined) out.s = a.s;
  if (a.i !== undefined) out.i = a.i;
  if (a.f !== undefined) out.f = a.f;
  if (a.ints !== undefined) out.ints = a.ints;
  if (a.floatsAsF32 !== undefined) {
    out.floats_len = a.floatsAsF32.length;
    out.floats_as_f32 = a.floatsAsF32;
  }
  if (a.strings !== undefined) out.strings = a.strings;
  if (a.t !== undefined) out.t = canonicalTensor(a.t);
  return out;
}

function canonicalTensor(t: EspdlTensorView): Record<string, unknown> {
  return {
    name: t.name,
    data_type: tensorDataTypeName(t.dataType),
    dims: t.dims,
    exponents: t.exponents,
    doc_string: t.docString,
    raw_bytes: t.raw.byteLength,
    raw_chunks: t.rawChunks,
    raw_sha1: toHex(sha1(t.raw)),
    numel: t.numel,
    head: head(t.values, Math.min(HEAD, t.numel), t.dataType === FLOAT16),
  };
}

/** The first `n` values as JSON numbers (int64 via Number; float16 bits decoded when `half`). */
export function head(values: TensorData | null, n: number, half = false): (number | string)[] {
  if (!values) return [];
  return Array.from(values.slice(0, n) as ArrayLike<number | bigint | string>, (v) =>
    typeof v === 'bigint' ? Number(v) : half && typeof v === 'number' ? halfToFloat(v) : v,
  );
}


const NON_FINITE = ['NaN', 'Infinity', '-Infinity'] as const;

/**
 * JSON text of a canonical view in the fixtures' dialect: Python's json writes non-finite floats as bare
 * `NaN` / `Infinity` / `-Infinity` (some test outputs are NaN, e.g. Log of a negative input), which
 * JSON.stringify would turn into null.
 */
export function stringifyCanonical(view: unknown, indent = 1): string {
  const text = JSON.stringify(
    view,
    (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `\u0000${String(v)}\u0000` : v),
    indent,
  );
  return text.replace(/"\\u0000(NaN|Infinity|-Infinity)\\u0000"/g, '$1');
}

/** Parses canonical JSON text that may contain Python's bare NaN / Infinity / -Infinity. */
export function parseCanonicalJson(text: string): unknown {
  const marked = text.replace(/("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)/g, (m, str: string | undefined, bare: string | undefined) =>
    str !== undefined ? str : `"\\u0000${bare}\\u0000"`,
  );
  return JSON.parse(marked, (_k, v: unknown) => {
    if (typeof v !== 'string' || !v.startsWith('\u0000')) return v;
    const word = v.slice(1, -1);
    return NON_FINITE.includes(word as (typeof NON_FINITE)[number]) ? Number(word) : v;
  });
}
