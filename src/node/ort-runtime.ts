/**
 * InferenceRuntime on onnxruntime-node (CPU). The native module is imported lazily so commands that never run a
 * model (inspect, pack, report) do not load it, and so bundlers can keep it external.
 */
import { createRequire } from 'node:module';
import type { Model } from '../ir/graph.js';
import { allocate, type DataType, type Tensor, type TensorData } from '../ir/tensor.js';
import { encodeModel } from '../onnx/write.js';
import { valuesRead } from '../ir/edit.js';
import type { InferenceRuntime, InferenceSession, SessionOptions } from '../exec/runtime.js';
import { InputError } from '../errors.js';

type Ort = typeof import('onnxruntime-node');

const ORT_TYPE: Partial<Record<DataType, string>> = {
  float32: 'float32', float64: 'float64', int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16',
  int32: 'int32', uint32: 'uint32', int64: 'int64', uint64: 'uint64', bool: 'bool', float16: 'float16', string: 'string',
};

const FROM_ORT: Record<string, DataType> = Object.fromEntries(Object.entries(ORT_TYPE).map(([k, v]) => [v, k as DataType]));

/** A pre-installed onnxruntime-node package folder to load instead of the one `import` resolves (useOnnxRuntimeFrom). */
let ortPackageDir: string | undefined;

/**
 * Loads onnxruntime-node from this package folder from now on (the Action's input `onnxruntime-path`: runners
 * without internet access or with musl libc bring their own build).
 */
export function useOnnxRuntimeFrom(dir: string): void {
  ortPackageDir = dir;
}

async function loadOrt(): Promise<Ort> {
  if (ortPackageDir) return createRequire(import.meta.url)(ortPackageDir) as Ort;
  const mod = (await import('onnxruntime-node')) as Ort & { default?: Ort };
  return mod.default ?? mod;
}

function toOrtTensor(ort: Ort, t: Tensor): import('onnxruntime-node').Tensor {
  const type = ORT_TYPE[t.dtype];
  if (!type) throw new InputError(`tensors of type ${t.dtype} cannot be fed to onnxruntime`);
  return new ort.Tensor(type as 'float32', t.data as Float32Array, [...t.dims]);
}

function fromOrtTensor(t: import('onnxruntime-node').Tensor): Tensor {
  const dtype = FROM_ORT[t.type] ?? 'float32';
  const data = t.type === 'bool' ? Uint8Array.from(t.data as Uint8Array) : (t.data as TensorData);
  return { dtype, dims: [...t.dims], data: data ?? allocate(dtype, 0) };
}

/** The static dims each graph input declares. */
function staticInputDims(model: Model): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const v of model.graph.inputs) {
    if (v.shape?.every((d): d is number => typeof d === 'number' && d >= 0)) out.set(v.name, v.shape as number[]);
  }
  return out;
}

/**
 * The core hands one sample as [1, ...sample dims]; an input whose first dim is not a batch (recurrent state
 * [2, 1, 64], a scalar sample rate) is fed in the shape the model declares, which holds the same elements.
 */
function asDeclared(t: Tensor, dims: number[] | undefined): Tensor {
  if (!dims || dims.join() === t.dims.join() || dims.reduce((p, d) => p * d, 1) !== t.data.length) return t;
  return { ...t, dims };
}

/**
 * The model without the initializers nothing reads. The simulator keeps every float parameter beside the
 * fake-quantized copies that replace them (sim-model.ts), so a calibration or evaluation model would carry its
 * weights twice; onnxruntime drops the unread ones when it loads, but only after we serialized and it parsed
 * them: on MobileNetV2 that is half of every session's bytes. Initializers named as graph inputs or outputs stay.
 */
export function withoutUnreadInitializers(model: Model): Model {
  const g = model.graph;
  const read = valuesRead(g);
  for (const i of g.inputs) read.add(i.name);
  if ([...g.initializers.keys()].every((name) => read.has(name))) return model;
  const initializers = new Map([...g.initializers].filter(([name]) => read.has(name)));
  return { ...model, graph: { ...g, initializers } };
}

export function ortRuntime(): InferenceRuntime {
  let ortPromise: Promise<Ort> | undefined;
  return {
    async load(model: Model, opts: SessionOptions = {}): Promise<InferenceSession> {
      ortPromise ??= loadOrt();
      const ort = await ortPromise;
      const bytes = encodeModel(withoutUnreadInitializers(model));
      let session: import('onnxruntime-node').InferenceSession;
      try {
        session = await ort.InferenceSession.create(bytes, {
          graphOptimizationLevel: opts.optimization === 'disabled' ? 'disabled' : 'all',
          executionProviders: ['cpu'],
          // The memory pattern is traced per input shape on a session's first runs; our sessions live for a few
          // runs at two or three batch sizes, where tracing costs more than it saves (measured on MobileNetV2).
          enableMemPattern: false,
          logSeverityLevel: 3,
          // onnxruntime's session option that turns its QDQ fusions (and QDQ propagation) off.
          ...(opts.keepQdq ? { extra: { session: { disable_quant_qdq: '1' } } } : {}),
        });
      } catch (err) {
        throw new InputError(`onnxruntime cannot load the model "${model.graph.name}": ${(err as Error).message}`, { cause: err });
      }
      const declared = staticInputDims(model);
      return {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        async run(feeds, fetch) {
          const ortFeeds: Record<string, import('onnxruntime-node').Tensor> = {};
          for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrtTensor(ort, asDeclared(v, declared.get(k)));
          const out = fetch ? await session.run(ortFeeds, [...fetch]) : await session.run(ortFeeds);
          const result = new Map<string, Tensor>();
          for (const [k, v] of Object.entries(out)) result.set(k, fromOrtTensor(v));
          return result;
        },
        async release() {
          await session.release();
        },
      };
    },
  };
}
