/**
 * `espdl-autoquant estimate FILE.espdl|FILE.onnx --target T [--json]`: the latency model's estimate of
 * single-core latency and memory (src/board/latency-model.ts). An estimate, not a measurement.
 */
import { estimateModelFile } from '../../app/estimate.js';
import { InputError } from '../../errors.js';
import type { FileEstimate } from '../../board/estimate.js';
import { parseFlags } from '../args.js';
import { ESTIMATE_TARGETS, parseEstimateTarget } from '../../board/latency-model.js';
import { defineCommand, type CliContext, type Command } from '../command.js';

const usage = `Usage: espdl-autoquant estimate FILE.espdl|FILE.onnx --target T [options]

Estimates single-core model latency (ms) and memory on an ESP32 target from the graph: MACs per operator
kind and activation traffic, calibrated against ESP-DL's published model-zoo figures (MobileNetV2 224²,
YOLO11n 640² on ESP32-P4 and ESP32-S3). It is a model, not a measurement: use \`espdl-autoquant bench\` on a
board for real figures. esp32 is an uncalibrated extrapolation (C kernels).

Options:
  --target T          ${ESTIMATE_TARGETS.join(' | ')} (required)
  --json              print {latency_ms, memory_bytes: {internal, psram, flash}, breakdown_ms, macs, calibrated, uncosted}
  --bits 8|16         ONNX input: the quantization width to assume (default 8); .espdl files carry their own
  --model NAME|INDEX  one model of a PDL package
  --key HEX           16-byte AES key for an encrypted .espdl
  -h, --help          this help`;

export const estimateCommand: Command = defineCommand({
  name: 'estimate',
  summary: 'estimate latency and memory of a model on a target',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parse(argv);
    if (positionals.length !== 1) throw new InputError(`estimate: expected one FILE, got ${positionals.length}\n\n${usage}`);
    if (values.target === undefined) throw new InputError(`estimate: missing --target\n\n${usage}`);
    const target = parseEstimateTarget(values.target);
    const file = positionals[0];
    const bits = values.bits === undefined ? undefined : values.bits === '16' ? 16 : values.bits === '8' ? 8 : badBits(values.bits);
    const model = values.model === undefined ? undefined : /^\d+$/.test(values.model) ? Number(values.model) : values.model;
    const est = await estimateModelFile({
      file, target, cwd: ctx.cwd, ...(bits ? { bits } : {}), ...(model !== undefined ? { model } : {}), ...(values.key ? { key: values.key } : {}),
    });
    if (est.uncosted.length > 0) ctx.logger.warn(`${file}: ${est.uncosted.length} node(s) without known shapes are not included: ${est.uncosted.slice(0, 5).join(', ')}${est.uncosted.length > 5 ? ', …' : ''}`);
    for (const w of est.warnings) ctx.logger.warn(`${file}: ${w}`);
    ctx.stdout(values.json ? `${JSON.stringify(toJson(est), null, 2)}\n` : formatText(est));
    return 0;
  },
});

function badBits(text: string): never {
  throw new InputError(`--bits ${text}: expected 8 or 16`);
}

function parse(argv: string[]) {
  return parseFlags('estimate', {
    args: argv, allowPositionals: true,
    options: { target: { type: 'string' }, json: { type: 'boolean' }, bits: { type: 'string' }, model: { type: 'string' }, key: { type: 'string' } },
  });
}

function toJson(e: FileEstimate): object {
  return {
    file: e.file, format: e.format, target: e.target, latency_ms: round(e.latency_ms), memory_bytes: e.memory_bytes,
    breakdown_ms: Object.fromEntries(Object.entries(e.breakdown_ms).map(([k, v]) => [k, round(v)])),
    macs: e.macs, ops: e.ops, calibrated: e.calibrated, uncosted: e.uncosted, warnings: e.warnings,
  };
}

const round = (v: number): number => Math.round(v * 10) / 10;
const size = (b: number): string => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`);

function formatText(e: FileEstimate): string {
  const b = e.breakdown_ms;
  return [
    `${e.file} on ${e.target}: estimate${e.calibrated ? '' : ' (UNCALIBRATED extrapolation)'}, not a measurement`,
    `  latency  ${e.latency_ms.toFixed(1)} ms single-core  (1×1/Gemm ${b.pointwise.toFixed(1)}, k×k ${b.spatial.toFixed(1)}, depthwise ${b.depthwise.toFixed(1)}, memory-bound ${b.memory.toFixed(1)})`,
    `  memory   internal ${size(e.memory_bytes.internal)}, PSRAM ${size(e.memory_bytes.psram)}, flash ${size(e.memory_bytes.flash)}`,
    `  work     ${(e.macs / 1e6).toFixed(1)} M MACs over ${e.ops} operators${e.uncosted.length ? `; ${e.uncosted.length} not costed (unknown shapes)` : ''}`,
    '',
  ].join('\n');
}
