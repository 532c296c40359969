/**
 * The seam between the Action and the AutoQuant search: the Action decides WHERE (run folder, resume, shard,
 * budget, cancellation) and the search decides WHAT. The real implementation (real-search.ts) builds the
 * settings, runner and evaluator like the CLI's `search` command; tests inject a deterministic one.
 */
import type { Logger } from '../log.js';
import type { ActionConfig, ScoreDirection } from './inputs.js';

export interface SearchRequest {
  config: ActionConfig;
  /** Absolute run folder (restored from the cache when `resume`). */
  runDir: string;
  /** The workspace paths in `config` are relative to. */
  workspace: string;
  /** Continue the run folder (skip experiments whose hash is in summary.json). */
  resume: boolean;
  /** 0-based shard (`shard: i/n` input). */
  shard?: { index: number; count: number };
  /** Aborted on cancellation (SIGINT/SIGTERM from the runner): stop cleanly, leave a resumable folder. */
  signal: AbortSignal;
  logger: Logger;
}

export interface SearchOutcome {
  /** Experiments run by this call (not counting resumed ones). */
  experimentsRun: number;
  /** Why the search ended early; null when the space (or shard) was covered. */
  stopped: 'max-experiments' | 'time-budget' | 'aborted' | null;
  /** The effective score direction (the default evaluator forces minimize). */
  direction: ScoreDirection;
  /** K of the Top-K. */
  numOfCandidates: number;
  /** true when Top-K is ESP-PPQ's low-latency balanced selection. */
  balanced: boolean;
}

export type SearchFn = (req: SearchRequest) => Promise<SearchOutcome>;
