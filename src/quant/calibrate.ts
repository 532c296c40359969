/**
 * ParameterQuantizePass and RuntimeCalibrationPass (esp_ppq/quantization/optim/parameters.py, calibration.py):
 * parameters are observed once (weights with their own observers, already quantized when activations are
 * calibrated), then every INITIAL activation config is observed over `calibSteps` batches; kl/mse need a second
 * pass over the same batches (histograms).
 */
import type { DataSource } from '../data/source.js';
import type { InferenceRuntime } from '../exec/runtime.js';
import { buildSimModel, probeName } from './simulate/sim-model.js';
import { modelDigest } from '../ir/fingerprint.js';
import { minMaxOf } from './observers/minmax.js';
import { loadSimSession } from './simulate/sim-session.js';
import { inferValueTypes } from '../exec/value-types.js';
import { toFloat32 } from '../ir/tensor.js';
import type { Logger } from '../log.js';
import { createObserver } from './observers/index.js';
import type { Observer } from './observers/observer.js';
import type { QuantizedGraph, TensorQuantConfig } from './types.js';
import { calibrationBatches, concatSamples } from '../exec/batches.js';

export interface CalibrationInput {
  runtime: InferenceRuntime;
  data: DataSource;
  batchSize: number;
  calibSteps: number;
  logger: Logger;
  signal?: AbortSignal;
  /**
   * Extremes already measured, `<calibration model digest>|<value>` → [min, max] over the calibration batches
   * (QuantMemo.ranges): pass 1 skips those values and adds the ones it measures.
   */
  ranges?: Map<string, readonly [number, number]>;
}

/** Observes every INITIAL parameter config on its constant value and activates it. */
export function quantizeParameters(qg: QuantizedGraph): void {
  const inits = qg.model.graph.initializers;
  for (const op of qg.ops.values()) {
    for (const cfg of op.inputs) {
      if (!cfg || !cfg.isParameter || cfg.state !== 'INITIAL') continue;
      const t = inits.get(cfg.value);
      if (!t || t.dtype !== 'float32') { cfg.state = 'FP32'; continue; }
      const observer = createObserver(cfg.observer, {
        bits: cfg.bits, qmin: cfg.qmin, qmax: cfg.qmax, klBins: cfg.klBins,
        ...(cfg.perChannel ? { perChannel: { dims: t.dims, axis: cfg.channelAxis } } : {}),
      });
      observer.observe(toFloat32(t), 1);
      if (observer.passes === 2) observer.observe(toFloat32(t), 2);
      cfg.exponent = observer.render();
      cfg.state = 'ACTIVATED';
    }
  }
}

/** Configs sharing a value and an observer setup share one observer. */
function observerKey(cfg: TensorQuantConfig): string {
  return `${cfg.value}|${cfg.observer}|${cfg.bits}|${cfg.klBins}`;
}

/**
 * The INITIAL activation configs to observe. A bool or integer value (a comparison's mask, an index) has no
 * scale to find: its config becomes FP32 (passed through as it is, the state ESP-PPQ ends with for comparison
 * outputs) instead of getting an observer the runtime would reject.
 */
function activationConfigs(qg: QuantizedGraph): TensorQuantConfig[] {
  const types = inferValueTypes(qg.model.graph);
  const out: TensorQuantConfig[] = [];
  for (const op of qg.ops.values()) {
    for (const cfg of [...op.inputs, ...op.outputs]) {
      if (!cfg || cfg.isParameter || cfg.state !== 'INITIAL' || cfg.dominator !== cfg) continue;
      const dtype = types.get(cfg.value) ?? 'float32';
      if (dtype === 'float32') out.push(cfg);
      else cfg.state = 'FP32';
    }
  }
  return out;
}

const valueOf = (key: string): string => key.split('|')[0]!;

/**
 * One calibration pass. Pass 1 of range-based observers (minmax, and the range phase of kl/mse) only needs each
 * sample's min and max, so those come from in-graph ReduceMin/ReduceMax instead of whole tensors: the same
 * extremes, a fraction of the copying. Percentile and histogram passes get the full tensors.
 */
async function observePass(
  qg: QuantizedGraph, input: CalibrationInput, observers: Map<string, Observer>, pass: 1 | 2,
  measured?: Map<string, [number, number]>,
): Promise<void> {
  const needsFull = (o: Observer) => pass === 2 || o.kind === 'percentile';
  // Who reads what, worked out once per pass rather than per chunk (a detector has hundreds of values).
  const rangedBy = new Map<string, Observer[]>();
  const fullReaders: { value: string; key: string; observer: Observer }[] = [];
  for (const [key, observer] of observers) {
    const value = valueOf(key);
    if (!needsFull(observer)) rangedBy.set(value, [...(rangedBy.get(value) ?? []), observer]);
    else if (pass === 1 || observer.passes === 2) fullReaders.push({ value, key, observer });
  }
  const full = [...new Set(fullReaders.map((r) => r.value))];
  const ranged = [...rangedBy.keys()];
  const values = [...full, ...ranged.flatMap((v) => [probeName.min(v), probeName.max(v)])];
  const { session } = await loadSimSession(input.runtime, qg, { extraOutputs: full, probes: { minmax: ranged } });
  try {
    for await (const batch of calibrationBatches(input.data, input.batchSize, input.calibSteps)) {
      input.signal?.throwIfAborted();
      // Range and histogram observers accumulate element-wise, so they see a few samples at a time (flat memory);
      // percentile works on whole-batch tensors (kth value over the batch), so it gets the batch's parts at once.
      const pending = new Map<string, Float32Array[]>();
      await session.forEachChunk(batch, values, (_first, _count, outputs) => {
        for (const [v, readers] of rangedBy) {
          const extremes = concatSamples([outputs.get(probeName.min(v))!.data, outputs.get(probeName.max(v))!.data]);
          const r = minMaxOf(extremes);
          const m = measured?.get(v);
          // Math.min/max propagate NaN, as RangeTracker does.
          measured?.set(v, m ? [Math.min(m[0], r.min), Math.max(m[1], r.max)] : [r.min, r.max]);
          for (const observer of readers) observer.observe(extremes, pass);
        }
        for (const { value, key, observer } of fullReaders) {
          const data = outputs.get(value)!.data;
          if (observer.kind === 'percentile') pending.set(key, [...(pending.get(key) ?? []), data]);
          else observer.observe(data, pass);
        }
      });
      for (const [key, parts] of pending) {
        const observer = observers.get(key)!;
        if (observer.observeParts) observer.observeParts(parts, pass);
        else observer.observe(parts.length === 1 ? parts[0]! : concatSamples(parts), pass);
      }
    }
  } finally {
    await session.release();
  }
}

/**
 * Pass 1. Range observers of values whose extremes are in `input.ranges` (same calibration model) get those
 * extremes as their one observation (the same min and max as observing every batch); the rest run.
 */
async function rangePass(qg: QuantizedGraph, input: CalibrationInput, observers: Map<string, Observer>): Promise<void> {
  const digest = input.ranges ? modelDigest(buildSimModel(qg).model) : '';
  const todo = new Map<string, Observer>();
  for (const [key, observer] of observers) {
    const known = observer.kind === 'percentile' ? undefined : input.ranges?.get(`${digest}|${valueOf(key)}`);
    if (known) observer.observe(Float32Array.of(known[0], known[1]), 1);
    else todo.set(key, observer);
  }
  if (todo.size === 0) return;
  const measured = new Map<string, [number, number]>();
  await observePass(qg, input, todo, 1, measured);
  for (const [v, r] of measured) input.ranges?.set(`${digest}|${v}`, r);
}

/** Calibrates every INITIAL activation config (states become ACTIVATED). */
export async function calibrateActivations(qg: QuantizedGraph, input: CalibrationInput): Promise<void> {
  const configs = activationConfigs(qg);
  const observers = new Map<string, Observer>();
  for (const cfg of configs) {
    const key = observerKey(cfg);
    if (!observers.has(key)) observers.set(key, createObserver(cfg.observer, { bits: cfg.bits, qmin: cfg.qmin, qmax: cfg.qmax, klBins: cfg.klBins }));
  }
  if (observers.size === 0) return;
  await rangePass(qg, input, observers);
  const render = (onlyPasses: 1 | 2) => {
    for (const cfg of configs) {
      const obs = observers.get(observerKey(cfg))!;
      if (obs.passes !== onlyPasses) continue;
      cfg.exponent = obs.render();
      cfg.state = 'ACTIVATED';
    }
  };
  render(1);
  const twoPass = new Map([...observers].filter(([, o]) => o.passes === 2));
  if (twoPass.size === 0) return;
  // Phase 2 runs with the one-pass configs already active, as in ESP-PPQ.
  await observePass(qg, input, twoPass, 2);
  render(2);
}
