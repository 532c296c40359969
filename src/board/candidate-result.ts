/** Turns the firmware's records for one model into a `bench.json` candidate entry. */
import type { CandidateResult } from './bench-report.js';
import type { BenchRecord } from './protocol-records.js';
import { sampleStats } from './stats.js';

/** What the bench knows about a candidate before it runs. */
export interface CandidateInfo {
  readonly name: string;
  readonly file: string | null;
  /**
   * Whether the `.espdl` embeds test values (Graph.test_inputs_value). When false, the firmware's
   * Model::test() result is meaningless and the result says `none`; undefined = unknown (encrypted file).
   */
  readonly hasTestValues?: boolean;
}

/** A result with nothing measured (skipped, crashed before records, …). */
export function emptyResult(info: CandidateInfo, status: CandidateResult['status'], reason: string | null): CandidateResult {
  return {
    name: info.name, file: info.file, status, reason, board: null, attempts: 0, test: null,
    model_bytes: null, latency_us: null, icount: null, memory_bytes: null, layers: [],
  };
}

/**
 * Folds the records of model `index` into a result. Status: `error` when the firmware reported an error
 * record or no latency, `test-failed` when `Model::test()` failed (latency is still kept), else `ok`.
 */
export function resultFromRecords(info: CandidateInfo, records: readonly BenchRecord[], index = 0): CandidateResult {
  const out = emptyResult(info, 'ok', null);
  for (const r of records) {
    if (r.type === 'hello' || r.type === 'done' || r.type === 'run') continue;
    if (r.index !== undefined && r.index !== index) continue;
    switch (r.type) {
      case 'model': out.model_bytes = r.bytes; break;
      case 'memory': out.memory_bytes = { internal: r.internal ?? null, psram: r.psram ?? null, flash: r.flash ?? null }; break;
      case 'test': out.test = info.hasTestValues === false ? 'none' : r.result; break;
      case 'latency': out.latency_us = { warmup: r.warmup, runs: [...r.runs_us], ...sampleStats(r.runs_us) }; break;
      case 'layer': out.layers.push({ name: r.name, op: r.op, us: r.us }); break;
      case 'error':
        out.status = 'error';
        out.reason = `firmware error ${r.code}: ${r.message}`;
        break;
    }
  }
  if (out.status === 'ok' && out.latency_us === null) {
    out.status = 'error';
    out.reason = 'the firmware finished without a latency record';
  }
  if (out.status === 'ok' && out.test === 'fail') {
    out.status = 'test-failed';
    out.reason = 'Model::test() reported a mismatch on the device';
  }
  return out;
}
