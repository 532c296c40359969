/**
 * Merges the run folders of `shard: i/n` jobs into one run folder: records interleaved back into the
 * unsharded experiment order (shards take experiment positions round-robin: position = local index × n +
 * shard), de-duplicated by candidate hash, renumbered from 0, candidate folders copied under their new
 * numbers, and Top-K recomputed with the search's own Top-K rule (autoquant/topk.ts), replayed in order as
 * the unsharded search would have built it.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { parsePyJson } from '../autoquant/py-json.js';
import { isPyDict, num } from '../autoquant/py-value.js';
import { dumpIndented, folderName, SUMMARY, CANDIDATES } from '../autoquant/run-folder.js';
import { lowLatencyCandidateFilter, updateTopk, type RunRecord } from '../autoquant/topk.js';
import type { ScoreDirection } from '../autoquant/settings.js';

/** One shard's downloaded run folder. `shard` is the 0-based i of the `shard: i/n` input. */
export interface ShardFolder { shard: number; dir: string }

export interface MergeOptions {
  /** K of the Top-K. */
  numOfCandidates: number;
  direction: ScoreDirection;
  /** true = ESP-PPQ's low-latency balanced Top-K (the default setting); false = plain Top-K. */
  balanced: boolean;
  /** The merged run folder's label for records' `folder` (the run-dir input as the user wrote it). */
  label: string;
}

export interface MergeResult {
  summary: RunRecord[];
  candidates: RunRecord[];
  /** Records dropped because another shard already had their hash. */
  duplicates: number;
}

interface Sourced { record: RunRecord; dir: string; shard: number; local: number }

function readList(dir: string, name: string): RunRecord[] {
  const file = path.join(dir, name);
  if (!existsSync(file)) throw new InputError(`Shard folder ${dir} has no ${name}: is it an espdl-autoquant artifact?`);
  const v = parsePyJson(readFileSync(file, 'utf8'), file);
  if (!Array.isArray(v) || !v.every(isPyDict)) throw new InputError(`${file} must be a JSON list of objects`);
  return v as RunRecord[];
}

const folderOf = (s: Sourced): string => path.join(s.dir, folderName(num(s.record.index)));

/** Interleaves all shards' summary records into unsharded order and drops repeated hashes. */
function collect(shards: readonly ShardFolder[]): { records: Sourced[]; duplicates: number } {
  const all: Sourced[] = [];
  for (const { shard, dir } of shards) {
    readList(dir, SUMMARY).forEach((record, local) => all.push({ record, dir, shard, local }));
  }
  all.sort((a, b) => a.local - b.local || a.shard - b.shard);
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
    if (!existsSync(folderOf(seen)) && existsSync(folderOf(s))) {
      seen.dir = s.dir;
      seen.record = s.record;
    }
  }
  return { records, duplicates };
}

/** Merges `shards` into `outDir` (replacing its summary/candidates and numbered folders). */
export function mergeShards(shards: readonly ShardFolder[], outDir: string, opts: MergeOptions): MergeResult {
  if (shards.length === 0) throw new InputError('mode merge found no shard artifacts to merge (check artifact-name and that the shard jobs uploaded theirs)');
  const { records, duplicates } = collect([...shards].sort((a, b) => a.shard - b.shard));
  mkdirSync(outDir, { recursive: true });
  const filter = opts.balanced ? lowLatencyCandidateFilter : null;
  const summary: RunRecord[] = [];
  let candidates: RunRecord[] = [];
  records.forEach((s, index) => {
    const name = folderName(index);
    const src = folderOf(s);
    const dst = path.join(outDir, name);
    rmSync(dst, { recursive: true, force: true });
    if (existsSync(src)) cpSync(src, dst, { recursive: true });
    const folder = opts.label === '' ? name : `${opts.label.replace(/\/+$/, '')}/${name}`;
    const { hash, ...rest } = s.record;
    const record: RunRecord = { ...rest, index, folder };
    summary.push(hash === undefined ? record : { hash, ...record });
    candidates = updateTopk(candidates, record, opts.numOfCandidates, filter, opts.direction);
  });
  writeFileSync(path.join(outDir, SUMMARY), dumpIndented(summary));
  writeFileSync(path.join(outDir, CANDIDATES), dumpIndented(candidates));
  return { summary, candidates, duplicates };
}
