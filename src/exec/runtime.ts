/**
 * The seam to an ONNX runtime. The core builds models (IR) and asks a runtime to run them; the Node
 * implementation (src/node/ort-runtime.ts) wraps onnxruntime-node. Tests may pass any implementation.
 */
import type { Model } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';

export interface InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs once; returns the requested outputs (all graph outputs when `fetch` is omitted). */
  run(feeds: Readonly<Record<string, Tensor>>, fetch?: readonly string[]): Promise<Map<string, Tensor>>;
  release(): Promise<void>;
}

export interface SessionOptions {
  /**
   * ORT graph optimisation level. Our fake-quant graphs use plain float ops (Mul/Round/Clip), which ORT never
   * folds into integer kernels, so 'all' is safe and fastest; 'disabled' exists for cross-checks.
   */
  optimization?: 'all' | 'disabled';
  /**
   * QuantizeLinear/DequantizeLinear stay float ops: the runtime must not fuse them with their neighbours into
   * integer kernels (QLinearConv, QLinearAdd…), which round differently. For simulation models that use them.
   */
  keepQdq?: boolean;
}

export interface InferenceRuntime {
  load(model: Model, opts?: SessionOptions): Promise<InferenceSession>;
}
