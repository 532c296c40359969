/**
 * A bench.json result as the run folder records it beside the latency model's estimate (extras key
 * `espdl_autoquant`, src/autoquant/deployment-cost.ts): a board's median latency and memory; for QEMU the
 * instruction count and the on-device test, never a latency (an emulator's clock is not a chip's, docs/esp-dl.md §4.3).
 */
import type { MeasuredCost } from '../autoquant/deployment-cost.js';
import type { BenchReport, CandidateResult } from './bench-report.js';

/** One candidate's measurement. */
export function measuredCost(report: Pick<BenchReport, 'mode' | 'chip'>, c: CandidateResult): MeasuredCost {
  const out: MeasuredCost = { source: report.mode, chip: report.chip, status: c.status, test: c.test };
  if (report.mode === 'board' && c.latency_us) out.latency_ms = c.latency_us.median / 1000;
  if (report.mode === 'qemu' && c.icount) out.instructions = c.icount.median;
  const m = c.memory_bytes;
  if (m) {
    out.memory_bytes = { internal: m.internal, psram: m.psram, flash: m.flash };
    if (m.internal !== null || m.psram !== null) out.ram_bytes = (m.internal ?? 0) + (m.psram ?? 0);
  }
  return out;
}

/** The measurements of a report's run-folder candidates (named NNNN), by experiment index. */
export function measurementsByIndex(report: BenchReport): Map<number, MeasuredCost> {
  return new Map(report.candidates.filter((c) => /^\d{4,}$/.test(c.name)).map((c) => [Number(c.name), measuredCost(report, c)]));
}
