/**
 * Work a search shares between its candidates. Candidates differ in a few settings, so many of them reach the
 * same state before an expensive step: the same pre-calibration graph with another calibration method, the same
 * calibrated graph before bias correction with another alignment, the same float model for graph-wise analysis.
 * A QuantMemo remembers, by content (ir/fingerprint.ts), what such a step did, and replays it:
 * - a pass's effect on the QuantizedGraph (new parameters, exponents and states), keyed by the whole graph state
 *   before the pass, the pass's options and the data it reads;
 * - the per-value extremes of a calibration model (pass 1 of minmax, kl and mse), keyed by that model;
 * - the float reference of graph-wise analysis, keyed by the float model, and graph-wise results, keyed by both;
 * - the runtime sessions of graph-wise analysis, keyed by the simulation model without its activation scales.
 * A replay gives the same numbers as running the step: everything the step reads is in its key. One memo serves
 * one data source (the search's calibration data), checked on use.
 */
import type { DataSource } from '../data/source.js';
import type { BatchSession } from '../exec/batches.js';
import { InternalError } from '../errors.js';
import { modelDigest, tensorDigest } from '../ir/fingerprint.js';
import type { Tensor } from '../ir/tensor.js';
import type { QuantizedGraph, QuantState, TensorQuantConfig } from './types.js';

/** A Map that keeps its `capacity` most recently used entries (`evicted` is told of the others). */
class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly capacity: number, private readonly evicted?: (value: V) => void) {}

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) { this.map.delete(key); this.map.set(key, v); }
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const [oldest, old] = this.map.entries().next().value as [K, V];
      this.map.delete(oldest);
      this.evicted?.(old);
    }
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  /** Empties the map, returning what it held. */
  clear(): V[] {
    const values = [...this.map.values()];
    this.map.clear();
    return values;
  }
}

interface ConfigState { exponent: TensorQuantConfig['exponent']; state: QuantState; dominator: number }

const stateOf = (c: TensorQuantConfig): ConfigState =>
  ({ exponent: Array.isArray(c.exponent) ? [...c.exponent] : c.exponent, state: c.state, dominator: c.dominator.id });

const sameState = (a: ConfigState, b: ConfigState): boolean =>
  a.state === b.state && a.dominator === b.dominator && JSON.stringify(a.exponent ?? null) === JSON.stringify(b.exponent ?? null);

/** What a pass changed in a QuantizedGraph. */
export interface GraphEffect {
  /** Initializers set (by name) and removed. */
  readonly params: ReadonlyMap<string, Tensor>;
  readonly removed: readonly string[];
  /** Config id → its exponent, state and dominator (by id) after the pass (changed configs only). */
  readonly configs: ReadonlyMap<number, ConfigState>;
}

/** One analysis batch of the float reference: per fetched value, its samples. */
export interface ReferenceBatch {
  readonly samples: number;
  readonly values: ReadonlyMap<string, Float32Array>;
}

export class QuantMemo {
  /** Pass effects are small except after training (all of a model's weights): a few are kept. */
  readonly effects = new Lru<string, GraphEffect>(64);
  /** `<calibration model digest>|<value>` → [min, max] over the calibration batches. */
  readonly ranges = new Map<string, readonly [number, number]>();
  /** Float references hold gathered samples of every measured op: the two most recent are kept. */
  readonly references = new Lru<string, ReferenceBatch[]>(2);
  readonly graphwise = new Lru<string, ReadonlyMap<string, number>>(256);
  /**
   * Graph-wise simulation sessions by model (activation scales fed as inputs, sim-model.ts feedQuantParams): the
   * candidates of a search that differ only in calibration share one, warm after its first runs. Two are kept
   * (a session holds the model's parameters and its runtime's buffers); release() frees them.
   */
  readonly simSessions = new Lru<string, Promise<BatchSession>>(2, (s) => { void s.then((x) => x.release(), () => undefined); });
  private source: DataSource | undefined;

  /** Releases the sessions the memo holds (the memo stays usable). */
  async release(): Promise<void> {
    for (const s of this.simSessions.clear()) await (await s.catch(() => undefined))?.release();
  }

  /** Binds the memo to the data it describes; a memo cannot serve two data sources. */
  checkData(data: DataSource): void {
    this.source ??= data;
    if (this.source !== data) throw new InternalError('a QuantMemo was used with a second data source');
  }
}

function configs(qg: QuantizedGraph): TensorQuantConfig[] {
  const out = new Set<TensorQuantConfig>();
  for (const op of qg.ops.values()) for (const c of [...op.inputs, ...op.outputs]) if (c) out.add(c);
  return [...out];
}

/**
 * The digest of everything a pass can read in a QuantizedGraph: the model (nodes, parameters), every op's
 * platform and configs (settings, state, exponent, dominator), the float nodes and the stored float parameters.
 */
export function graphStateDigest(qg: QuantizedGraph): string {
  const parts: string[] = [modelDigest(qg.model), qg.target, String(qg.bits), qg.fp32Nodes.join(',')];
  for (const [name, op] of qg.ops) {
    parts.push(`${name}:${op.platform}:${op.inputs.length}:${op.outputs.length}`);
    for (const c of [...op.inputs, undefined, ...op.outputs]) {
      if (c === undefined) { parts.push('-'); continue; }
      parts.push(`${c.id}/${c.value}/${c.bits}/${c.qmin}/${c.qmax}/${c.perChannel}/${c.channelAxis}/${c.rounding}/${c.state}/${c.observer}/${c.klBins}/${c.dominator.id}/${JSON.stringify(c.exponent ?? null)}/${c.isParameter}`);
    }
  }
  if (qg.storedParams) for (const [name, t] of qg.storedParams) parts.push(`${name}=${tensorDigest(t)}`);
  return parts.join('\n');
}

function snapshot(qg: QuantizedGraph) {
  return {
    params: new Map(qg.model.graph.initializers),
    configs: new Map(configs(qg).map((c) => [c.id, stateOf(c)])),
  };
}

function effectSince(qg: QuantizedGraph, before: ReturnType<typeof snapshot>): GraphEffect {
  const params = new Map<string, Tensor>();
  for (const [name, t] of qg.model.graph.initializers) if (before.params.get(name) !== t) params.set(name, t);
  const removed = [...before.params.keys()].filter((name) => !qg.model.graph.initializers.has(name));
  const changed = new Map<number, ConfigState>();
  for (const c of configs(qg)) {
    const b = before.configs.get(c.id);
    const now = stateOf(c);
    if (!b || !sameState(b, now)) changed.set(c.id, now);
  }
  return { params, removed, configs: changed };
}

function apply(qg: QuantizedGraph, effect: GraphEffect): void {
  const inits = qg.model.graph.initializers;
  for (const name of effect.removed) inits.delete(name);
  for (const [name, t] of effect.params) inits.set(name, t);
  const byId = new Map(configs(qg).map((c) => [c.id, c]));
  for (const [id, { exponent, state, dominator }] of effect.configs) {
    const c = byId.get(id);
    const d = byId.get(dominator);
    if (!c || !d) throw new InternalError(`memo: config ${id} is not in the graph the effect was recorded on`);
    c.exponent = Array.isArray(exponent) ? [...exponent] : exponent;
    c.state = state;
    c.dominator = d;
  }
}

/**
 * Runs `run` on `qg`, or replays what it did the last time it ran on a graph in the same state with the same
 * `key` (the pass, its options and whatever else it reads besides the graph). Without a memo it just runs.
 */
export async function memoized(memo: QuantMemo | undefined, qg: QuantizedGraph, key: string, run: () => Promise<unknown> | unknown): Promise<void> {
  if (!memo) { await run(); return; }
  const full = `${key}\n${graphStateDigest(qg)}`;
  const known = memo.effects.get(full);
  if (known) { apply(qg, known); return; }
  const before = snapshot(qg);
  await run();
  memo.effects.set(full, effectSince(qg, before));
}
