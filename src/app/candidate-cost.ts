/**
 * The latency model's estimate for every candidate of a search: a wrapper around the quantization engine that
 * reads each candidate's `.espdl` after it is written and attaches the estimated latency and memory of
 * src/cost's estimateCandidate (docs/latency.md) to its artifacts, which the search records under the
 * `espdl_autoquant` extras key. An estimate that cannot be made (a target the model does not know, an encrypted
 * file) leaves the candidate without one; it never fails the search.
 */
import path from 'node:path';
import type { DeploymentCost } from '../autoquant/deployment-cost.js';
import type { ExperimentRunner } from '../autoquant/runner.js';
import { costTargetOf, estimateCandidate } from '../cost/index.js';
import type { Logger } from '../log.js';
import { readInputFile } from '../node/files.js';

/** Estimated latency and memory of an `.espdl` on a quantization target; undefined where the model cannot tell. */
export function estimateDeploymentCost(espdl: Uint8Array, target: string): DeploymentCost | undefined {
  const e = estimateCandidate(espdl, target);
  if (!e) return undefined;
  return {
    target: e.target,
    estimated: {
      latency_ms: e.latency_ms, latency_band_ms: e.band_ms ? [e.band_ms[0], e.band_ms[1]] : null, ram_bytes: e.ram_bytes,
      memory_bytes: { ...e.memory_bytes }, calibrated: e.calibrated,
    },
  };
}

/** `runner` with each candidate's estimate attached (`art.cost`). */
export function withCostEstimates(runner: ExperimentRunner, target: string, logger: Logger): ExperimentRunner {
  if (!costTargetOf(target)) {
    logger.info(`The latency model has no figures for target ${target}: candidates are recorded without estimated latency.`);
    return runner;
  }
  // Object.create keeps every other member of the runner (own or inherited) as it is.
  const wrapped: ExperimentRunner = Object.create(runner) as ExperimentRunner;
  let warned = false;
  wrapped.run = async (req, signal) => {
    const art = await runner.run(req, signal);
    const espdl = art.files.find((f) => f.endsWith('.espdl'));
    if (!espdl || art.cost) return art;
    const file = path.join(req.candidateDir, espdl);
    try {
      const cost = estimateDeploymentCost(await readInputFile(file, file), target);
      return cost ? { ...art, cost } : art;
    } catch (err) {
      // Once per search: an encrypted model or an unknown op fails every candidate alike.
      const message = `No latency estimate for ${file}: ${(err as Error).message}`;
      if (warned) logger.debug(message);
      else logger.warn(message);
      warned = true;
      return art;
    }
  };
  return wrapped;
}
