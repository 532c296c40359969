/**
 * The op types ESP-DL can load: its registered module names (esp-dl/dl/module/include/dl_module_creator.hpp,
 * docs/esp-dl.md §2.1). A node of any other type makes `dl::Model` fail on the device ("Do not support …"), so the
 * exporter refuses it up front, naming the node.
 */
import { UnsupportedError } from '../errors.js';
import { opInfo } from './registry.js';

/** What to do about an op ESP-DL cannot run, where there is something better to say than "replace it". */
const REMEDY: Readonly<Record<string, string>> = {
  If: 'its condition depends on a model input: when that input is a setting (e.g. a sample rate), freeze it with --input-value NAME=VALUE (e.g. sr=16000) and the If folds to its branch; otherwise export the model for one branch',
  Loop: 'unroll the loop in the framework before export',
  Cast: 'remove the type conversion from the network (ESP-DL computes in int8/int16 only)',
  Max: 'use a constant bound (Max(x, c) becomes Clip) or Relu',
  Min: 'use a constant bound (Min(x, c) becomes Clip)',
  NonMaxSuppression: 'run box decoding and NMS on the host after the network',
  TopK: 'run it on the host after the network',
};

/**
 * Throws UnsupportedError naming every node ESP-DL has no kernel for, grouped by op, at once. These cannot stay
 * FP32 either: ESP-DL needs a module for every node, whatever its precision.
 */
export function assertEspdlKernels(nodes: readonly { name: string; opType: string }[]): void {
  const missing = nodes.filter((n) => !opInfo(n.opType).espdlModule);
  if (missing.length === 0) return;
  const byOp = new Map<string, string[]>();
  for (const n of missing) byOp.set(n.opType, [...(byOp.get(n.opType) ?? []), n.name]);
  const list = missing.map((n) => `${n.name} (${n.opType})`).join(', ');
  const remedies = [...byOp.keys()].filter((op) => REMEDY[op]).map((op) => `${op}: ${REMEDY[op]}`);
  throw new UnsupportedError(`ESP-DL has no kernel for node(s) ${list}: the .espdl would not load on the chip, and ` +
    `these ops cannot stay FP32 either (ESP-DL has no float kernel for them). ` +
    `${remedies.length > 0 ? `${remedies.join('; ')}. ` : ''}` +
    'Otherwise replace these ops in the model (re-export it from the framework with supported ops) or move them out of the network.');
}
