/**
 * The estimate use case (the CLI `estimate` calls it): a model file (`.espdl`, or ONNX made static with the
 * input shape and traced once for exact shapes) to the latency model's estimate on a target (src/cost/,
 * docs/latency.md), optionally refined with a bench.json measured on the user's board.
 */
import path from 'node:path';
import { benchMeasurements, parseBenchJson } from '../board/bench-measurements.js';
import { parseCostTarget, type CostTarget } from '../cost/chips.js';
import { estimateEspdlFile, estimateOnnxGraph, isEspdlFile, targetConstants, type LatencyEstimate } from '../cost/estimate.js';
import { refineWithMeasurements, type Refinement } from '../cost/fit.js';
import { defaultDeployment, type Deployment } from '../cost/latency-model.js';
import { parseHexKey } from '../espdl/crypto.js';
import type { Logger } from '../log.js';
import { nodeAesCtr } from '../node/espdl-crypto.js';
import { readInputFile, readInputText } from '../node/files.js';
import { ortRuntime } from '../node/ort-runtime.js';
import { decodeModel } from '../onnx/read.js';
import { ensureShapes } from '../exec/infer-shapes.js';
import { prepareModel } from '../onnx/prepare-model.js';

export interface EstimateRequest {
  /** `.espdl` or `.onnx`, relative to `cwd`; named this way in messages. */
  file: string;
  target: string;
  cwd: string;
  logger: Logger;
  /** ONNX only: the activation width to assume (default 8). */
  bits?: 8 | 16;
  /** ONNX only: the input shape (a model with dynamic dimensions needs it). */
  inputShape?: number[];
  /** Where parameters live (default: ESP-DL's default for the chip). */
  params?: Deployment['params'];
  /** ESP-DL's max_internal_size, bytes (default 0). */
  maxInternalBytes?: number;
  /** A bench.json from the user's board (relative to `cwd`) to refine the constants with. */
  measured?: string;
  /** Package member (name or index) of a PDL file. */
  model?: string | number;
  /** 16-byte AES key (hex) of an encrypted `.espdl`. */
  key?: string;
}

export type FileEstimate = LatencyEstimate & { file: string; format: 'espdl' | 'onnx'; ops: number };

async function refinementFrom(req: EstimateRequest, measured: string, target: CostTarget, deployment: Deployment): Promise<Refinement> {
  const abs = path.resolve(req.cwd, measured);
  const report = parseBenchJson(await readInputText(abs, measured), measured);
  const files = new Map<string, Uint8Array>();
  for (const c of report.candidates) {
    if (!c.file) continue;
    const bytes = await readInputFile(path.resolve(path.dirname(abs), c.file), c.file).catch(() => undefined);
    if (bytes) files.set(c.file, bytes);
  }
  const { measurements, skipped } = benchMeasurements(report, measured, target, deployment, (f) => files.get(f));
  if (skipped.length) req.logger.warn(`${measured}: ${skipped.length} measured candidate(s) whose .espdl is gone are not used: ${skipped.join(', ')}`);
  return refineWithMeasurements(target, targetConstants(target), measurements);
}

export async function estimateModelFile(req: EstimateRequest): Promise<FileEstimate> {
  const target = parseCostTarget(req.target);
  const base = defaultDeployment(target);
  const deployment: Deployment = { params: req.params ?? base.params, maxInternalBytes: req.maxInternalBytes ?? base.maxInternalBytes };
  const bytes = await readInputFile(path.resolve(req.cwd, req.file), req.file);
  const refinement = req.measured ? await refinementFrom(req, req.measured, target, deployment) : undefined;
  const opts = { deployment, ...(refinement ? { refinement } : {}) };
  if (isEspdlFile(bytes)) {
    const est = estimateEspdlFile(bytes, req.file, target, {
      ...opts, ...(req.model !== undefined ? { model: req.model } : {}), ...(req.key ? { key: parseHexKey(req.key), aes: nodeAesCtr } : {}),
    });
    return { ...est, file: req.file, format: 'espdl' };
  }
  const model = prepareModel(decodeModel(bytes, { source: req.file }), req.inputShape ? { inputShapes: req.inputShape } : {}, req.logger);
  await ensureShapes(model, ortRuntime());
  return { ...estimateOnnxGraph(model.graph, target, req.bits ?? 8, opts), file: req.file, format: 'onnx' };
}
