/**
 * The merge-shards use case: the downloaded run folders of `shard: i/n` jobs → one run folder, as the
 * unsharded search would have written it (src/autoquant/merge-runs.ts, through the atomic file RunStore).
 * The Action's mode merge calls it after downloading the shard artifacts.
 */
import { mergeRuns, type MergeResult, type MergeRunsOptions } from '../autoquant/merge-runs.js';
import { fsRunStore } from '../node/run-folder.js';

export type { MergeResult };

/** One shard's downloaded run folder. `shard` is the 0-based i of the `shard: i/n` input. */
export interface ShardFolder { shard: number; dir: string }

export interface MergeOptions extends MergeRunsOptions {
  /** The merged run folder's label for records' `folder` (the run-dir input as the user wrote it). */
  label: string;
}

/** Merges `shards` into `outDir` (absolute; its summary, candidates and the numbered folders it writes are replaced). */
export async function mergeShards(shards: readonly ShardFolder[], outDir: string, opts: MergeOptions): Promise<MergeResult> {
  const { label, ...rule } = opts;
  return mergeRuns(shards.map((s) => ({ shard: s.shard, store: fsRunStore(s.dir) })), fsRunStore(outDir, undefined, label), rule);
}
