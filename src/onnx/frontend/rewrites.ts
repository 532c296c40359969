/**
 * Rewrites that make a model deployable where ESP-DL has the kernel under another name, or where an exporter
 * wrote a bound that is no bound. Each keeps the node's name and output name, and is named in the log:
 * - `Max(x, c)` / `Min(x, c)` with a one-element constant `c` → `Clip(x, c)` / `Clip(x, −2^31, c)`: ESP-DL has
 *   no Max/Min module, and a lower/upper bound is what they compute (tf.maximum(x, −0.4) in openWakeWord).
 *   −2^31 is ESP-PPQ's "no bound" for Clip (GraphFormatter.format_clip).
 * - `Cast` to the type its input already has (torch exports `.float()` on a float tensor) → Identity, which
 *   ESP-PPQ's formatting removes: ESP-DL has no Cast module.
 * - `Clip` with an infinite bound (torch.clamp(min=…) exports max = +inf): the bound is dropped (+inf max) or
 *   becomes −2^31 (−inf min); both infinite → Identity. An infinite value has no power-of-two exponent.
 */
import { attrInt, type Graph, type Node } from '../../ir/graph.js';
import { dataTypeFromCode, numel } from '../../ir/tensor.js';
import type { Logger } from '../../log.js';
import { addInitializer } from '../../ir/edit.js';
import { make, nums } from '../../ir/tensor-math.js';
import type { StaticInfo } from './shapes.js';

const NO_BOUND = 2 ** 31;

export interface RewriteReport {
  /** Rule → node names it rewrote. */
  applied: Map<string, string[]>;
}

const isStd = (n: Node): boolean => n.domain === '' || n.domain === 'ai.onnx';

export function rewriteForEspdl(g: Graph, shapes: ReadonlyMap<string, StaticInfo>, log: Logger): RewriteReport {
  const report: RewriteReport = { applied: new Map() };
  const note = (rule: string, n: Node) => {
    // Nameless nodes are named later (simplify/name-nodes.ts): the output name identifies them meanwhile.
    const name = n.name || `(output ${n.outputs[0]})`;
    const list = report.applied.get(rule);
    if (list) list.push(name);
    else report.applied.set(rule, [name]);
  };
  g.nodes = g.nodes.map((n) => {
    if (!isStd(n)) return n;
    if (n.opType === 'Max' || n.opType === 'Min') {
      const clip = minMaxToClip(g, n, shapes);
      if (clip) note(`${n.opType}(x, constant) → Clip`, n);
      return clip ?? n;
    }
    if (n.opType === 'Cast' && n.inputs[0] && shapes.get(n.inputs[0])?.dtype === dataTypeFromCode(attrInt(n, 'to', 0))) {
      note('Cast to the type it already has → Identity', n);
      return { ...n, opType: 'Identity', inputs: [n.inputs[0]], attributes: new Map() };
    }
    if (n.opType === 'Clip') {
      const fixed = finiteClip(g, n);
      if (fixed) note('Clip with an infinite bound → finite bound', n);
      return fixed ?? n;
    }
    return n;
  });
  for (const [rule, names] of report.applied) {
    log.info(`front end: ${rule} (${names.length} node${names.length === 1 ? '' : 's'}): ${names.join(', ')}`);
  }
  return report;
}

function scalarOf(g: Graph, name: string | undefined): number | undefined {
  const t = name ? g.initializers.get(name) : undefined;
  return t && t.dtype === 'float32' && numel(t.dims) === 1 ? nums(t)[0] : undefined;
}

function minMaxToClip(g: Graph, n: Node, shapes: ReadonlyMap<string, StaticInfo>): Node | undefined {
  if (n.inputs.length !== 2) return undefined;
  const k = n.inputs.findIndex((i) => scalarOf(g, i) !== undefined);
  const x = n.inputs[1 - k];
  if (k < 0 || !x || g.initializers.has(x)) return undefined;
  const xInfo = shapes.get(x);
  const outInfo = shapes.get(n.outputs[0]!);
  // Clip keeps x's shape: only when broadcasting against the constant does not grow it.
  if (!xInfo?.dims || !outInfo?.dims || xInfo.dtype !== 'float32' || xInfo.dims.join() !== outInfo.dims.join()) return undefined;
  const c = scalarOf(g, n.inputs[k])!;
  const bound = addInitializer(g, `${n.name}_${n.opType === 'Max' ? 'min' : 'max'}`, make('float32', [], [c]));
  const inputs = n.opType === 'Max' ? [x, bound] : [x, addInitializer(g, `${n.name}_min`, make('float32', [], [-NO_BOUND])), bound];
  return { ...n, opType: 'Clip', inputs, attributes: new Map() };
}

function finiteClip(g: Graph, n: Node): Node | undefined {
  const min = scalarOf(g, n.inputs[1]);
  const max = scalarOf(g, n.inputs[2]);
  const minInf = min === -Infinity;
  const maxInf = max === Infinity;
  if (!minInf && !maxInf) return undefined;
  const x = n.inputs[0]!;
  if ((minInf || !n.inputs[1]) && (maxInf || !n.inputs[2])) return { ...n, opType: 'Identity', inputs: [x], attributes: new Map() };
  if (maxInf) return { ...n, inputs: [x, n.inputs[1]!] };
  return { ...n, inputs: [x, addInitializer(g, `${n.name}_min`, make('float32', [], [-NO_BOUND])), n.inputs[2]!] };
}
