/**
 * The shape of ESP-DL's convolution kernels in CPU cycles, from Espressif's own kernel micro-benchmarks
 * (operator_performance.md of espressif/esp-dl, SIMD column: single convolutions on ESP32-S3 @ 240 MHz and
 * ESP32-P4 @ 360 MHz, tensors in PSRAM). These fix how the cost of one convolution splits between a per-call
 * overhead and a per-SIMD-instruction cost; the whole-model fit (fit.ts) then scales them. docs/latency.md compares
 * the fitted model with this table (`npm run fit:latency` prints it): a consistency check, not a held-out one, since
 * the table fixed that split.
 */
import { CHIPS } from './chips.js';
import { nnls } from './fit-math.js';

export interface MicroBenchmark {
  readonly chip: 'esp32s3' | 'esp32p4';
  readonly kind: 'conv' | 'depthwise';
  /** PyTorch notation, as published: input (1, C, H, W), filter (N, C/g, kh, kw). */
  readonly input: readonly [number, number, number, number];
  readonly kernel: readonly [number, number];
  readonly cout: number;
  readonly pads: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly us: number;
  /** The same convolution with ESP-DL's plain C kernels ("ANSI C (μs)"). */
  readonly ansiCUs: number;
}

const mb = (chip: MicroBenchmark['chip'], kind: MicroBenchmark['kind'], input: MicroBenchmark['input'], cout: number, kernel: MicroBenchmark['kernel'], pads: MicroBenchmark['pads'], strides: MicroBenchmark['strides'], ansiCUs: number, us: number): MicroBenchmark =>
  ({ chip, kind, input, cout, kernel, pads, strides, us, ansiCUs });

/** operator_performance.md (espressif/esp-dl @ ebda7ce), both tables in order ("ANSI C (μs)", "SIMD Optimized (μs)"). */
export const MICRO_BENCHMARKS: readonly MicroBenchmark[] = [
  mb('esp32s3', 'conv', [1, 16, 20, 20], 32, [1, 1], [0, 0], [1, 1], 11068, 422),
  mb('esp32s3', 'conv', [1, 32, 19, 23], 16, [3, 3], [1, 1], [2, 2], 25142, 482),
  mb('esp32s3', 'conv', [1, 16, 22, 22], 32, [5, 5], [2, 2], [2, 2], 75451, 974),
  mb('esp32s3', 'conv', [1, 22, 19, 23], 33, [3, 3], [1, 1], [1, 1], 137933, 3447),
  mb('esp32s3', 'depthwise', [1, 32, 100, 50], 32, [3, 3], [0, 0], [1, 1], 96073, 5542),
  mb('esp32s3', 'depthwise', [1, 25, 20, 20], 25, [7, 7], [2, 2], [1, 2], 12772, 918),
  mb('esp32p4', 'conv', [1, 16, 20, 20], 32, [1, 1], [0, 0], [1, 1], 6665, 289),
  mb('esp32p4', 'conv', [1, 32, 19, 23], 16, [3, 3], [1, 1], [2, 2], 10886, 421),
  mb('esp32p4', 'conv', [1, 16, 22, 22], 32, [5, 5], [2, 2], [2, 2], 36570, 666),
  mb('esp32p4', 'conv', [1, 22, 19, 23], 33, [3, 3], [1, 1], [1, 1], 58941, 2517),
  mb('esp32p4', 'depthwise', [1, 32, 100, 50], 32, [3, 3], [0, 0], [1, 1], 52862, 2333),
  mb('esp32p4', 'depthwise', [1, 25, 20, 20], 25, [7, 7], [2, 2], [1, 2], 5901, 660),
];

/** Output pixels of a micro-benchmark (floor((in + 2·pad − k) / stride) + 1 per axis). */
export function microBenchmarkPixels(b: MicroBenchmark): number {
  const out = (i: number) => Math.floor((b.input[2 + i] + 2 * b.pads[i] - b.kernel[i]) / b.strides[i]) + 1;
  return out(0) * out(1);
}


/** Cycles of one convolution = perCall · calls + perInstruction · (int8 SIMD multiply-accumulate instructions). */
export interface KernelShape {
  readonly perCall: number;
  readonly perInstruction: number;
}

/**
 * SIMD instructions of one call: kh·kw·pad(cin)·pad(cout)/16 for a regular convolution (16 int8 lanes),
 * kh·kw·pad(c)/16 for a depthwise one.
 */
export function instructionsPerCall(kernelArea: number, cin: number, cout: number, depthwise: boolean, lanes: number): number {
  const pad = (c: number) => Math.ceil(c / lanes) * lanes;
  return depthwise ? (kernelArea * pad(cout)) / lanes : (kernelArea * pad(cin) * pad(cout)) / lanes;
}

/**
 * Least squares in relative error over the micro-benchmarks of one kind, both chips, in cycles per output pixel.
 * Depthwise has two published shapes, which cannot separate a per-call overhead from the per-instruction cost
 * (the unconstrained solution is negative): its per-call cost is held at 0.
 */
export function fitKernelShape(kind: MicroBenchmark['kind']): KernelShape {
  const rows: number[][] = [];
  const y: number[] = [];
  for (const b of MICRO_BENCHMARKS.filter((m) => m.kind === kind)) {
    const px = microBenchmarkPixels(b);
    const instr = instructionsPerCall(b.kernel[0] * b.kernel[1], b.input[1], b.cout, kind === 'depthwise', 16);
    const cyclesPerPixel = (b.us * CHIPS[b.chip].mhz) / px;
    rows.push(kind === 'depthwise' ? [instr / cyclesPerPixel] : [1 / cyclesPerPixel, instr / cyclesPerPixel]);
    y.push(1);
  }
  const coef = nnls(rows, y);
  return kind === 'depthwise' ? { perCall: 0, perInstruction: coef[0] } : { perCall: coef[0], perInstruction: coef[1] };
}

/** Median ANSI-C / SIMD time ratio of one chip's published convolutions of a kind (how much slower C kernels are). */
export function cKernelSlowdown(chip: MicroBenchmark['chip'], kind: MicroBenchmark['kind']): number {
  const r = MICRO_BENCHMARKS.filter((b) => b.chip === chip && b.kind === kind).map((b) => b.ansiCUs / b.us).sort((a, b) => a - b);
  const mid = r.length >> 1;
  return r.length % 2 ? r[mid] : (r[mid - 1] + r[mid]) / 2;
}
