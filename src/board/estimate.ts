/**
 * The `estimate` use case on file bytes: an `.espdl` (EDL1/EDL2, or one model of a PDL package) or an ONNX
 * model, to a latency/memory estimate for one target (latency-model.ts).
 */
import { InputError } from '../errors.js';
import { pickModel } from '../espdl/canonical.js';
import { parseContainer } from '../espdl/container.js';
import { readContainerModel, type KeyOptions } from '../espdl/open-model.js';
import { decodeModel } from '../onnx/read.js';
import { costGraphFromEspdl, costGraphFromOnnx } from './cost-ops.js';
import { estimateCost, type CostEstimate, type EstimateTarget } from './latency-model.js';

export interface EstimateOptions extends KeyOptions {
  /** ONNX input only: activation/weight width to assume (8 or 16). Default 8. */
  readonly bits?: 8 | 16;
  /** Package member (name or index) for PDL files. */
  readonly model?: string | number;
}

export interface FileEstimate extends CostEstimate {
  readonly file: string;
  readonly format: 'espdl' | 'onnx';
  /** Operators costed (nodes with known shapes). */
  readonly ops: number;
}

const ESPDL_MAGIC = /^(EDL1|EDL2|PDL1|PDL2|PDL3)$/;

/** Estimates from bytes; `file` names the input in messages. */
export function estimateFile(bytes: Uint8Array, file: string, target: EstimateTarget, opts: EstimateOptions = {}): FileEstimate {
  const magic = new TextDecoder('latin1').decode(bytes.subarray(0, 4));
  if (ESPDL_MAGIC.test(magic)) {
    const container = parseContainer(bytes, file);
    const entry = pickModel(container.models, opts.model, file);
    const graph = costGraphFromEspdl(readContainerModel(entry, file, opts));
    // Flash footprint: this model's EDL record (header + payload), not the whole package.
    const est = estimateCost(graph, target, entry.payload.length + 16);
    return { ...est, file, format: 'espdl', ops: graph.ops.length };
  }
  if (opts.bits !== undefined && opts.bits !== 8 && opts.bits !== 16) throw new InputError(`--bits ${String(opts.bits)}: expected 8 or 16`);
  const model = decodeModel(bytes, { source: file });
  const graph = costGraphFromOnnx(model.graph, opts.bits ?? 8);
  return { ...estimateCost(graph, target, graph.paramBytes), file, format: 'onnx', ops: graph.ops.length };
}
