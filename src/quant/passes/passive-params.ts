/**
 * PassiveParameterQuantizePass (esp_ppq/quantization/optim/parameters.py; docs/esp-ppq.md §3.7): bias scale =
 * input scale × weight scale (so bias exponent = input exponent + weight exponent, per channel on P4);
 * Clip bounds and Pad value follow their input's config; GRU/LSTM bias and cell get 2^-9.
 */
import { InputError } from '../../errors.js';
import { opInfo } from '../../ops/registry.js';
import { masterBy } from '../dominance.js';
import { resolve, type OpQuant, type QuantizedGraph } from '../types.js';

const RNN_EXPONENT = -9;

/** One rule, shared by the simulator and the exporter: bias exponent(s) from input and weight exponents. */
export function biasExponent(inputExponent: number, weightExponent: number | readonly number[]): number | number[] {
  return typeof weightExponent === 'number' ? inputExponent + weightExponent : weightExponent.map((w) => inputExponent + w);
}

function quantizeBias(op: OpQuant): void {
  const [iCfg, wCfg, bCfg] = op.inputs;
  if (!iCfg || !wCfg || !bCfg || (bCfg.state !== 'PASSIVE' && bCfg.state !== 'PASSIVE_INIT')) return;
  const inExp = resolve(iCfg).exponent;
  const wExp = resolve(wCfg).exponent;
  if (typeof inExp !== 'number' || wExp === undefined) {
    throw new InputError(`cannot quantize the bias of ${op.node.name}: its input or weight was not calibrated`);
  }
  bCfg.exponent = biasExponent(inExp, wExp);
  bCfg.state = 'PASSIVE';
}

export function passiveParamsPass(qg: QuantizedGraph): void {
  for (const op of qg.ops.values()) {
    const t = op.node.opType;
    if (opInfo(t).weightAndBias && op.node.inputs.length === 3 && op.node.inputs[2]) quantizeBias(op);
    if (t === 'GRU' || t === 'LSTM') {
      for (const cfg of [op.inputs[3], op.outputs[2]]) {
        if (cfg && (cfg.state === 'PASSIVE' || cfg.state === 'PASSIVE_INIT')) { cfg.exponent = RNN_EXPONENT; cfg.state = 'PASSIVE'; }
      }
    }
    if (t === 'Clip') {
      const iCfg = op.inputs[0];
      if (iCfg) for (const cfg of op.inputs.slice(1)) if (cfg) masterBy(cfg, iCfg);
    }
    if (t === 'Pad' && op.node.inputs.length === 3) {
      const iCfg = op.inputs[0];
      const padCfg = op.inputs[2];
      if (iCfg && padCfg) masterBy(padCfg, iCfg);
    }
  }
}
