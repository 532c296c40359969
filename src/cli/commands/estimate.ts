/**
 * `espdl-autoquant estimate FILE.espdl|FILE.onnx --target T`: the latency model's estimate of single-core
 * latency and memory (src/cost/, docs/latency.md). An estimate, not a measurement.
 */
import { estimateModelFile, type FileEstimate } from '../../app/estimate.js';
import { COST_TARGETS } from '../../cost/chips.js';
import { OP_CLASS_TITLES } from '../../cost/op-class.js';
import { InputError } from '../../errors.js';
import { parseInputShape } from '../../app/input-shape.js';
import { parseFlags } from '../args.js';
import { defineCommand, type CliContext, type Command } from '../command.js';

const usage = `Usage: espdl-autoquant estimate FILE.espdl|FILE.onnx --target T [options]

Estimates single-core model latency (ms) and memory on an ESP32 target from the graph, with a model of ESP-DL's
kernels (convolution calls and SIMD work, unaligned channels, filters re-read past the cache, PSRAM traffic)
fitted to ESP-DL's published model-zoo latencies (docs/latency.md). It prints the time per op class and the range
a measurement would fall in if this model erred like the published ones. It is a model, not a measurement: use
\`espdl-autoquant bench\` on a board for real figures, and --measured to fit the model to your board.

Options:
  --target T            ${COST_TARGETS.join(' | ')} (required; esp32 is an uncalibrated extrapolation)
  --json                machine-readable output
  --input-shape DIMS    ONNX input with dynamic dimensions: its shape, e.g. 1,3,224,224
  --bits 8|16           ONNX input: the quantization width to assume (default 8); .espdl files carry their own
  --params WHERE        where parameters live: psram (ESP-DL's default) | flash (param_copy = false) | internal
  --max-internal-kb N   ESP-DL's max_internal_size: internal RAM for activations (default 0: all in PSRAM)
  --measured FILE       bench.json from your board: refine the model's constants with its measurements
  --model NAME|INDEX    one model of a PDL package
  --key HEX             16-byte AES key for an encrypted .espdl
  -h, --help            this help`;

export const estimateCommand: Command = defineCommand({
  name: 'estimate',
  summary: 'estimate latency and memory of a model on a target',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parse(argv);
    if (positionals.length !== 1) throw new InputError(`estimate: expected one FILE, got ${positionals.length}\n\n${usage}`);
    if (values.target === undefined) throw new InputError(`estimate: missing --target\n\n${usage}`);
    const file = positionals[0];
    const est = await estimateModelFile({
      file, target: values.target, cwd: ctx.cwd, logger: ctx.logger,
      ...(values.bits !== undefined ? { bits: parseBits(values.bits) } : {}),
      ...(values['input-shape'] ? { inputShape: parseInputShape(values['input-shape'], '--input-shape') } : {}),
      ...(values.params !== undefined ? { params: parseParams(values.params) } : {}),
      ...(values['max-internal-kb'] !== undefined ? { maxInternalBytes: parseKb(values['max-internal-kb']) } : {}),
      ...(values.measured ? { measured: values.measured } : {}),
      ...(values.model !== undefined ? { model: /^\d+$/.test(values.model) ? Number(values.model) : values.model } : {}),
      ...(values.key ? { key: values.key } : {}),
    });
    if (est.uncosted.length > 0) ctx.logger.warn(`${file}: ${est.uncosted.length} node(s) without known shapes are not included: ${est.uncosted.slice(0, 5).join(', ')}${est.uncosted.length > 5 ? ', …' : ''}`);
    for (const w of est.warnings) ctx.logger.warn(`${file}: ${w}`);
    ctx.stdout(values.json ? `${JSON.stringify(toJson(est), null, 2)}\n` : formatText(est));
    return 0;
  },
});

function parseBits(text: string): 8 | 16 {
  if (text === '8' || text === '16') return Number(text) as 8 | 16;
  throw new InputError(`--bits ${text}: expected 8 or 16`);
}

function parseParams(text: string): 'psram' | 'flash' | 'internal' {
  if (text === 'psram' || text === 'flash' || text === 'internal') return text;
  throw new InputError(`--params ${text}: expected psram, flash or internal`);
}

function parseKb(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new InputError(`--max-internal-kb ${text}: expected a number of KiB ≥ 0`);
  return n * 1024;
}

function parse(argv: string[]) {
  return parseFlags('estimate', {
    args: argv, allowPositionals: true,
    options: {
      target: { type: 'string' }, json: { type: 'boolean' }, bits: { type: 'string' }, 'input-shape': { type: 'string' },
      params: { type: 'string' }, 'max-internal-kb': { type: 'string' }, measured: { type: 'string' },
      model: { type: 'string' }, key: { type: 'string' },
    },
  });
}

const r1 = (v: number): number => Math.round(v * 10) / 10;

function toJson(e: FileEstimate): object {
  return {
    file: e.file, format: e.format, target: e.target, latency_ms: r1(e.latency_ms), band_ms: e.band_ms ? e.band_ms.map(r1) : null, band_basis: e.band_basis,
    compute_ms: r1(e.compute_ms), memory_ms: r1(e.memory_ms),
    by_class: e.by_class.map((c) => ({ class: c.cls, detail: c.detail, ops: c.ops, ms: r1(c.compute_ms + c.memory_ms), compute_ms: r1(c.compute_ms), memory_ms: r1(c.memory_ms) })),
    memory_bytes: e.memory_bytes, macs: e.macs, ops: e.ops, calibrated: e.calibrated, refined: e.refined, deployment: e.deployment,
    uncosted: e.uncosted, extrapolation: e.extrapolation, warnings: e.warnings,
  };
}

const size = (b: number): string => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(2)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`);
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

function formatText(e: FileEstimate): string {
  const lines = [
    `${e.file} on ${e.target}: ${ms(e.latency_ms)} ms single-core — an estimate${e.calibrated ? '' : ' (UNCALIBRATED extrapolation)'}, not a measurement`,
  ];
  if (e.band_ms) lines.push(`  likely ${ms(e.band_ms[0])}–${ms(e.band_ms[1])} ms (${e.band_basis})`);
  if (e.refined) lines.push(`  refined with ${e.refined.measurements} board measurement(s) (${e.refined.method === 'per-class' ? 'per op class from layer timings' : 'one scale'})`);
  lines.push(`  compute ${ms(e.compute_ms)} ms, external memory ${ms(e.memory_ms)} ms`);
  const rows = e.by_class.filter((c) => c.ops > 0 && c.cls !== 'free');
  const names = rows.map((c) => `${OP_CLASS_TITLES[c.cls]}${c.detail ? ` ${c.detail}` : ''}`);
  const w = Math.max(...names.map((n) => n.length), 8);
  rows.forEach((c, i) => {
    const total = c.compute_ms + c.memory_ms;
    const pct = e.latency_ms > 0 ? (100 * total) / e.latency_ms : 0;
    lines.push(`    ${names[i].padEnd(w)}  ${ms(total).padStart(7)} ms ${pct.toFixed(0).padStart(3)}%  (compute ${ms(c.compute_ms)}, memory ${ms(c.memory_ms)}; ${c.ops} op${c.ops === 1 ? '' : 's'})`);
  });
  const m = e.memory_bytes;
  lines.push(`  memory   internal ${size(m.internal)}, PSRAM ${size(m.psram)}, flash ${size(m.flash)} (parameters in ${e.deployment.params})`);
  lines.push(`  work     ${(e.macs / 1e6).toFixed(1)} M MACs over ${e.ops} operators${e.uncosted.length ? `; ${e.uncosted.length} not costed (unknown shapes)` : ''}`);
  if (e.extrapolation.length) {
    lines.push('  outside what the model was fitted on:');
    for (const n of e.extrapolation) lines.push(`    - ${n}`);
  }
  lines.push('');
  return lines.join('\n');
}
