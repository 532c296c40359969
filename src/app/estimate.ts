/**
 * The estimate use case on a file: read an `.espdl` or ONNX model (decrypting with a hex AES key when given)
 * and estimate latency and memory on a target with the cost model (src/board/estimate.ts). The CLI
 * `estimate` calls it.
 */
import path from 'node:path';
import { estimateFile, type FileEstimate } from '../board/estimate.js';
import type { EstimateTarget } from '../board/latency-model.js';
import { parseHexKey } from '../espdl/crypto.js';
import { nodeAesCtr } from '../node/espdl-crypto.js';
import { readInputFile } from '../node/files.js';

export interface EstimateRequest {
  /** The model file, relative to `cwd`. */
  file: string;
  target: EstimateTarget;
  /** ONNX input only: the quantization width to assume (default 8). */
  bits?: 8 | 16;
  /** One model of a PDL package, by name or index. */
  model?: string | number;
  /** AES-128 key (32 hex digits) of an encrypted .espdl. */
  key?: string;
  cwd: string;
}

export async function estimateModelFile(req: EstimateRequest): Promise<FileEstimate> {
  const bytes = await readInputFile(path.resolve(req.cwd, req.file), req.file);
  return estimateFile(bytes, req.file, req.target, {
    ...(req.bits ? { bits: req.bits } : {}), ...(req.model !== undefined ? { model: req.model } : {}),
    ...(req.key ? { key: parseHexKey(req.key), aes: nodeAesCtr } : {}),
  });
}
