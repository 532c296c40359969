/**
 * The baseline layer-wise error kept in the run folder (BASELINE_LAYERWISE_FILE, ours) under the runner's
 * fingerprint of the model, the data and the baseline's settings: a resumed or repeated search with the same
 * inputs reads it back instead of recomputing it (on MobileNetV2, a quantization and 53 partial forward passes
 * over the data); a changed model or data has another fingerprint and recomputes it.
 */
import type { Logger } from '../log.js';
import { dumps, parsePyJson } from './py-json.js';
import { isPyDict, isPyNumber, num, pyFloat } from './py-value.js';
import { BASELINE_LAYERWISE_FILE, type RunStore } from './run-folder.js';
import type { ExperimentRunner } from './runner.js';

/** runner.baselineLayerwise, read from the run folder when it was computed there from the same inputs. */
export async function baselineLayerwise(runner: ExperimentRunner, store: RunStore, signal: AbortSignal, log: Logger): Promise<Record<string, number>> {
  const fingerprint = await runner.baselineFingerprint?.(signal);
  if (fingerprint !== undefined) {
    const kept = await readKept(store, fingerprint);
    if (kept) {
      log.info(`Baseline layer-wise error read from ${store.resolve(BASELINE_LAYERWISE_FILE)} (same model, data and settings).`);
      return kept;
    }
  }
  const layerwise = await runner.baselineLayerwise(signal);
  if (fingerprint !== undefined) await store.writeTextAtomic(BASELINE_LAYERWISE_FILE, keptText(fingerprint, layerwise));
  return layerwise;
}

/** The kept baseline when its fingerprint matches; a file of another run, another version or a damaged one is ignored. */
async function readKept(store: RunStore, fingerprint: string): Promise<Record<string, number> | undefined> {
  const text = await store.readText(BASELINE_LAYERWISE_FILE);
  if (text === undefined) return undefined;
  let kept;
  try {
    kept = parsePyJson(text, store.resolve(BASELINE_LAYERWISE_FILE));
  } catch {
    return undefined;
  }
  if (!isPyDict(kept) || kept.fingerprint !== fingerprint || !isPyDict(kept.layerwise)) return undefined;
  const entries = Object.entries(kept.layerwise);
  if (!entries.every(([, v]) => isPyNumber(v))) return undefined;
  return Object.fromEntries(entries.map(([op, v]) => [op, num(v)]));
}

/** Floats in Python's shortest repr (exact round trip, NaN and infinities included), op order kept. */
function keptText(fingerprint: string, layerwise: Record<string, number>): string {
  const values = Object.fromEntries(Object.entries(layerwise).map(([op, v]) => [op, pyFloat(v)]));
  return `${dumps({ fingerprint, layerwise: values }, { indent: 2 })}\n`;
}
