/**
 * The real ExperimentRunner: quantizes each candidate of a search with the pipeline and writes its files.
 * Work that does not depend on the candidate (loading, simplifying, the baseline layer-wise error) is done once.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ExperimentArtifacts, ExperimentRequest, ExperimentRunner } from '../autoquant/runner.js';
import type { DataSource } from '../data/source.js';
import type { InferenceRuntime } from '../exec/runtime.js';
import { InputError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { consumerMap } from '../ir/edit.js';
import type { Logger } from '../log.js';
import { graphwiseError, layerwiseError } from '../quant/analysis.js';
import { QuantMemo } from '../quant/memo.js';
import { defaultQuantOptions } from '../quant/options.js';
import { quantizeGraph } from '../quant/quantize.js';
import { estimateTrainingSeconds } from '../quant/training/estimate.js';
import { onnxOpWork } from '../cost/cost-graph.js';
import { activationBytesPerSample, batchLength, loadBatchSession } from '../exec/batches.js';
import { ensureShapes } from '../exec/infer-shapes.js';
import type { Target } from '../quant/types.js';
import type { ExportFileOptions } from './export-files.js';
import { modelInputs } from './open-inputs.js';
import { quantizeToFiles } from './quantize-files.js';
import { packageVersion } from './package-info.js';
import { baselineFingerprint } from '../quant/baseline-fingerprint.js';

export interface RunnerSetup {
  /** Prepared (simplified) model. */
  model: Model;
  data: DataSource;
  runtime: InferenceRuntime;
  target: Target;
  batchSize: number;
  calibSteps: number;
  logger: Logger;
  /** File name of the candidate model inside its folder (ESP-PPQ: basename of espdl_export_file). */
  espdlName?: string;
  export?: ExportFileOptions;
}

export function experimentRunner(setup: RunnerSetup): ExperimentRunner {
  const inputs = modelInputs(setup.model);
  const cons = consumerMap(setup.model.graph.nodes);
  const nodeNames = new Set(setup.model.graph.nodes.map((n) => n.name));
  const espdlName = setup.espdlName ?? 'model.espdl';
  // Candidates share calibration statistics, pass results and the float reference (quant/memo.ts).
  const memo = new QuantMemo();
  let fingerprint: Promise<string> | undefined;
  const analysis = (signal: AbortSignal) => ({ runtime: setup.runtime, data: setup.data, batchSize: setup.batchSize, signal });
  const baselineGraph = async (signal: AbortSignal) => {
    const opts = { ...defaultQuantOptions(setup.target, 8), calibSteps: setup.calibSteps };
    return (await quantizeGraph(setup.model, opts, { runtime: setup.runtime, data: setup.data, batchSize: setup.batchSize, logger: setup.logger, signal, memo })).graph;
  };
  return {
    inputShape: inputs[0] ? inputs[0].dims.slice(1) : [],
    calibSteps: setup.calibSteps,
    async baselineLayerwise(signal) {
      return Object.fromEntries(await layerwiseError(await baselineGraph(signal), analysis(signal)));
    },
    baselineFingerprint(signal) {
      // Taken once, before any candidate adds traced shapes to the model.
      fingerprint ??= baselineFingerprint(setup.model, setup.data, {
        target: setup.target, batchSize: setup.batchSize, calibSteps: setup.calibSteps, tool: `espdl-autoquant ${packageVersion()}`,
      }, signal);
      return fingerprint;
    },
    async baselineGraphwise(signal) {
      // The graph-wise probes need static shapes, as for every candidate (quantizeOnnx does the same).
      await ensureShapes(setup.model, setup.runtime);
      return Object.fromEntries(await graphwiseError(await baselineGraph(signal), analysis(signal)));
    },
    successorsOf(nodeName) {
      const node = setup.model.graph.nodes.find((n) => n.name === nodeName);
      if (!node || !nodeNames.has(nodeName)) throw new InputError(`Node not found in the simplified model: ${nodeName}`);
      return [...new Set(node.outputs.flatMap((o) => (cons.get(o) ?? []).map((n) => n.name)))];
    },
    estimateTrainingSeconds(steps) {
      return estimateTrainingSeconds(onnxOpWork(setup.model.graph), steps, setup.batchSize);
    },
    close: () => memo.release(),
    async run(req: ExperimentRequest, signal: AbortSignal): Promise<ExperimentArtifacts> {
      const espdlPath = path.join(req.candidateDir, espdlName);
      const r = await quantizeToFiles({
        // req.quant already carries the search's calib_steps (auto-quantize.ts runOne, as ESP-PPQ's quant_model does).
        model: setup.model, data: setup.data, options: req.quant, runtime: setup.runtime, espdlPath,
        batchSize: setup.batchSize, logger: setup.logger, signal, analysis: { graphwise: true }, memo,
        ...(setup.export ? { export: setup.export } : {}),
      });
      const files = [r.files.espdl, r.files.info, r.files.json, r.files.qdqOnnx].filter((f): f is string => !!f).map((f) => path.basename(f));
      const qdq = r.qdqModel;
      const outputs = qdq.graph.outputs.map((o) => o.name);
      // Runs a whole batch [N, ...] per call (one session; several samples per runtime call when the model allows).
      const run = async (feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> => {
        const session = await loadBatchSession(setup.runtime, qdq, { workingSetPerSample: activationBytesPerSample(setup.model.graph) });
        try {
          const n = batchLength(feeds);
          const out = await session.run(feeds, outputs);
          return Object.fromEntries([...out].map(([k, v]) => [k, { dtype: 'float32' as const, dims: [n, ...v.sampleDims.slice(1)], data: v.data }]));
        } finally {
          await session.release();
        }
      };
      return {
        files,
        ...(r.graphwise ? { graphwise: Object.fromEntries(r.graphwise) } : {}),
        ...(r.files.espdl ? { modelBytes: (await stat(r.files.espdl)).size } : {}),
        run,
      };
    },
  };
}
