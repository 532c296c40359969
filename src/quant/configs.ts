/**
 * Dispatch and default configs: which ops run quantized, and one TensorQuantConfig per input/output slot with
 * ESP-PPQ's defaults (EspdlQuantizer.init_quantize_config; docs/esp-ppq.md §3.2, §3.8).
 */
import { klBinsFor } from './observers/observer.js';
import type { Model, Node } from '../ir/graph.js';
import type { Logger } from '../log.js';
import { isQuantizableInput, opInfo, weightChannelAxis } from '../ops/registry.js';
import type { QuantOptions } from './options.js';
import { platformBits, platformFor, quantRange, roundingFor, usesPerChannelWeights } from './targets.js';
import type { ObserverName, OpQuant, Platform, QuantState, QuantizedGraph, Rounding, TensorQuantConfig } from './types.js';

/** Allocates config ids in creation order, per quantization (no global counter). */
export interface ConfigFactory {
  create(init: ConfigInit): TensorQuantConfig;
}

export interface ConfigInit {
  value: string;
  bits: number;
  rounding: Rounding;
  state: QuantState;
  observer: ObserverName;
  isParameter: boolean;
  perChannel?: boolean;
  channelAxis?: number;
}

export function configFactory(): ConfigFactory {
  let next = 1;
  return {
    create(init) {
      const { qmin, qmax } = quantRange(init.bits);
      const cfg: TensorQuantConfig = {
        id: next++, value: init.value, bits: init.bits, qmin, qmax,
        perChannel: init.perChannel ?? false, channelAxis: init.channelAxis ?? 0,
        rounding: init.rounding, state: init.state, observer: init.observer,
        klBins: klBinsFor(init.bits), exponent: undefined, isParameter: init.isParameter,
        dominator: undefined as unknown as TensorQuantConfig,
      };
      cfg.dominator = cfg;
      return cfg;
    },
  };
}

/** The platform of one node: FP32 when ESP-DL cannot quantize it, int16 when listed in int16Layers. */
export function dispatch(node: Node, opts: QuantOptions): Platform {
  if (!opInfo(node.opType).quantizable) return 'FP32';
  const bits = opts.int16Layers.includes(node.name) ? 16 : opts.bits;
  return platformFor(opts.target, bits);
}

function createOpQuant(node: Node, platform: Platform, model: Model, opts: QuantOptions, factory: ConfigFactory): OpQuant {
  const { bits, biasBits } = platformBits(platform);
  const rounding = roundingFor(opts.target);
  const inits = model.graph.initializers;
  const perChannel = usesPerChannelWeights(platform);
  const info = opInfo(node.opType);
  const withWeights = info.weightAndBias;
  const inputs = node.inputs.map((value, i): TensorQuantConfig | undefined => {
    if (!value) return undefined;
    const isParameter = inits.has(value);
    if (!isQuantizableInput(node.opType, i)) {
      return factory.create({ value, bits, rounding, state: 'FP32', observer: 'minmax', isParameter });
    }
    if (withWeights && i === 1 && node.inputs.length > 1) {
      return factory.create({
        value, bits, rounding, state: 'INITIAL', isParameter,
        observer: perChannel ? 'minmax' : 'percentile', perChannel, channelAxis: weightChannelAxis(node),
      });
    }
    if (withWeights && i === 2) {
      return factory.create({ value, bits: biasBits, rounding, state: 'PASSIVE_INIT', observer: 'minmax', isParameter, perChannel, channelAxis: 0 });
    }
    const observer: ObserverName = isParameter ? 'percentile' : opts.calibAlgorithm;
    return factory.create({ value, bits, rounding, state: 'INITIAL', observer, isParameter });
  });
  const floatOutput = info.floatOutput;
  const outputs = node.outputs.map((value) => value
    ? factory.create({ value, bits, rounding, state: floatOutput ? 'FP32' : 'INITIAL', observer: opts.calibAlgorithm, isParameter: false })
    : undefined);
  return { node, platform, inputs, outputs };
}

/**
 * Builds the unquantized QuantizedGraph: dispatch every node, create configs. Logs one warning naming the
 * nodes left in FP32 (ESP-DL will run them in float or not at all).
 */
export function createQuantizedGraph(model: Model, opts: QuantOptions, logger: Logger): QuantizedGraph {
  const factory = configFactory();
  const ops = new Map<string, OpQuant>();
  const fp32Nodes: string[] = [];
  for (const node of model.graph.nodes) {
    const platform = dispatch(node, opts);
    if (platform === 'FP32') fp32Nodes.push(node.name);
    else ops.set(node.name, createOpQuant(node, platform, model, opts, factory));
  }
  if (fp32Nodes.length > 0) {
    const types = [...new Set(fp32Nodes.map((n) => model.graph.nodes.find((x) => x.name === n)?.opType))];
    logger.warn(`${fp32Nodes.length} node(s) stay FP32 (op types ESP-DL does not quantize: ${types.join(', ')}): ${fp32Nodes.join(', ')}`);
  }
  return { model, target: opts.target, bits: opts.bits, ops, fp32Nodes, storedParams: new Map(model.graph.initializers) };
}

export function isComputingOp(op: OpQuant): boolean {
  return opInfo(op.node.opType).computing;
}

export function isPassiveOp(op: OpQuant): boolean {
  return opInfo(op.node.opType).passive;
}
