/**
 * The run facts: what the summary and the PR comment are rendered from besides the run folder (model, target,
 * direction, baseline, branch, PR, …), stored in the artifact as `espdl-autoquant.json` next to the run files,
 * so a `mode: report` job in a trusted `workflow_run` workflow can render and comment for a fork PR from the
 * artifact alone. Its content is untrusted there: it is parsed defensively and only ever shown.
 */
import { z } from 'zod';
import { SCORE_DIRECTIONS } from '../autoquant/settings.js';
import { InputError } from '../errors.js';

export const RUN_FACTS_FILE = 'espdl-autoquant.json';

const baselineSchema = z.object({
  bestScore: z.number(), direction: z.enum(SCORE_DIRECTIONS), bestIndex: z.number(),
  extras: z.record(z.string(), z.number()), branch: z.string(), sha: z.string(), runId: z.string(),
});

const schema = z.object({
  version: z.literal(1),
  workflow: z.string(),
  model: z.string(),
  target: z.string(),
  direction: z.enum(SCORE_DIRECTIONS),
  numOfCandidates: z.number().int().min(1),
  balanced: z.boolean(),
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
