/**
 * Merges the run folders of a sharded search (`--shard i/n`, the Action's `shard: i/n`) into one, as the
 * unsharded search would have written it: records back in unsharded order (unshardedPosition, the inverse of
 * the shards' round-robin split), de-duplicated by candidate hash, renumbered from 0, candidate folders copied
 * under their new numbers, and the Top-K rebuilt with the search's own rule (updateTopk, replayed in order).
 * All reads and writes go through RunStores, so summary.json and candidates.json are replaced atomically.
 */
import { InputError } from '../errors.js';
import { parsePyJson } from './py-json.js';
import type { TopkBalance } from './deployment-cost.js';
import { isPyDict, num } from './py-value.js';
import { BASELINE_GRAPHWISE_FILE, CANDIDATES, SUMMARY, dumpIndented, folderLabel, folderName, type RunStore } from './run-folder.js';
import { unshardedPosition } from './search.js';
import type { ScoreDirection } from './settings.js';
import { candidateFilterFor, updateTopk, type RunRecord } from './topk.js';

/** One shard's run folder; `shard` is the 0-based i of `i/n`. */
export interface ShardRun { shard: number; store: RunStore }

export interface MergeRunsOptions {
  /** K of the Top-K. */
  numOfCandidates: number;
  direction: ScoreDirection;
  /** The search's balanced Top-K rule (ESP-PPQ's low-latency balance by default); null = plain Top-K. */
  balance: TopkBalance | null;
}

export interface MergeResult {
  summary: RunRecord[];
  candidates: RunRecord[];
  /** Records dropped because another shard already had their hash. */
  duplicates: number;
}

interface Sourced { record: RunRecord; store: RunStore; position: number }

async function readSummary(store: RunStore): Promise<RunRecord[]> {
  const text = await store.readText(SUMMARY);
  if (text === undefined) throw new InputError(`Shard folder ${store.resolve('')} has no ${SUMMARY}: is it an espdl-autoquant artifact?`);
  const v = parsePyJson(text, store.resolve(SUMMARY));
  if (!Array.isArray(v) || !v.every(isPyDict)) throw new InputError(`${store.resolve(SUMMARY)} must be a JSON list of objects`);
  return v as RunRecord[];
}

const hasFolder = (s: Sourced): Promise<boolean> => s.store.hasDir(folderName(num(s.record.index)));

/** Every shard's summary records in unsharded order, without repeated hashes. */
async function collect(shards: readonly ShardRun[]): Promise<{ records: Sourced[]; duplicates: number }> {
  const count = Math.max(...shards.map((s) => s.shard)) + 1; // any n above every shard index gives the same order
  const all: Sourced[] = [];
  for (const { shard, store } of [...shards].sort((a, b) => a.shard - b.shard)) {
    (await readSummary(store)).forEach((record, local) => all.push({ record, store, position: unshardedPosition(local, { index: shard, count }) }));
  }
  all.sort((a, b) => a.position - b.position);
  const byHash = new Map<string, Sourced>();
  const records: Sourced[] = [];
  let duplicates = 0;
  for (const s of all) {
    const hash = typeof s.record.hash === 'string' ? s.record.hash : undefined;
    const seen = hash === undefined ? undefined : byHash.get(hash);
    if (!seen) {
      if (hash !== undefined) byHash.set(hash, s);
      records.push(s);
      continue;
    }
    duplicates++;
    // Keep the first position, but take the copy whose candidate folder was uploaded (a Top-K folder).
    if (!(await hasFolder(seen)) && (await hasFolder(s))) {
      seen.store = s.store;
      seen.record = s.record;
    }
  }
  return { records, duplicates };
}

/** Every shard quantized the same baseline: the first one's per-layer noise goes to the merged folder. */
async function keepBaselineGraphwise(shards: readonly ShardRun[], out: RunStore): Promise<void> {
  for (const { store } of [...shards].sort((a, b) => a.shard - b.shard)) {
    const text = await store.readText(BASELINE_GRAPHWISE_FILE);
    if (text !== undefined) return out.writeTextAtomic(BASELINE_GRAPHWISE_FILE, text);
  }
}

/** Merges `shards` into `out` (replacing its summary, candidates and the numbered folders it writes). */
export async function mergeRuns(shards: readonly ShardRun[], out: RunStore, opts: MergeRunsOptions): Promise<MergeResult> {
  if (shards.length === 0) throw new InputError('mode merge found no shard artifacts to merge (check artifact-name and that the shard jobs uploaded theirs)');
  const { records, duplicates } = await collect(shards);
  await out.ensureRoot();
  const filter = candidateFilterFor(opts.balance);
  const summary: RunRecord[] = [];
  let candidates: RunRecord[] = [];
  for (const [index, s] of records.entries()) {
    const name = folderName(index);
    if (await hasFolder(s)) await out.copyDirFrom(s.store, folderName(num(s.record.index)), name);
    else await out.removeDir(name);
    const { hash, ...rest } = s.record;
    const record: RunRecord = { ...rest, index, folder: folderLabel(out, index) };
    summary.push(hash === undefined ? record : { hash, ...record });
    candidates = updateTopk(candidates, record, opts.numOfCandidates, filter, opts.direction);
  }
  await out.writeTextAtomic(SUMMARY, dumpIndented(summary));
  await out.writeTextAtomic(CANDIDATES, dumpIndented(candidates));
  await keepBaselineGraphwise(shards, out);
  return { summary, candidates, duplicates };
}
