/**
 * The quantization config file ESP-PPQ writes beside the `.espdl` (`<model>.json`, docs/esp-ppq.md §5.9; espdl_exporter.py
 * export_quantization_config), from the export-prepared graph. `hash`/`dominator` are our stable config ids
 * instead of ESP-PPQ's time-seeded hashes, so the file is reproducible.
 */
import type { TensorQuantConfig } from '../../quant/types.js';
import { exponentOf, resolve } from '../../quant/types.js';
import { configWithVariable } from './quant-nodes.js';
import type { XGraph } from './xgraph.js';

function policy(c: TensorQuantConfig): Record<string, boolean> {
  return {
    PER_TENSOR: !c.perChannel, PER_CHANNEL: c.perChannel, LINEAR: true, FLOATING: false,
    SYMMETRICAL: true, ASYMMETRICAL: false, POWER_OF_2: true, DYNAMIC: false,
  };
}

/** The config JSON text (4-space indent, as ESP-PPQ's json.dump(indent=4)). */
export function quantConfigJson(g: XGraph): string {
  const configs: Record<string, Record<string, unknown>> = {};
  const dispatchings: Record<string, string> = {};
  const values: Record<string, { scale: number | number[]; zero_point: number | number[] }> = {};
  for (const op of g.nodes) {
    if (!op.quantable) continue;
    const entry: Record<string, unknown> = {};
    for (const [c, name] of configWithVariable(op)) {
      if (!c) continue;
      entry[name] = {
        bit_width: c.bits, policy: policy(c), state: c.state, quant_min: c.qmin, quant_max: c.qmax,
        hash: c.id, dominator: resolve(c).id,
      };
      const e = exponentOf(c);
      if (c.dominator === c && c.state !== 'FP32' && e !== undefined) {
        values[String(c.id)] = Array.isArray(e)
          ? { scale: e.map((x) => 2 ** x), zero_point: e.map(() => 0) }
          : { scale: 2 ** e, zero_point: 0 };
      }
    }
    configs[op.name] = entry;
    dispatchings[op.name] = op.platform;
  }
  return JSON.stringify({ configs, dispatchings, values }, null, 4);
}
