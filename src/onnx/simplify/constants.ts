/**
 * (a) Constant nodes → initializers named after the Constant's output (ESP-PPQ's format_constant_input turns
 * the output variable into a parameter the same way: esp_ppq/IR/morph.py, GraphFormatter.remove_constant_input).
 */
import type { Graph, Node } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Logger } from '../../log.js';
import { graphOutputNames, removeNodes } from '../../ir/edit.js';

export function constantsToInitializers(g: Graph, log: Logger): void {
  const outputs = graphOutputNames(g);
  const dead = new Set<Node>();
  for (const n of g.nodes) {
    if (n.opType !== 'Constant' || (n.domain !== '' && n.domain !== 'ai.onnx')) continue;
    const out = n.outputs[0];
    // A graph output that is an initializer is not portable across runtimes: keep that Constant.
    if (!out || outputs.has(out)) continue;
    const t = constantValue(n);
    if (!t) {
      log.debug(`Constant ${n.name}: value kind not handled, kept as a node`);
      continue;
    }
    g.initializers.set(out, t);
    dead.add(n);
  }
  removeNodes(g, dead);
}

/** The tensor a Constant node holds (any of its value_* forms), or undefined for kinds not handled. */
export function constantValue(n: Node): Tensor | undefined {
  for (const [key, a] of n.attributes) {
    if (key === 'value' && a.type === 'tensor') return a.value;
    if (key === 'value_float' && (a.type === 'float' || a.type === 'int')) return { dtype: 'float32', dims: [], data: Float32Array.of(a.value) };
    if (key === 'value_floats' && a.type === 'floats') return { dtype: 'float32', dims: [a.value.length], data: Float32Array.from(a.value) };
    if (key === 'value_int' && a.type === 'int') return { dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(a.value)) };
    if (key === 'value_ints' && a.type === 'ints') return { dtype: 'int64', dims: [a.value.length], data: BigInt64Array.from(a.value.map((v) => BigInt(v))) };
    if (key === 'value_string' && a.type === 'string') return { dtype: 'string', dims: [], data: [a.value] };
    if (key === 'value_strings' && a.type === 'strings') return { dtype: 'string', dims: [a.value.length], data: [...a.value] };
  }
  return undefined;
}
