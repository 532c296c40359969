/**
 * mode: merge — download every `<artifact-name>-shard-<i>-of-<n>` artifact of this workflow run, merge them
 * into one run folder (the merge-shards use case, src/app/merge-shards.ts), and publish that once (artifact
 * `<artifact-name>`, summary, comment, gate).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { ActionDeps } from './deps.js';
import type { ActionConfig } from './inputs.js';
import { mergeShards, type ShardFolder } from '../app/merge-shards.js';
import type { ActionOutcome } from './announce.js';
import { publish } from './publish.js';
import { parseRunFacts, RUN_FACTS_FILE, topkBalanceOfFacts } from './run-facts.js';
import type { RunContext } from './run-context.js';

const SHARD_RE = /-shard-(\d+)-of-(\d+)$/;

export async function mergeMode(cfg: ActionConfig, ctx: RunContext, deps: ActionDeps): Promise<ActionOutcome> {
  const prefix = `${cfg.artifactName}-shard-`;
  const refs = (await deps.artifacts.list()).filter((a) => a.name.startsWith(prefix) && SHARD_RE.test(a.name));
  if (refs.length === 0) throw new InputError(`mode merge: this run has no artifacts named '${prefix}<i>-of-<n>' (artifact-name '${cfg.artifactName}')`);
  const counts = new Set(refs.map((r) => SHARD_RE.exec(r.name)![2]));
  if (counts.size > 1) throw new InputError(`mode merge: shard artifacts disagree on the shard count (${[...counts].join(', ')})`);
  const total = Number([...counts][0]);
  if (refs.length < total) deps.log.warn(`mode merge: only ${refs.length} of ${total} shard artifacts exist; merging those.`);
  const root = mkdtempSync(path.join(deps.tempDir, 'espdl-autoquant-merge-'));
  const shards: ShardFolder[] = [];
  for (const ref of refs) {
    const dir = path.join(root, ref.name);
    await deps.artifacts.download(ref, dir);
    shards.push({ shard: Number(SHARD_RE.exec(ref.name)![1]), dir });
  }
  const facts = shards.map((s, i) => parseRunFacts(readFileSync(path.join(s.dir, RUN_FACTS_FILE), 'utf8'), `${refs[i]!.name}/${RUN_FACTS_FILE}`));
  const first = facts[0]!;
  const experimentsRun = facts.reduce((n, d) => n + d.experimentsRun, 0);
  const runDir = path.resolve(deps.workspace, cfg.runDir);
  const merged = await mergeShards(shards, runDir, {
    numOfCandidates: first.numOfCandidates, direction: first.direction, balance: topkBalanceOfFacts(first), label: cfg.runDir,
  });
  deps.log.info(`Merged ${shards.length} shard(s): ${merged.summary.length} experiments, ${merged.duplicates} duplicate(s) dropped.`);
  const mergedCfg: ActionConfig = { ...cfg, model: cfg.model ?? first.model };
  delete mergedCfg.shard;
  return publish({
    cfg: mergedCfg, ctx, deps, runDir,
    outcome: { experimentsRun, stopped: null, direction: first.direction, numOfCandidates: first.numOfCandidates, balance: topkBalanceOfFacts(first) },
  });
}
