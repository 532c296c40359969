/**
 * (i) A symbolic, unknown or -1 first dim of a graph input/output becomes 1 (ESP-DL runs batch 1). The same
 * symbol is replaced wherever it appears in value info, so shape subgraphs over it can fold.
 */
import type { Dim, Graph, ValueInfo } from '../../ir/graph.js';
import type { Logger } from '../../log.js';

export function fixBatchTo1(g: Graph, log: Logger): void {
  const symbols = new Set<string>();
  const fix = (v: ValueInfo) => {
    const d = v.shape?.[0];
    if (!v.shape || v.shape.length === 0 || (typeof d === 'number' && d >= 0)) return;
    if (typeof d === 'string') symbols.add(d);
    log.info(`${v.name}: batch dim ${d === null ? '?' : d} fixed to 1`);
    v.shape = [1, ...v.shape.slice(1)];
  };
  g.inputs.forEach(fix);
  g.outputs.forEach(fix);
  if (symbols.size === 0) return;
  const sub = (shape: Dim[] | undefined) => shape?.map((d) => (typeof d === 'string' && symbols.has(d) ? 1 : d));
  for (const v of [...g.outputs, ...g.valueInfo.values()]) v.shape = sub(v.shape);
}
