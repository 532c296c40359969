import { describe, expect, it } from 'vitest';
import { calibrationPoint, fitCoverage } from '../../../src/cost/calibration.js';
import type { CostGraph, CostOp } from '../../../src/cost/cost-graph.js';
import { estimateGraph, targetConstants } from '../../../src/cost/estimate.js';
import { constantsFor, errorSummary, fitConstants, leaveOneOut, MIN_LAYERS_PER_CLASS, refineWithMeasurements } from '../../../src/cost/fit.js';
import { FIT_COVERAGE, FITTED, LEAVE_ONE_OUT } from '../../../src/cost/fitted.js';
import { cKernelSlowdown, fitKernelShape } from '../../../src/cost/kernel-priors.js';
import { DEFAULT_DEPLOYMENT, opTerms, predictLatency } from '../../../src/cost/latency-model.js';
import { zooBytes, zooEntries, zooPoints } from '../../helpers/zoo.js';

const points = zooPoints();
const psram = () => 'psram' as const;

describe('latency model fitted on ESP-DL\'s published model-zoo latencies', () => {
  it('uses 13 published figures (7 ESP32-P4, 6 ESP32-S3) with five constants, and ships a fresh fit of them', () => {
    expect(points.map((p) => p.target).filter((t) => t === 'esp32p4')).toHaveLength(7);
    expect(points.map((p) => p.target).filter((t) => t === 'esp32s3')).toHaveLength(6);
    const fit = fitConstants(points);
    expect(fit.alignedConv).toBeCloseTo(FITTED.alignedConv, 5);
    expect(fit.unalignedConv).toBeCloseTo(FITTED.unalignedConv, 5);
    expect(fit.elementCycles).toBeCloseTo(FITTED.elementCycles, 4);
    expect(fit.psramNsPerByte.esp32p4).toBeCloseTo(FITTED.psramNsPerByte.esp32p4, 4);
    expect(fit.psramNsPerByte.esp32s3).toBeCloseTo(FITTED.psramNsPerByte.esp32s3, 4);
    for (const v of [fit.alignedConv, fit.unalignedConv, fit.elementCycles, fit.psramNsPerByte.esp32p4, fit.psramNsPerByte.esp32s3]) expect(v).toBeGreaterThan(0);
    expect(fitCoverage(points)).toEqual(FIT_COVERAGE);
  });

  it('leave-one-out (each published model predicted by a fit without it): per chip median ≤ 15 %, max ≤ 35 %', () => {
    const loo = leaveOneOut(points);
    const lines: string[] = [];
    for (const chip of ['esp32p4', 'esp32s3'] as const) {
      const mine = loo.filter((p) => p.target === chip);
      const s = errorSummary(mine);
      lines.push(`${chip}: median ${(s.median * 100).toFixed(1)} %, max ${(s.max * 100).toFixed(1)} %  [${mine.map((p) => `${p.label} ${(p.error * 100).toFixed(0)}%`).join(', ')}]`);
      expect(s.median, chip).toBeLessThanOrEqual(0.15);
      expect(s.max, chip).toBeLessThanOrEqual(0.35);
    }
    console.log(`[latency-model] leave-one-out\n  ${lines.join('\n  ')}`);
    // The band the estimate prints comes from these same held-out errors.
    expect(loo.map((p) => [p.label, p.target, Number(p.error.toPrecision(6))])).toEqual(LEAVE_ONE_OUT.map((p) => [p.label, p.target, p.error]));
  });

  it('held out: YOLO11n at 320² (published, never fitted) from the 640² graph at half resolution, within 35 %', () => {
    // models/coco_detect/README.md @ 12c0616: yolo11n_320_s8 model latency S3 6161.8 ms, P4 550.1 ms (no zoo file
    // here). Same network at half the input: kernel calls, activation bytes and elements ÷ 4, filters unchanged.
    // The attention block is scaled the same way although two of its tensors grow with the token count squared;
    // it is 6 % of the 640² P4 estimate.
    const published = { esp32p4: 550.1, esp32s3: 6161.8 } as const;
    for (const p of points.filter((q) => q.label === 'coco_detect_yolo11n_s8_v1')) {
      const est = estimateGraph(atHalfResolution(p.graph), p.target, 0, { deployment: p.deployment }).latency_ms;
      const err = est / published[p.target] - 1;
      console.log(`[latency-model] held-out yolo11n 320² ${p.target}: ${est.toFixed(1)} ms vs ${published[p.target]} ms published (${(err * 100).toFixed(1)} %)`);
      expect(Math.abs(err)).toBeLessThanOrEqual(0.35);
    }
  });

  it('the estimate of a fitted model sits in its band, and the band comes from that chip\'s held-out errors', () => {
    const p = points.find((q) => q.target === 'esp32p4' && q.label.includes('mobilenetv2'))!;
    const e = estimateGraph(p.graph, 'esp32p4', 0);
    const errs = LEAVE_ONE_OUT.filter((q) => q.target === 'esp32p4').map((q) => q.error);
    expect(e.band_ms?.[0]).toBeCloseTo(e.latency_ms / (1 + Math.max(...errs)), 9);
    expect(e.band_ms?.[1]).toBeCloseTo(e.latency_ms / (1 + Math.min(...errs)), 9);
    expect(e.band_ms![0]).toBeLessThan(e.latency_ms);
    expect(e.band_ms![1]).toBeGreaterThan(e.latency_ms);
    expect(e.band_ms![0]).toBeLessThan(p.ms);
    expect(e.band_ms![1]).toBeGreaterThan(p.ms);
    expect(e.extrapolation).toEqual([]);
  });
});

/** The same network at half the input size (see the YOLO11n 320² check). */
function atHalfResolution(g: CostGraph): CostGraph {
  return {
    ...g,
    tensorBytes: new Map([...g.tensorBytes].map(([k, v]) => [k, v / 4])),
    ops: g.ops.map((o) => ({
      ...o, outElements: o.outElements / 4, inBytes: o.inBytes / 4, outBytes: o.outBytes / 4, macs: o.macs / 4,
      ...(o.conv ? { conv: { ...o.conv, calls: o.conv.calls / 4, filterBytes: o.conv.filterIsActivation ? o.conv.filterBytes / 4 : o.conv.filterBytes } } : {}),
    })),
  };
}

describe('cost graph of real zoo files', () => {
  it('MobileNetV2: 300.8 M MACs (Sandler et al. report 300 M), 17 depthwise convolutions, 6 unaligned (24 channels, the 3-channel stem, the 1000-class Gemm)', () => {
    const g = points.find((p) => p.label.includes('mobilenetv2'))!.graph;
    expect(g.ops.reduce((s, o) => s + o.macs, 0) / 1e6).toBeCloseTo(300.77, 1);
    expect(g.ops.filter((o) => o.cls === 'depthwise')).toHaveLength(17);
    expect(g.ops.filter((o) => o.conv && (o.conv.cin % 16 || o.conv.cout % 16)).map((o) => `${o.conv!.cin}->${o.conv!.cout}`))
      .toEqual(['3->32', '96->24', '24->144', '144->24', '24->144', '1280->1000']);
    expect(g.uncosted).toEqual([]);
  });

  it('takes kernels from the filter dims (OSNet\'s file has no kernel_shape): its stem is 7×7 stride 2', () => {
    const g = points.find((p) => p.label.includes('osn'))!.graph;
    const stem = g.ops.find((o) => o.conv)!;
    expect(stem.conv).toMatchObject({ kernel: [7, 7], strides: [2, 2], cin: 3, cout: 16, calls: 96 * 48 });
    expect(stem.cls).toBe('conv');
    expect(g.ops.filter((o) => o.cls === 'depthwise').every((o) => o.conv!.kernel.join() === '3,3')).toBe(true);
  });

  it('YOLO11n S3 (8 MB PSRAM board): parameters read from flash, as ESP-DL\'s coco_detect component deploys it', () => {
    const e = zooEntries().find((x) => x.chip === 'esp32s3' && x.file.includes('yolo11n'))!;
    expect(e.deployment?.params).toBe('flash');
    expect(calibrationPoint(e, zooBytes(e)).deployment).toEqual({ params: 'flash', maxInternalBytes: 0 });
  });
});

const conv = (over: Partial<NonNullable<CostOp['conv']>> & Partial<CostOp> = {}): CostOp => ({
  name: 'c', opType: 'Conv', cls: 'conv', unknown: false, bits: 8, macs: 0, outElements: 0, inBytes: 1000, outBytes: 500,
  inputs: ['x', 'w'], outputs: ['y'], ...over,
  conv: { calls: 100, kernel: [3, 3], strides: [1, 1], cin: 32, cout: 64, depthwise: false, filterBytes: 3 * 3 * 32 * 64, filterIsActivation: false, activation: 'Linear', ...over.conv },
});

describe('latency terms (the structure of ESP-DL\'s kernels)', () => {
  const shape = fitKernelShape('conv');

  it('a convolution costs perCall per output pixel plus perInstruction per 16-lane multiply-accumulate', () => {
    const t = opTerms(conv(), 'esp32s3', psram, DEFAULT_DEPLOYMENT);
    // 9 taps × 32 in × 64 out / 16 lanes = 1152 instructions per call.
    expect(t.alignedCycles).toBeCloseTo(100 * (shape.perCall + 1152 * shape.perInstruction), 6);
    expect(t.unalignedCycles).toBe(0);
    // Filter 18 KiB fits the 64 KiB L1 cache: read once.
    expect(t.psramBytes).toBe(1000 + 500 + 18432);
  });

  it('channels that do not divide 16 run the _unaligned kernel on channels padded to 16', () => {
    const t = opTerms(conv({ conv: { cin: 22, cout: 33 } as never }), 'esp32p4', psram, DEFAULT_DEPLOYMENT);
    expect(t.alignedCycles).toBe(0);
    // pad(22) = 32, pad(33) = 48: 9 × 32 × 48 / 16 = 864.
    expect(t.unalignedCycles).toBeCloseTo(100 * (shape.perCall + 864 * shape.perInstruction), 6);
  });

  it('a filter larger than the L1 cache is re-read from external memory by every call, less what the cache holds', () => {
    const W = 3 * 3 * 128 * 256;
    const t = opTerms(conv({ conv: { cin: 128, cout: 256, filterBytes: W } as never }), 'esp32s3', psram, DEFAULT_DEPLOYMENT);
    expect(t.psramBytes).toBe(1500 + W + 99 * (W - 64 * 1024));
    // Weights in flash (param_copy = false) on S3: QIO flash 40 MB/s vs octal PSRAM 160 MB/s, 4× per byte.
    const f = opTerms(conv({ conv: { cin: 128, cout: 256, filterBytes: W } as never }), 'esp32s3', psram, { params: 'flash', maxInternalBytes: 0 });
    expect(f.psramBytes).toBe(1500 + 4 * (W + 99 * (W - 64 * 1024)));
  });

  it('int16 runs 8 lanes: twice the instructions of int8 for aligned channels, and twice the bytes elsewhere', () => {
    const i8 = opTerms(conv(), 'esp32p4', psram, DEFAULT_DEPLOYMENT);
    const i16 = opTerms(conv({ bits: 16 }), 'esp32p4', psram, DEFAULT_DEPLOYMENT);
    expect(i16.alignedCycles - 100 * shape.perCall).toBeCloseTo(2 * (i8.alignedCycles - 100 * shape.perCall), 6);
    const add = (bits: number): CostOp => ({ name: 'a', opType: 'Add', cls: 'elementwise', unknown: false, bits, macs: 0, outElements: 64, inBytes: 0, outBytes: 0, inputs: [], outputs: ['y'] });
    expect(opTerms(add(16), 'esp32p4', psram, DEFAULT_DEPLOYMENT).elementUnits).toBe(2 * opTerms(add(8), 'esp32p4', psram, DEFAULT_DEPLOYMENT).elementUnits);
  });

  it('ESP32-P4 runs an aligned int8 convolution fused with LeakyReLU in C (no SIMD kernel in ESP-DL 3.3.9)', () => {
    const plain = opTerms(conv(), 'esp32p4', psram, DEFAULT_DEPLOYMENT).alignedCycles;
    const leaky = opTerms(conv({ conv: { activation: 'LeakyRelu' } as never }), 'esp32p4', psram, DEFAULT_DEPLOYMENT).alignedCycles;
    // Median ANSI-C/SIMD ratio of the four published P4 convolutions: (23.06 + 23.42) / 2 … as the table gives it.
    expect(leaky / plain).toBeGreaterThan(20);
    expect(opTerms(conv({ conv: { activation: 'LeakyRelu' } as never }), 'esp32s3', psram, DEFAULT_DEPLOYMENT).alignedCycles)
      .toBeCloseTo(opTerms(conv(), 'esp32s3', psram, DEFAULT_DEPLOYMENT).alignedCycles, 9);
  });

  it('tensors in internal RAM cost no external-memory time', () => {
    const t = opTerms(conv(), 'esp32s3', () => 'internal', { params: 'internal', maxInternalBytes: 1e9 });
    expect(t.psramBytes).toBe(0);
  });
});

describe('refinement with board measurements', () => {
  const g = points.find((p) => p.target === 'esp32s3' && p.label.includes('espdet'))!.graph;
  const base = targetConstants('esp32s3');
  const est = predictLatency(g, 'esp32s3', base, psram, DEFAULT_DEPLOYMENT).latency_ms;

  it('whole-model latencies: one least-squares scale over the measurements (as before)', () => {
    // Two measurements of the same graph at 2× and 4× its estimate e: s = (2e·e + 4e·e) / (e² + e²) = 3.
    const r = refineWithMeasurements('esp32s3', base, [{ graph: g, ms: 2 * est, deployment: DEFAULT_DEPLOYMENT }, { graph: g, ms: 4 * est, deployment: DEFAULT_DEPLOYMENT }]);
    expect(r.method).toBe('scale');
    expect(predictLatency(g, 'esp32s3', r.constants, psram, DEFAULT_DEPLOYMENT).latency_ms).toBeCloseTo(3 * est, 6);
    expect(() => refineWithMeasurements('esp32s3', base, [])).toThrow(/no usable measurement/);
  });

  it('per-layer timings: each op class with enough timed layers gets its own factor', () => {
    const perOp = g.ops.map((op) => ({ op, ms: predictLatency({ ...g, ops: [op] }, 'esp32s3', base, psram, DEFAULT_DEPLOYMENT).latency_ms }));
    // The board runs 1×1 convolutions at 2× the model's time and everything else as estimated; two of three
    // resize layers are timed (too few for a factor of their own).
    const layers = perOp.filter(({ op }) => op.cls !== 'resize' || op.name !== perOp.find((p) => p.op.cls === 'resize')?.op.name)
      .map(({ op, ms }) => ({ name: op.name, us: 1000 * ms * (op.cls === 'conv1x1' ? 2 : 1) }));
    const total = layers.reduce((s, l) => s + l.us / 1000, 0);
    const r = refineWithMeasurements('esp32s3', base, [{ graph: g, ms: total, deployment: DEFAULT_DEPLOYMENT, layers }]);
    expect(r.method).toBe('per-class');
    const s = total / est;
    expect(r.scaleByClass.conv1x1! * s).toBeCloseTo(2, 6);
    expect(r.scaleByClass.depthwise! * s).toBeCloseTo(1, 6);
    expect(g.ops.filter((o) => o.cls === 'resize').length).toBeLessThan(MIN_LAYERS_PER_CLASS + 1);
    expect(r.scaleByClass.resize).toBeUndefined();
  });
});

describe('targets', () => {
  it('esp32 is an uncalibrated extrapolation from S3 (C kernels, no PSRAM) and says so', () => {
    const g = points.find((p) => p.target === 'esp32s3' && p.label.includes('mobilenetv2'))!.graph;
    const e = estimateGraph(g, 'esp32', 0);
    expect(e.calibrated).toBe(false);
    expect(e.band_ms).toBeNull();
    expect(e.memory_bytes.psram).toBe(0);
    expect(e.warnings.join()).toMatch(/does not fit without PSRAM/);
    expect(e.extrapolation.join()).toMatch(/no published latency/);
    // Same clock as S3: its convolutions take S3's SIMD cycles times the published S3 C/SIMD median ratio.
    const s3 = estimateGraph(g, 'esp32s3', 0);
    const pw = (x: typeof e) => x.by_class.find((c) => c.cls === 'conv1x1')!.compute_ms;
    expect(pw(e) / pw(s3)).toBeCloseTo(cKernelSlowdown('esp32s3', 'conv'), 6);
    expect(constantsFor(FITTED, 'esp32s3')).toEqual(targetConstants('esp32'));
  });
});
