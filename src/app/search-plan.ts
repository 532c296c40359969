/**
 * What a search would run, without loading the model (`search --dry-run`): every exhaustive experiment, or
 * fast mode's stage 1, with the candidate hashes a real run records, and the notes a user needs before
 * starting (training modules, the refinement that follows).
 */
import { strategyHash, strategyValues } from '../autoquant/hash.js';
import type { PyDict } from '../autoquant/py-value.js';
import { countShardExhaustive, iterExhaustive, iterFastStage1, type Shard } from '../autoquant/search.js';
import type { AutoQuantSettings, SearchMode } from '../autoquant/settings.js';
import { expandStrategies, type SampledParams, type Strategy } from '../autoquant/space.js';
import { TRAINING_MODULES } from '../autoquant/spaces.js';

/** One planned experiment: the hash a real run records, the strategy's switches and the sampled params. */
export interface PlannedCandidate { hash: string; strategy: PyDict; params: SampledParams }

export interface SearchPlan {
  mode: SearchMode;
  /** Strategies (switch combinations) in the space. */
  strategies: number;
  /** exhaustive: the experiments of the (shard of the) space; fast: undefined (stage 2 depends on the scores). */
  experimentCount?: number;
  /** In run order, generated lazily (a space can hold millions). */
  candidates: Iterable<PlannedCandidate>;
  /** Modules of the space that train each candidate block by block. */
  training: string[];
  /** Modules the best candidate is re-run with afterwards (refine_with; none in a shard). */
  refineWith: string[];
  refineMaxMinutes: number;
}

function* withHashes(list: Iterable<{ strategy: Strategy; params: SampledParams }>): Generator<PlannedCandidate> {
  for (const e of list) yield { hash: strategyHash(e.strategy, e.params), strategy: strategyValues(e.strategy), params: e.params };
}

export function planSearch(settings: AutoQuantSettings, shard?: Shard): SearchPlan {
  const strategies = expandStrategies(settings.strategy_space, settings.param_space);
  const exhaustive = settings.search_mode === 'exhaustive';
  const list = exhaustive ? iterExhaustive(strategies, shard) : iterFastStage1(strategies, settings.structural_knobs, shard);
  return {
    mode: settings.search_mode, strategies: strategies.length,
    ...(exhaustive ? { experimentCount: countShardExhaustive(strategies, shard) } : {}),
    candidates: withHashes(list),
    training: TRAINING_MODULES.filter((m) => settings.strategy_space[m]?.includes(true)),
    refineWith: shard ? [] : settings.refine_with.filter((m) => !settings.strategy_space[m]?.includes(true)),
    refineMaxMinutes: settings.refine_max_minutes,
  };
}
