/**
 * Sample → QuantOptions, a port of esp_ppq/autoquant/quantize.py::build_quant_setting (docs/esp-ppq.md §1.5).
 * Starts from espdl_setting() (defaultQuantOptions) and applies each enabled module, in ESP-PPQ's order.
 */
import { InputError } from '../errors.js';
import { defaultQuantOptions, type AlignMode, type QuantOptions } from '../quant/options.js';
import type { ObserverName, Target } from '../quant/types.js';
import { isPyInt, num, type PyDict, type PyValue } from './py-value.js';
import type { SampledParams, Strategy } from './space.js';

export interface BuildQuantOptionsInput {
  strategy: Strategy;
  params: SampledParams;
  target: Target;
  /** Baseline layer-wise error (op name → ratio, insertion order = graph order); {} when not computed. */
  layerwise: Record<string, number>;
  /** Direct successors of a node in the simplified model (ESP-PPQ get_next_node). */
  successorsOf: (nodeName: string) => string[];
}

/** quantize.py::_check_topk. */
export function checkTopk(name: string, topk: PyValue | undefined, allowAll: boolean): number {
  if (!isPyInt(topk)) throw new InputError(`${name}.topk must be an int, got ${String(topk)}`);
  if (topk === -1 && allowAll) return topk;
  if (topk <= 0) throw new InputError(`${name}.topk must be ${allowAll ? '-1 or ' : ''}> 0, got ${topk}`);
  return topk;
}

/**
 * quantize.py::select_topk_layers: -1 → [] (PPQ: all eligible layers); k > 0 → the k largest errors,
 * stable on ties (insertion order), highest first.
 */
export function selectTopkLayers(layerwise: Record<string, number>, topk: number): string[] {
  checkTopk('interested_layers', topk, true);
  if (topk === -1) return [];
  return Object.entries(layerwise).sort((a, b) => b[1] - a[1]).slice(0, topk).map(([n]) => n);
}

function on(s: Strategy, m: string): boolean {
  return s[m]?.value === true;
}

function cfg(p: SampledParams, m: string): PyDict {
  const c = p[m];
  if (c === null || c === undefined) throw new InputError(`missing sampled ${m} config`);
  return c;
}

function requireLayerwise(m: string, layerwise: Record<string, number>): void {
  if (Object.keys(layerwise).length === 0) {
    throw new InputError(`${m} requires layerwise_error (the baseline layer-wise analysis returned nothing)`);
  }
}

/** Builds one experiment's QuantOptions. Throws InputError for bad samples (bad topk, missing knobs, …). */
export function buildQuantOptions(inp: BuildQuantOptionsInput): QuantOptions {
  const { strategy: s, params: p, layerwise } = inp;
  const bits = num(cfg(p, 'num_of_bits').value);
  if (bits !== 8 && bits !== 16) throw new InputError(`num_of_bits.value must be 8 or 16, got ${bits}`);
  const o = defaultQuantOptions(inp.target, bits);
  o.calibAlgorithm = cfg(p, 'calib_algorithm').method as ObserverName;
  o.alignment.enabled = on(s, 'fusion_alignment');
  if (on(s, 'mixed_precision')) o.int16Layers = mixedPrecisionLayers(cfg(p, 'mixed_precision'), inp);
  if (on(s, 'bias_correction')) {
    const c = cfg(p, 'bias_correction');
    requireLayerwise('bias_correction', layerwise);
    const k = checkTopk('bias_correction', c.topk ?? 1, true);
    o.biasCorrection = { interestedLayers: selectTopkLayers(layerwise, k), blockSize: num(c.block_size), steps: num(c.steps) };
  }
  if (on(s, 'horizontal_layer_split')) {
    const c = cfg(p, 'horizontal_layer_split');
    requireLayerwise('horizontal_layer_split', layerwise);
    const k = checkTopk('horizontal_layer_split', c.topk ?? 1, false);
    o.weightSplit = { interestedLayers: selectTopkLayers(layerwise, k), valueThreshold: num(c.value_threshold) };
  }
  if (on(s, 'weight_equalization')) {
    const c = cfg(p, 'weight_equalization');
    o.equalization = { iterations: num(c.iterations), valueThreshold: num(c.value_threshold), optLevel: num(c.opt_level) as 1 | 2 };
  }
  if (on(s, 'tqt')) {
    const c = cfg(p, 'tqt');
    requireLayerwise('tqt', layerwise);
    const k = checkTopk('tqt', c.topk, true);
    o.tqt = {
      interestedLayers: selectTopkLayers(layerwise, k), lr: num(c.lr), steps: num(c.steps), blockSize: num(c.block_size),
      isScaleTrainable: c.is_scale_trainable === true, gamma: num(c.gamma), intLambda: num(c.int_lambda),
    };
  }
  if (on(s, 'fusion_alignment')) {
    const c = cfg(p, 'fusion_alignment');
    o.alignment = {
      enabled: true, elementwiseTo: c.elementwise_to as AlignMode, concatTo: c.concat_to as AlignMode,
      avgpoolingTo: c.avgpooling_to as AlignMode, resizeTo: c.resize_to as AlignMode, forceOverlap: c.force_overlap === true,
    };
  }
  if (on(s, 'blockwise_reconstruction')) {
    const c = cfg(p, 'blockwise_reconstruction');
    requireLayerwise('blockwise_reconstruction', layerwise);
    const k = checkTopk('blockwise_reconstruction', c.topk ?? 1, true);
    o.blockwiseReconstruction = {
      interestedLayers: selectTopkLayers(layerwise, k), isScaleTrainable: c.is_scale_trainable === true,
      lr: num(c.lr), steps: num(c.steps), gamma: num(c.gamma), blockSize: num(c.block_size),
    };
  }
  return o;
}

/** Top-k layers plus their direct successors, deduplicated in discovery order. */
function mixedPrecisionLayers(c: PyDict, inp: BuildQuantOptionsInput): string[] {
  requireLayerwise('mixed_precision', inp.layerwise);
  const k = checkTopk('mixed_precision', c.topk ?? 1, false);
  const out: string[] = [];
  for (const layer of selectTopkLayers(inp.layerwise, k)) {
    if (!out.includes(layer)) out.push(layer);
    // ESP-PPQ returns successors from a Python set (hash-seed order); we keep the graph's order.
    for (const next of inp.successorsOf(layer)) if (!out.includes(next)) out.push(next);
  }
  return out;
}
