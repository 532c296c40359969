/**
 * Writes the deployable files of a quantized model beside each other: model.espdl (EDL2, optionally
 * AES-encrypted), model.info (the same text `espdl-autoquant inspect` prints) and model.json (the quantization
 * config). Test values, when asked for, are one input and the simulated model's output on it.
 */
import { parseNpy } from '../data/npy.js';
import { seededNormal } from '../data/random.js';
import { exportEspdl } from '../espdl/export/index.js';
import { formatInfoBytes } from '../espdl/info.js';
import { readEspdlModel } from '../espdl/read.js';
import { parseHexKey, toHex } from '../espdl/crypto.js';
import type { InferenceRuntime } from '../exec/runtime.js';
import { InputError } from '../errors.js';
import type { PassHooks } from '../ir/pass.js';
import { numel, toFloat32, type Tensor } from '../ir/tensor.js';
import type { Logger } from '../log.js';
import type { QuantizeOnnxResult } from '../quant/quantize-model.js';
import { encryptEspdlFile, randomAesKey } from './espdl-crypto.js';
import { modelInputs } from './open-inputs.js';
import { siblingPath } from './atomic-write.js';
import { readInputFile } from './safe-paths.js';

export interface ExportFileOptions {
  /** Embed one test input/output pair for Model::test() on the device. */
  testValues?: boolean;
  /** .npy file whose first sample is the test input (default: seeded standard-normal input). */
  testInput?: string;
  /**
   * AES-128 key to encrypt the .espdl payload: 16 bytes, 32 hex digits, or 'generate' for a random one
   * (printed once). Checked by checkExportOptions before any work.
   */
  encryptKey?: string | Uint8Array;
  /** Step of int16 LUT inputs (default 256). */
  int16LutStep?: number;
  /** Timings, checks and dumps around the export passes. */
  passHooks?: PassHooks;
}

async function testInputs(result: QuantizeOnnxResult, opts: ExportFileOptions): Promise<Record<string, Tensor>> {
  const inputs = modelInputs(result.model);
  const out: Record<string, Tensor> = {};
  for (const [i, inp] of inputs.entries()) {
    const count = numel(inp.dims);
    let data: Float32Array;
    if (opts.testInput) {
      const t = parseNpy(await readInputFile({ file: opts.testInput, what: '--test-input' }), opts.testInput);
      const all = toFloat32(t);
      if (all.length < count) throw new InputError(`--test-input ${opts.testInput}: a sample needs ${count} values, the file has ${all.length}`);
      data = all.slice(0, count);
    } else {
      data = seededNormal(count, 10086 + i);
    }
    out[inp.name] = { dtype: 'float32', dims: inp.dims, data };
  }
  return out;
}

async function testValues(result: QuantizeOnnxResult, runtime: InferenceRuntime, opts: ExportFileOptions) {
  const inputs = await testInputs(result, opts);
  const session = await runtime.load(result.qdqModel);
  try {
    const outs = await session.run(inputs);
    return { inputs, outputs: Object.fromEntries(outs) };
  } finally {
    await session.release();
  }
}

/** The key to encrypt with, checked up front so a bad key fails before quantizing (the message never shows the key). */
export function checkExportOptions(opts: ExportFileOptions, keyName = 'encryptKey'): Uint8Array | 'generate' | undefined {
  const k = opts.encryptKey;
  if (k === undefined || k === '') return undefined;
  if (k === 'generate') return 'generate';
  if (typeof k === 'string') return parseHexKey(k, keyName);
  if (k.byteLength !== 16) throw new InputError(`${keyName} must be 16 bytes, got ${k.byteLength}`);
  return k;
}

/** The deployable files of a quantized model as bytes, in memory, before anything is written. */
export interface CandidateFileBytes { espdl: Uint8Array; info: Uint8Array; json: string }

/** Builds model.espdl (optionally encrypted), model.info and model.json; writes nothing. */
export async function buildCandidateFiles(
  result: QuantizeOnnxResult, espdlPath: string, opts: ExportFileOptions, runtime: InferenceRuntime, logger: Logger,
): Promise<CandidateFileBytes> {
  const key = checkExportOptions(opts);
  const exported = exportEspdl(result.graph, {
    metadataProps: { target: result.graph.target },
    logger,
    ...(opts.int16LutStep !== undefined ? { int16LutStep: opts.int16LutStep } : {}),
    ...(opts.testValues ? { testValues: await testValues(result, runtime, opts) } : {}),
    ...(opts.passHooks ? { passHooks: opts.passHooks } : {}),
  });
  let bytes = exported.espdl;
  const info = formatInfoBytes(readEspdlModel(bytes.subarray(16)));
  if (key) {
    const aes = key === 'generate' ? randomAesKey() : key;
    if (key === 'generate') logger.info(`AES-128 key (keep it, it is not stored anywhere): ${toHex(aes)}`);
    bytes = encryptEspdlFile(bytes, aes, espdlPath);
  }
  return { espdl: bytes, info, json: exported.configJson };
}

/** Paths of the deployable files beside `espdlPath`. */
export function candidateFilePaths(espdlPath: string): { espdl: string; info: string; json: string } {
  return { espdl: espdlPath, info: siblingPath(espdlPath, '.info'), json: siblingPath(espdlPath, '.json') };
}
