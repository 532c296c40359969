/**
 * The run facts: what the summary and the PR comment are rendered from besides the run folder (model, target,
 * direction, baseline, branch, PR, …), stored in the artifact as `espdl-autoquant.json` next to the run files,
 * so a `mode: report` job in a trusted `workflow_run` workflow can render and comment for a fork PR from the
 * artifact alone. Its content is untrusted there: it is parsed defensively and only ever shown.
 */
import { z } from 'zod';
import { DEFAULT_LATENCY_TOLERANCE, DEPLOYMENT_COST_RULES, type TopkBalance } from '../autoquant/deployment-cost.js';
import { SCORE_DIRECTIONS } from '../autoquant/settings.js';
import { InputError } from '../errors.js';

export const RUN_FACTS_FILE = 'espdl-autoquant.json';

const baselineSchema = z.object({
  bestScore: z.number(), direction: z.enum(SCORE_DIRECTIONS), bestIndex: z.number(),
  extras: z.record(z.string(), z.number()), branch: z.string(), sha: z.string(), runId: z.string(),
  estLatencyMs: z.number().min(0).optional(), estRamBytes: z.number().min(0).optional(),
});

const schema = z.object({
  version: z.literal(1),
  workflow: z.string(),
  model: z.string(),
  target: z.string(),
  direction: z.enum(SCORE_DIRECTIONS),
  numOfCandidates: z.number().int().min(1),
  balanced: z.boolean(),
  /** The balanced Top-K's cost rule (absent in artifacts of earlier versions: ESP-PPQ's flags). */
  deploymentCost: z.enum(DEPLOYMENT_COST_RULES).optional(),
  latencyTolerance: z.number().min(0).optional(),
  /** New experiments of the run that produced the artifact (for merge: summed over shards is not known; 0). */
  experimentsRun: z.number().int().min(0),
  stopped: z.string().nullable(),
  shard: z.object({ index: z.number().int(), count: z.number().int() }).optional(),
  baseline: baselineSchema.optional(),
  prNumber: z.number().int().positive().optional(),
  branch: z.string(),
  baselineBranch: z.string(),
  sha: z.string(),
  runId: z.string(),
});

export type RunFacts = z.infer<typeof schema>;

/** Parses the artifact's run facts; errors name the file. */
export function parseRunFacts(text: string, file: string): RunFacts {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file} is not JSON (${(err as Error).message}): was the artifact made by espdl-autoquant?`, { cause: err });
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new InputError(`${file} is not espdl-autoquant report data: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** The run facts' balanced Top-K rule (what the merge of shards replays). */
export function topkBalanceOfFacts(f: Pick<RunFacts, 'balanced' | 'deploymentCost' | 'latencyTolerance'>): TopkBalance | null {
  return f.balanced ? { cost: f.deploymentCost ?? 'flags', latencyTolerance: f.latencyTolerance ?? DEFAULT_LATENCY_TOLERANCE } : null;
}

/** The run facts' fields for a balanced Top-K rule. */
export function factsOfTopkBalance(b: TopkBalance | null): Pick<RunFacts, 'balanced' | 'deploymentCost' | 'latencyTolerance'> {
  return b === null ? { balanced: false } : { balanced: true, deploymentCost: b.cost, latencyTolerance: b.latencyTolerance };
}
