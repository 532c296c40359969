/** Text and JSON renderings of a quantization result for the CLI. */
import type { QuantizeFilesResult } from '../node/quantize-files.js';
import type { QuantOptions } from '../quant/options.js';
import { exponentsOf } from '../quant/report.js';

const pct = (v: number) => `${(v * 100).toFixed(3)}%`;

export function quantizeJson(r: QuantizeFilesResult, opts: QuantOptions): Record<string, unknown> {
  const bits: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.tensors)) bits[k] = v.bits;
  return {
    target: opts.target,
    num_of_bits: opts.bits,
    calib_algorithm: opts.calibAlgorithm,
    exponents: exponentsOf(r.tensors),
    bits,
    graphwise_snr: r.graphwise ? Object.fromEntries(r.graphwise) : {},
    top3_mean: r.top3Mean ?? null,
    ...(r.layerwise ? { layerwise_snr: Object.fromEntries(r.layerwise) } : {}),
    fp32_nodes: r.fp32Nodes,
    files: r.files,
    timings_ms: Object.fromEntries(Object.entries(r.timingsMs).map(([k, v]) => [k, Math.round(v * 10) / 10])),
  };
}

export function formatQuantizeSummary(r: QuantizeFilesResult, opts: QuantOptions): string {
  const lines = [`Quantized for ${opts.target} int${opts.bits} (${opts.calibAlgorithm} calibration).`, ''];
  if (r.graphwise) {
    lines.push('Graph-wise noise:signal power ratio per computing op (lower is better):');
    const width = Math.max(...[...r.graphwise.keys()].map((k) => k.length));
    for (const [op, v] of r.graphwise) lines.push(`  ${op.padEnd(width)}  ${pct(v)}${r.layerwise?.has(op) ? `   layer-wise ${pct(r.layerwise.get(op)!)}` : ''}`);
    lines.push(`  mean of the 3 worst: ${pct(r.top3Mean ?? NaN)}`, '');
  }
  if (r.fp32Nodes.length > 0) lines.push(`FP32 nodes (not quantized): ${r.fp32Nodes.join(', ')}`, '');
  lines.push('Files:', ...Object.values(r.files).map((f) => `  ${f}`));
  const t = Object.entries(r.timingsMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}s`).join(', ');
  lines.push('', `Time: ${t}`, '');
  return lines.join('\n');
}
