import type { Model } from '../../ir/graph.js';
import type { Logger } from '../../log.js';
import type { QuantOptions } from '../options.js';
import { layerwiseEqualization } from './equalization.js';
import { splitLayers } from './horizontal-split.js';

/**
 * ESP-PPQ's pre-quant pipeline on the float model (quantizer/base.py, esp-ppq.md §3.5): HorizontalLayerSplitPass,
 * then LayerwiseEqualizationPass. ESP-PPQ dispatches before these passes, so a split layer's clone and Add
 * inherit its platform: they join int16Layers when the layer is int16.
 */
export function preQuantPasses(model: Model, opts: QuantOptions, logger: Logger): { model: Model; opts: QuantOptions } {
  let m = model;
  let int16Layers = opts.int16Layers;
  if (opts.weightSplit) {
    const { model: split, splits } = splitLayers(m, opts.weightSplit, logger);
    m = split;
    const extra = splits.filter((s) => int16Layers.includes(s.layer)).flatMap((s) => [s.clone, s.add]);
    if (extra.length > 0) int16Layers = [...int16Layers, ...extra];
  }
  if (opts.equalization) m = layerwiseEqualization(m, opts.equalization, logger);
  return { model: m, opts: { ...opts, int16Layers } };
}
