/**
 * RMSNorm written out as Pow(x,2) → ReduceMean(one axis, keepdims) → Add(eps) → Sqrt → Div(x, ·) → Mul(·, w)
 * becomes one `RMSNormalization` node (ONNX opset 23 / ESP-DL), as ESP-PPQ's formatter does
 * (FORMATTER_FUSE_RMSNORM in esp_ppq/core/common.py). Names follow ESP-PPQ's output on its own fixtures:
 * node `<Mul>_rmsnorm`, inputs [x, w], the Mul's output, attributes axis, epsilon, stash_type = 1.
 */
import { attrInt, attrInts, onnxOpset, type Model, type Node } from '../../ir/graph.js';
import { numel } from '../../ir/tensor.js';
import type { Logger } from '../../log.js';
import { consumerMap, graphOutputNames, producerMap } from '../../ir/edit.js';
import { nums } from '../../ir/tensor-math.js';

export function fuseRmsNorm(model: Model, log: Logger): void {
  const g = model.graph;
  const opset = onnxOpset(model);
  const prod = producerMap(g.nodes);
  const cons = consumerMap(g.nodes);
  const outputs = graphOutputNames(g);
  const replaced = new Map<Node, Node | null>();
  const only = (value: string, user: Node) => !outputs.has(value) && (cons.get(value) ?? []).length === 1 && cons.get(value)![0] === user;
  const scalar = (name: string | undefined) => {
    const t = name ? g.initializers.get(name) : undefined;
    return t && numel(t.dims) === 1 && t.dtype === 'float32' ? nums(t)[0] : undefined;
  };
  for (const mul of g.nodes) {
    if (mul.opType !== 'Mul') continue;
    const div = mul.inputs.map((i) => prod.get(i)).find((p) => p?.opType === 'Div');
    const weight = mul.inputs.find((i) => i !== div?.outputs[0]);
    if (!div || !weight || !g.initializers.has(weight) || !only(div.outputs[0]!, mul)) continue;
    const [x, sqrtOut] = div.inputs as [string, string];
    const sqrt = prod.get(sqrtOut);
    const add = sqrt?.opType === 'Sqrt' && only(sqrtOut, div) ? prod.get(sqrt.inputs[0]!) : undefined;
    if (!sqrt || !add || add.opType !== 'Add' || !only(add.outputs[0]!, sqrt)) continue;
    const meanOut = add.inputs.find((i) => !g.initializers.has(i));
    const eps = scalar(add.inputs.find((i) => g.initializers.has(i)));
    const mean = meanOut ? prod.get(meanOut) : undefined;
    if (eps === undefined || !mean || mean.opType !== 'ReduceMean' || !only(meanOut!, add) || attrInt(mean, 'keepdims', 1) !== 1) continue;
    const axes = opset >= 18 ? (mean.inputs[1] && g.initializers.has(mean.inputs[1]) ? nums(g.initializers.get(mean.inputs[1])!) : []) : [...attrInts(mean, 'axes', [])];
    const pow = prod.get(mean.inputs[0]!);
    if (axes.length !== 1 || !pow || pow.opType !== 'Pow' || pow.inputs[0] !== x || scalar(pow.inputs[1]) !== 2 || !only(pow.outputs[0]!, mean)) continue;
    const fused: Node = {
      name: `${mul.name}_rmsnorm`, opType: 'RMSNormalization', domain: '', inputs: [x, weight], outputs: [mul.outputs[0]!],
      attributes: new Map([['axis', { type: 'int', value: axes[0]! }], ['epsilon', { type: 'float', value: eps }], ['stash_type', { type: 'int', value: 1 }]]),
    };
    for (const n of [pow, mean, add, sqrt, div]) replaced.set(n, null);
    replaced.set(mul, fused);
    for (const v of [pow, mean, add, sqrt, div]) g.valueInfo.delete(v.outputs[0]!);
    log.debug(`fused RMSNorm pattern ending at ${mul.name} into ${fused.name}`);
  }
  if (replaced.size > 0) g.nodes = g.nodes.flatMap((n) => (replaced.has(n) ? (replaced.get(n) ? [replaced.get(n)!] : []) : [n]));
}
