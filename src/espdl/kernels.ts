/**
 * The op types ESP-DL can load: its registered module names (esp-dl/dl/module/include/dl_module_creator.hpp,
 * docs/esp-dl.md §2.1). A node of any other type makes `dl::Model` fail on the device ("Do not support …"), so the
 * exporter refuses it up front, naming the node.
 */
import { UnsupportedError } from '../errors.js';
import { opInfo } from '../ops/registry.js';

/** Throws UnsupportedError naming every node ESP-DL has no kernel for. */
export function assertEspdlKernels(nodes: readonly { name: string; opType: string }[]): void {
  const missing = nodes.filter((n) => !opInfo(n.opType).espdlModule);
  if (missing.length === 0) return;
  const list = missing.map((n) => `${n.name} (${n.opType})`).join(', ');
  throw new UnsupportedError(`ESP-DL has no kernel for node(s) ${list}: the .espdl would not load on the chip. ` +
    'Replace these ops in the model (e.g. re-export it from the framework with supported ops) or move them out of the network.');
}
