// MobileNetV2 (torchvision's architecture: width 1.0, 224×224, 1000 classes) with seeded random weights, as a
// plain IR model (encode it with encodeModel from src/onnx/write.ts). It replaces a 14 MB file in the repository:
// `npm run bench` times quantization on it, where only the shapes matter (its accuracy means nothing), and the
// codec/simplifier tests use it as a realistic, large graph.
//
// The graph is what torch.onnx.export (opset 13, BatchNorm folded into the Convs) writes for torchvision's model:
// Conv ×52, Clip ×35 (ReLU6, min/max as scalar initializers), Add ×10 (residuals), GlobalAveragePool, Flatten, Gemm.
// Weights: He-normal from a seeded generator, scaled so activations stay near unit variance through the blocks
// (BatchNorm statistics gathered on random data and folded have the same effect on the original).

/** torchvision's inverted-residual settings: expansion t, output channels c, repeats n, first stride s. */
const SETTINGS = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];

/** Seeded standard normal values (xorshift32 + Box–Muller), so the same seed always gives the same model. */
function normalGenerator(seed) {
  let s = (seed >>> 0) || 0x9e3779b9;
  const uniform = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * @param {{ seed?: number, inputSize?: number, classes?: number }} [options]
 * @returns {import('../src/ir/graph.js').Model}
 */
export function mobileNetV2(options = {}) {
  const { seed = 0, inputSize = 224, classes = 1000 } = options;
  const normal = normalGenerator(seed);
  const nodes = [];
  const initializers = new Map();
  const tensor = (name, dims, fill) => {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = fill(i);
    initializers.set(name, { dtype: 'float32', dims, data });
    return name;
  };
  const attrs = (o) => new Map(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? { type: 'ints', value: v } : { type: 'int', value: v }]));

  /** Conv (+ ReLU6 when `relu6`); `gain` scales the He-normal weights (1 for a linear output). */
  const conv = (prefix, x, cin, cout, { k = 1, stride = 1, groups = 1, relu6 = true, gain = relu6 ? 2 : 1 }) => {
    const fanIn = (cin / groups) * k * k;
    const std = Math.sqrt(gain / fanIn);
    const w = tensor(`${prefix}.weight`, [cout, cin / groups, k, k], () => normal() * std);
    const b = tensor(`${prefix}.bias`, [cout], () => normal() * 0.05);
    const y = `/${prefix}/Conv_output_0`;
    const pad = (k - 1) >> 1;
    nodes.push({ name: `/${prefix}/Conv`, opType: 'Conv', domain: '', inputs: [x, w, b], outputs: [y],
      attributes: attrs({ dilations: [1, 1], group: groups, kernel_shape: [k, k], pads: [pad, pad, pad, pad], strides: [stride, stride] }) });
    if (!relu6) return y;
    const z = `/${prefix}/Clip_output_0`;
    // One pair of bounds per Clip, as torch.onnx.export writes them (shared initializers would be split later).
    const min = tensor(`/${prefix}/Clip_min`, [], () => 0);
    const max = tensor(`/${prefix}/Clip_max`, [], () => 6);
    nodes.push({ name: `/${prefix}/Clip`, opType: 'Clip', domain: '', inputs: [y, min, max], outputs: [z], attributes: new Map() });
    return z;
  };

  let x = conv('features.0', 'input', 3, 32, { k: 3, stride: 2 });
  let cin = 32;
  let index = 1;
  for (const [t, c, n, s] of SETTINGS) {
    for (let r = 0; r < n; r++) {
      const p = `features.${index++}`;
      const stride = r === 0 ? s : 1;
      const hidden = cin * t;
      const residual = stride === 1 && cin === c;
      let h = x;
      if (t !== 1) h = conv(`${p}.conv.expand`, h, cin, hidden, {});
      h = conv(`${p}.conv.depthwise`, h, hidden, hidden, { k: 3, stride, groups: hidden });
      // Two equal-variance branches add up: halve the projection's variance so depth does not inflate activations.
      h = conv(`${p}.conv.project`, h, hidden, c, { relu6: false, gain: residual ? 0.5 : 1 });
      if (residual) {
        const y = `/${p}/Add_output_0`;
        nodes.push({ name: `/${p}/Add`, opType: 'Add', domain: '', inputs: [x, h], outputs: [y], attributes: new Map() });
        h = y;
      }
      x = h;
      cin = c;
    }
  }
  x = conv(`features.${index}`, x, cin, 1280, {});
  nodes.push({ name: '/GlobalAveragePool', opType: 'GlobalAveragePool', domain: '', inputs: [x], outputs: ['/GlobalAveragePool_output_0'], attributes: new Map() });
  nodes.push({ name: '/Flatten', opType: 'Flatten', domain: '', inputs: ['/GlobalAveragePool_output_0'], outputs: ['/Flatten_output_0'], attributes: attrs({ axis: 1 }) });
  const fcW = tensor('classifier.1.weight', [classes, 1280], () => normal() * 0.01);
  const fcB = tensor('classifier.1.bias', [classes], () => 0);
  nodes.push({ name: '/classifier/classifier.1/Gemm', opType: 'Gemm', domain: '', inputs: ['/Flatten_output_0', fcW, fcB], outputs: ['logits'],
    attributes: new Map([['alpha', { type: 'float', value: 1 }], ['beta', { type: 'float', value: 1 }], ['transB', { type: 'int', value: 1 }]]) });

  return {
    irVersion: 7,
    opsetImports: [{ domain: '', version: 13 }],
    producerName: 'espdl-autoquant scripts/mobilenet-v2.mjs', producerVersion: '', domain: '', modelVersion: 0,
    docString: `MobileNetV2 (torchvision architecture) with random weights, seed ${seed}; for timing only`,
    metadataProps: [],
    graph: {
      name: 'mobilenet_v2',
      nodes,
      inputs: [{ name: 'input', dtype: 'float32', shape: [1, 3, inputSize, inputSize] }],
      outputs: [{ name: 'logits', dtype: 'float32', shape: [1, classes] }],
      initializers,
      valueInfo: new Map(),
    },
  };
}
