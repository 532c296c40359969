/**
 * Writes the deployable files of a quantized model beside each other: model.espdl (EDL2, optionally
 * AES-encrypted), model.info (the same text `espdl-autoquant inspect` prints) and model.json (the quantization
 * config). Test values, when asked for, are one input and the simulated model's output on it.
 */
import { readFile } from 'node:fs/promises';
import { parseNpy } from '../data/npy.js';
import { seededNormal } from '../data/random.js';
import { exportEspdl } from '../espdl/export/index.js';
import { formatInfo } from '../espdl/info.js';
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
import { siblingPath, writeFileAtomic } from './atomic-write.js';

export interface ExportFileOptions {
  /** Embed one test input/output pair for Model::test() on the device. */
  testValues?: boolean;
  /** .npy file whose first sample is the test input (default: seeded standard-normal input). */
  testInput?: string;
  /** AES-128 key (32 hex digits) to encrypt the .espdl payload, or 'generate' for a random one (printed once). */
  encryptKey?: string;
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
      const t = parseNpy(new Uint8Array(await readFile(opts.testInput)));
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

export async function exportCandidateFiles(
  result: QuantizeOnnxResult, espdlPath: string, opts: ExportFileOptions, runtime: InferenceRuntime, logger: Logger,
): Promise<{ espdl: string; info: string; json: string }> {
  const exported = exportEspdl(result.graph, {
    metadataProps: { target: result.graph.target },
    logger,
    ...(opts.int16LutStep !== undefined ? { int16LutStep: opts.int16LutStep } : {}),
    ...(opts.testValues ? { testValues: await testValues(result, runtime, opts) } : {}),
    ...(opts.passHooks ? { passHooks: opts.passHooks } : {}),
  });
  let bytes = exported.espdl;
  const info = formatInfo(readEspdlModel(bytes.subarray(16)));
  if (opts.encryptKey) {
    const key = opts.encryptKey === 'generate' ? randomAesKey() : parseHexKey(opts.encryptKey);
    if (opts.encryptKey === 'generate') logger.info(`AES-128 key (keep it, it is not stored anywhere): ${toHex(key)}`);
    bytes = encryptEspdlFile(bytes, key, espdlPath);
  }
  const files = { espdl: espdlPath, info: siblingPath(espdlPath, '.info'), json: siblingPath(espdlPath, '.json') };
  await writeFileAtomic(files.espdl, bytes);
  await writeFileAtomic(files.info, info);
  await writeFileAtomic(files.json, exported.configJson);
  return files;
}
