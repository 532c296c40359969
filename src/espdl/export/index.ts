/**
 * The `.espdl` exporter: a port of ESP-PPQ's EspdlExporter (esp_ppq/parser/espdl_exporter.py, docs/esp-ppq.md §5).
 * Pipeline (prepare_graph, one pass per ESP-PPQ export pattern, run by ir/pass.ts): opset normalisation →
 * FuseReluLike → MatMul B pre-nodes → activation layouts (NHWC + Transposes) → Quantize/Requantize/Dequantize
 * insertion → quant_type → integer parameters + exponents → filter layouts → RNN gate exponent → LUTs → checks;
 * then the FlatBuffer, wrapped in an EDL2 container.
 */
import { runPipelineSync, type PassHooks, type Pipeline } from '../../ir/pass.js';
import type { Tensor } from '../../ir/tensor.js';
import { opInfo } from '../../ops/registry.js';
import type { Logger } from '../../log.js';
import { nullLogger } from '../../log.js';
import { roundingFor } from '../../quant/targets.js';
import type { QuantizedGraph } from '../../quant/types.js';
import { writeEdl2 } from '../container.js';
import { assertEspdlKernels } from '../../ops/kernels.js';
import { formatInfo } from '../info.js';
import { readEspdlModel } from '../read.js';
import type { FbModel, FbTensor, FbValueInfo } from './build-flatbuffer.js';
import { buildFlatbuffer } from './build-flatbuffer.js';
import { resetGraphLayout } from './layout.js';
import { insertMatMulPreNodes } from './matmul-prenodes.js';
import { addLuts } from './lut.js';
import { quantConfigJson } from './model-json.js';
import { quantRnn, quantVariablesToInt, resetParamLayouts } from './params.js';
import { buildXGraph, fuseReluLike, normaliseOpset } from './prepare.js';
import { insertDequantNodes, insertQuantNodes, insertQuantTypes, insertRequantNodes } from './quant-nodes.js';
import { buildTestValues } from './test-values.js';
import type { XGraph } from './xgraph.js';
import { describeXGraph, permute, topo, validateXGraph } from './xgraph.js';

export interface ExportOptions {
  /** The model's metadata_props (default `{ target: <the QuantizedGraph's target> }`; pass {} for none). */
  metadataProps?: Record<string, string>;
  /** Model.model_version (default 0). */
  modelVersion?: number;
  /** Step of int16 LUT inputs (default 256 → 257 entries; 1 → 65536); ≤ 0 disables int16 LUTs. */
  int16LutStep?: number;
  /** Float tensors in ONNX (NCHW) layout, by value name; the exporter permutes and quantizes them. */
  testValues?: { inputs: Record<string, Tensor>; outputs: Record<string, Tensor> };
  logger?: Logger;
  /** Also return the `.info` text dump (espdl/info.ts formatInfo of the written file). Default false. */
  info?: boolean;
  /** Timing, abort, validation and dumps around every export pass. */
  passHooks?: PassHooks;
}

export interface ExportResult {
  /** The EDL2 file. */
  espdl: Uint8Array;
  /** ESP-PPQ's `model.info` text of the file (docs/esp-ppq.md §5.8), when `opts.info` is true. */
  info?: string;
  /** ESP-PPQ-style quantization config (docs/esp-ppq.md §5.9) with stable ids. */
  configJson: string;
  warnings: string[];
}

interface ExportPassContext { int16LutStep: number }

/** ESP-PPQ's prepare_graph, one pass per export pattern, in its order. */
export const EXPORT_PIPELINE: Pipeline<XGraph, ExportPassContext> = {
  name: 'export',
  passes: [
    { name: 'normalise_opset', run: normaliseOpset },
    { name: 'fuse_relu_like', run: fuseReluLike },
    { name: 'insert_matmul_pre_nodes', run: insertMatMulPreNodes },
    { name: 'reset_graph_layout', run: resetGraphLayout },
    { name: 'insert_quant_nodes', run: insertQuantNodes },
    { name: 'insert_requant_nodes', run: insertRequantNodes },
    { name: 'insert_dequant_nodes', run: insertDequantNodes },
    { name: 'insert_quant_type', run: insertQuantTypes },
    { name: 'quant_variable_to_int', run: quantVariablesToInt },
    { name: 'reset_param_layout', run: resetParamLayouts },
    { name: 'quant_rnn', run: quantRnn },
    { name: 'add_lut', run: (g, ctx) => addLuts(g, ctx.int16LutStep) },
    { name: 'check_graph', run: checkGraph },
  ],
  validate: validateXGraph,
  describe: describeXGraph,
};

/** Runs ESP-PPQ's prepare_graph on a working copy of the quantized graph. */
export function prepareExportGraph(qg: QuantizedGraph, int16LutStep: number, hooks: PassHooks = {}): XGraph {
  const g = buildXGraph(qg, roundingFor(qg.target));
  runPipelineSync(EXPORT_PIPELINE, g, { int16LutStep }, hooks);
  return g;
}

/** The post-prepare checks: variables without perm/exponent, and ESP-DL's non-negative requant shift (docs/esp-ppq.md §3.7). */
function checkGraph(g: XGraph): void {
  for (const name of referencedValues(g)) {
    const v = g.vars.get(name);
    // '' is an omitted optional input (an LSTM's sequence_lens, say): no value, nothing to bind.
    if (!name || !v || v.value) continue;
    if (!v.shape) g.warnings.push(`${name} has no known shape: its value_info is written without dims (infer shapes first)`);
    if (!g.perm.has(name)) g.warnings.push(`${name} does not bind perm parameter`);
    else if (!g.exponents.has(name) && (v.dtype === 'int8' || v.dtype === 'int16')) g.warnings.push(`${name} does not bind exponents parameter`);
  }
  for (const op of topo(g)) {
    if (!opInfo(op.opType).requantShiftChecked) continue;
    const [a, b, o] = [g.exponents.get(op.inputs[0] ?? ''), g.exponents.get(op.inputs[1] ?? ''), g.exponents.get(op.outputs[0] ?? '')];
    if (a && b && o && o[0]! - a[0]! - b[0]! < 0) {
      g.warnings.push(`When deploying with esp-dl, the calculation result of the ${op.name}(type: ${op.opType}) operator will `
        + 'cause an exception: (output_exponent - input0_exponent - input1_exponent) must be >= 0.');
    }
  }
}

/** Every value name the graph uses (ops and graph inputs/outputs), in first-use order. */
function referencedValues(g: XGraph): string[] {
  const seen = new Set<string>([...g.inputs]);
  for (const op of g.nodes) {
    // An absent optional input ('') is a variable too in ESP-PPQ (written as a FLOAT value_info with no dims).
    for (const n of op.inputs) seen.add(n);
    for (const n of op.outputs) if (n) seen.add(n);
  }
  for (const n of g.outputs) seen.add(n);
  return [...seen];
}

function toFbModel(g: XGraph, opts: ExportOptions, target: string): FbModel {
  const initializers: FbTensor[] = g.luts.map((l) => ({ name: l.name, dtype: l.tensor.dtype, dims: l.tensor.dims, data: l.tensor.data, exponents: l.exponents }));
  const infos = new Map<string, FbValueInfo>();
  for (const name of referencedValues(g)) {
    const v = g.vars.get(name);
    if (!v) continue;
    const exponents = g.exponents.get(name) ?? [0];
    if (v.value) {
      initializers.push({ name, dtype: v.value.dtype, dims: v.value.dims, data: v.value.data, exponents, docString: `layout ==> ${g.layouts.get(name) ?? 'UNK'}` });
    } else {
      const perm = g.perm.get(name);
      const dims = v.shape && perm && perm.length === v.shape.length ? permute(v.shape, perm) : v.shape;
      infos.set(name, { name, dtype: v.dtype, dims, exponents });
    }
  }
  const io = (names: string[]): FbValueInfo[] => names.map((n) => infos.get(n)).filter((x): x is FbValueInfo => x !== undefined);
  const meta = opts.metadataProps ?? { target };
  return {
    irVersion: g.irVersion, modelVersion: opts.modelVersion ?? 0, graphName: g.name || 'PPL Quantization Tool - v(0.6.6)',
    nodes: topo(g).map((op) => ({ name: op.name, opType: op.opType, inputs: op.inputs, outputs: op.outputs, attributes: op.attributes })),
    initializers, inputs: io(g.inputs), outputs: io(g.outputs), valueInfo: [...infos.values()],
    testInputs: opts.testValues ? buildTestValues(g, opts.testValues.inputs) : [],
    testOutputs: opts.testValues ? buildTestValues(g, opts.testValues.outputs) : [],
    metadataProps: Object.entries(meta),
  };
}

/**
 * Exports a quantized graph as an ESP-DL `.espdl` file (EDL2, unencrypted). The input graph is never mutated.
 * Parameter values are quantized with the shared quantizer (quant/fake-quant.ts), so the file holds exactly the
 * integers the simulator computes with.
 */
export function exportEspdl(qg: QuantizedGraph, opts: ExportOptions = {}): ExportResult {
  const logger = opts.logger ?? nullLogger;
  const g = prepareExportGraph(qg, opts.int16LutStep ?? 256, opts.passHooks);
  assertEspdlKernels(topo(g));
  const configJson = quantConfigJson(g);
  const fb = buildFlatbuffer(toFbModel(g, opts, qg.target));
  for (const w of g.warnings) logger.warn(w);
  const espdl = writeEdl2(fb, false);
  const warnings = [...g.warnings];
  return opts.info === true ? { espdl, info: formatInfo(readEspdlModel(fb)), configJson, warnings } : { espdl, configJson, warnings };
}
