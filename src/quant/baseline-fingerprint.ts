/**
 * The fingerprint a search keeps its baseline layer-wise error under (autoquant/layerwise-cache.ts): the model's
 * content, the samples the baseline reads (the first max(calib steps, steps + 1) batches: its calibration and its
 * analysis; a large data set is not read whole for this), the number of samples, and the settings.
 */
import type { DataSource } from '../data/source.js';
import type { Model } from '../ir/graph.js';
import { modelDigest, tensorDigest, textDigest } from '../ir/fingerprint.js';
import type { Target } from './types.js';

/** Raise when a change of the quantization or of the layer-wise analysis changes their values. */
const LAYERWISE_VERSION = 1;

export interface BaselineSettings {
  target: Target;
  batchSize: number;
  calibSteps: number;
  /** The analysis' steps (PPQ's default 8). */
  steps?: number;
  /** The tool and its version computing it. */
  tool: string;
}

export async function baselineFingerprint(model: Model, data: DataSource, s: BaselineSettings, signal?: AbortSignal): Promise<string> {
  const parts = [
    `layer-wise ${LAYERWISE_VERSION}`, s.tool, modelDigest(model), s.target,
    `batch ${s.batchSize}`, `calib steps ${s.calibSteps}`, `steps ${s.steps ?? 8}`, `samples ${data.count}`,
  ];
  const batches = Math.max(s.calibSteps, (s.steps ?? 8) + 1);
  let read = 0;
  for await (const batch of data.batches(s.batchSize)) {
    signal?.throwIfAborted();
    for (const [name, t] of Object.entries(batch)) parts.push(`${name} ${tensorDigest(t)}`);
    if (++read >= batches) break;
  }
  return textDigest(parts.join('\n'));
}
