/**
 * ESP-PPQ's ConvTransposeDecompositionPass (esp_ppq/quantization/optim/morph.py, on by default in
 * espdl_setting: `convtranspose_decomposition = True`; docs/esp-ppq.md §3.5): ESP-DL has no transposed convolution,
 * so every ConvTranspose becomes
 *   InsertZeros(stride, output_padding)  — (stride − 1) zeros between input elements, output_padding at the end
 *   → Conv(kernel flipped in space, in/out channels swapped per group, pads (k − 1)·d − p, stride 1).
 * The Conv keeps the ConvTranspose's name, output and weight/bias names (ESP-PPQ's model.json and `.espdl` use
 * them); the InsertZeros op and its output get ESP-PPQ's generated names `PPQ_Operation_<k>` / `PPQ_Variable_<k>`
 * (k = the next index not in use, as PPQ's per-graph counters give). Stride 1 without output padding needs no
 * InsertZeros (ESP-PPQ fixture ConvTranspose/01: a lone Conv).
 *
 * `InsertZeros` is an ESP-DL op: onnxruntime runs it through forOnnxRuntime's expansion.
 */
import { attrInt, attrInts, attrString, cloneModel, type Attribute, type Dim, type Graph, type Model, type Node } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { knownShape, nextGeneratedName, uniqueName, usedNames } from '../../ir/edit.js';

/** Geometry of one ConvTranspose, or undefined when it cannot be decomposed (then it is left as is). */
interface Geometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
  outputPadding: number[];
  group: number;
}

function geometry(g: Graph, n: Node): Geometry | undefined {
  const w = g.initializers.get(n.inputs[1] ?? '');
  if (!w || w.dtype !== 'float32' || w.dims.length < 3) return undefined;
  // output_shape / auto_pad ask for pads computed from the output size: not what ESP-PPQ decomposes.
  if (n.attributes.has('output_shape') || attrString(n, 'auto_pad', 'NOTSET') !== 'NOTSET') return undefined;
  const r = w.dims.length - 2;
  const ones = new Array<number>(r).fill(1);
  const kernel = w.dims.slice(2);
  const strides = [...attrInts(n, 'strides', ones)];
  const dilations = [...attrInts(n, 'dilations', ones)];
  const p = [...attrInts(n, 'pads', new Array<number>(2 * r).fill(0))];
  const outputPadding = [...attrInts(n, 'output_padding', new Array<number>(r).fill(0))];
  const pads = p.map((v, i) => (kernel[i % r]! - 1) * dilations[i % r]! - v);
  if (pads.some((v) => v < 0)) return undefined;
  return { kernel, strides, dilations, pads, outputPadding, group: attrInt(n, 'group', 1) };
}

/**
 * The Conv weight equivalent to a ConvTranspose weight: [Cin, Cout/g, k…] → [Cout, Cin/g, k…], each kernel
 * rotated by 180° (flipped along every spatial axis).
 */
export function convTransposeWeightToConv(w: Tensor, group: number): Tensor {
  const [cin, coutG, ...k] = w.dims as [number, number, ...number[]];
  const cinG = cin / group;
  const ks = k.reduce((a, b) => a * b, 1);
  const src = w.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let gi = 0; gi < group; gi++) {
    for (let i = 0; i < cinG; i++) {
      for (let o = 0; o < coutG; o++) {
        const from = ((gi * cinG + i) * coutG + o) * ks;
        const to = ((gi * coutG + o) * cinG + i) * ks;
        // Reversing the flattened kernel flips every spatial axis at once.
        for (let s = 0; s < ks; s++) out[to + s] = src[from + ks - 1 - s]!;
      }
    }
  }
  return { dtype: 'float32', dims: [coutG * group, cinG, ...k], data: out };
}

/** InsertZeros' output shape [N, C, (L − 1)·s + 1 + output_padding …] when the input shape is static. */
function insertZerosShape(input: Dim[] | undefined, geo: Geometry): number[] | undefined {
  if (!input || input.length !== geo.strides.length + 2 || !input.every((d): d is number => typeof d === 'number' && d >= 0)) return undefined;
  const dims = input as number[];
  return dims.map((d, i) => (i < 2 ? d : (d - 1) * geo.strides[i - 2]! + 1 + geo.outputPadding[i - 2]!));
}

/** The first `<prefix><k>` no node/value of `g` uses (ESP-PPQ's generated-name counters). */
function nextGenerated(g: Graph, prefix: string): string {
  const taken = usedNames(g);
  return nextGeneratedName(prefix, { next: 0 }, (name) => taken.has(name));
}

function decompose(g: Graph, n: Node, geo: Geometry, weightUsers: number): Node[] {
  const ints = (value: readonly number[]): Attribute => ({ type: 'ints', value });
  const out: Node[] = [];
  let input = n.inputs[0]!;
  if (geo.strides.some((s) => s > 1) || geo.outputPadding.some((p) => p > 0)) {
    const zerosOut = nextGenerated(g, 'PPQ_Variable_');
    const iz: Node = {
      name: nextGenerated(g, 'PPQ_Operation_'), opType: 'InsertZeros', domain: '', inputs: [input], outputs: [zerosOut],
      attributes: new Map<string, Attribute>([['stride', ints(geo.strides)], ['output_padding', ints(geo.outputPadding)]]),
    };
    out.push(iz);
    const shape = insertZerosShape(knownShape(g, input), geo);
    if (shape) g.valueInfo.set(zerosOut, { name: zerosOut, dtype: 'float32', shape });
    g.nodes.push(iz); // reserve its names for the next nextGenerated call; the caller rebuilds the node list
    input = zerosOut;
  }
  const wName = n.inputs[1]!;
  const convW = convTransposeWeightToConv(g.initializers.get(wName)!, geo.group);
  // A weight another op also reads keeps its value for that op; this Conv gets its own copy.
  const newW = weightUsers > 1 ? uniqueName(g, `${wName}_conv`) : wName;
  g.initializers.set(newW, convW);
  const r = geo.kernel.length;
  out.push({
    ...n, opType: 'Conv', inputs: [input, newW, ...n.inputs.slice(2)], outputs: [...n.outputs],
    attributes: new Map<string, Attribute>([
      ['dilations', ints(geo.dilations)], ['group', { type: 'int', value: geo.group }], ['kernel_shape', ints(geo.kernel)],
      ['pads', ints(geo.pads)], ['strides', ints(new Array<number>(r).fill(1))],
    ]),
  });
  return out;
}

/**
 * Returns a new model in which every decomposable ConvTranspose (constant float weight, explicit pads with
 * (k − 1)·d ≥ pad) is replaced by InsertZeros + Conv. The input model is not modified. ConvTransposes that do
 * not fit (dynamic weight, output_shape/auto_pad, pads larger than the dilated kernel) are kept unchanged.
 */
export function decomposeConvTranspose(model: Model): Model {
  if (!model.graph.nodes.some((n) => n.opType === 'ConvTranspose')) return model;
  const m = cloneModel(model);
  const g = m.graph;
  const users = new Map<string, number>();
  for (const n of g.nodes) for (const v of n.inputs) users.set(v, (users.get(v) ?? 0) + 1);
  const original = g.nodes;
  g.nodes = [...original]; // decompose() appends to it to reserve generated names
  const result: Node[] = [];
  for (const n of original) {
    const geo = n.opType === 'ConvTranspose' && (n.domain === '' || n.domain === 'ai.onnx') ? geometry(g, n) : undefined;
    if (!geo) { result.push(n); continue; }
    result.push(...decompose(g, n, geo, users.get(n.inputs[1]!) ?? 1));
  }
  g.nodes = result;
  return m;
}
