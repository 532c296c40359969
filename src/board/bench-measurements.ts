/**
 * Board measurements (`bench.json`, src/board/bench-report.ts) as refinement data for the latency model: each
 * candidate measured `ok` on the target chip, with its median latency, the per-layer times when the firmware
 * profiled them, and the cost graph of the `.espdl` it ran.
 */
import { InputError } from '../errors.js';
import { benchReport, type BenchReport } from './bench-report.js';
import { parseContainer } from '../espdl/container.js';
import { readEspdlModel } from '../espdl/read.js';
import type { CostTarget } from '../cost/chips.js';
import { costGraphFromEspdl } from '../cost/cost-graph.js';
import type { Measurement } from '../cost/fit.js';
import type { Deployment } from '../cost/latency-model.js';

export function parseBenchJson(text: string, file: string): BenchReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: not JSON (${(err as Error).message})`);
  }
  const r = benchReport.safeParse(json);
  if (!r.success) throw new InputError(`${file}: not a bench.json (${r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return r.data;
}

/**
 * The usable measurements of a report. `espdlOf(file)` returns the bytes of a candidate's `.espdl` (the caller
 * reads it) or undefined when it is gone; such candidates are listed in `skipped`.
 */
export function benchMeasurements(report: BenchReport, file: string, target: CostTarget, deployment: Deployment, espdlOf: (candidateFile: string) => Uint8Array | undefined): { measurements: Measurement[]; skipped: string[] } {
  if (report.mode !== 'board') throw new InputError(`${file}: measured in ${report.mode}; only board latencies can refine the latency model`);
  if (report.chip !== target) throw new InputError(`${file}: measured on ${report.chip}, not ${target}`);
  const measurements: Measurement[] = [];
  const skipped: string[] = [];
  for (const c of report.candidates) {
    if (c.status !== 'ok' || !c.latency_us || !c.file) continue;
    const bytes = espdlOf(c.file);
    if (!bytes) {
      skipped.push(c.name);
      continue;
    }
    const model = readEspdlModel(parseContainer(bytes, c.file).models[0].payload, c.file);
    measurements.push({
      graph: costGraphFromEspdl(model), ms: c.latency_us.median / 1000, deployment,
      ...(c.layers.length > 0 ? { layers: c.layers.map((l) => ({ name: l.name, us: l.us })) } : {}),
    });
  }
  if (measurements.length === 0) throw new InputError(`${file}: no candidate measured ok with a readable .espdl${skipped.length ? ` (missing: ${skipped.join(', ')})` : ''}`);
  return { measurements, skipped };
}
