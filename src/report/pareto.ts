/** The Pareto front of a search's experiments: cost (estimated latency) against score. */
import type { ScoreDirection } from '../autoquant/settings.js';

export interface TradeOff { id: number; cost: number; score: number }

/**
 * Ids of the points no other point beats: none is at most as costly with a better score, or cheaper with a score
 * at least as good. Points with the same cost and score are all on the front when one is. Sorted by cost.
 */
export function paretoFront(points: readonly TradeOff[], direction: ScoreDirection): number[] {
  const better = (a: number, b: number): boolean => (direction === 'maximize' ? a > b : a < b);
  const sorted = [...points].sort((a, b) => a.cost - b.cost || (better(a.score, b.score) ? -1 : better(b.score, a.score) ? 1 : 0));
  const front: number[] = [];
  let best: TradeOff | undefined;
  for (const p of sorted) {
    // Sorted by cost, best score first within a cost: p is dominated exactly when an earlier point scores better,
    // or scores the same at a lower cost.
    if (best === undefined || better(p.score, best.score) || (p.score === best.score && p.cost === best.cost)) {
      front.push(p.id);
      if (best === undefined || better(p.score, best.score)) best = p;
    }
  }
  return front;
}
