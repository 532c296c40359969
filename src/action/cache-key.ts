/**
 * Cache keys for resuming a search through the Actions cache (docs/github-actions.md §3.2 resume pattern):
 * `<prefix>-<scope>-<fingerprint>-<run id>-<attempt>` saved once per run (entries are immutable), restored by
 * the prefix without the run id, so a re-run and the next push resume the newest state of the same inputs.
 * The fingerprint hashes everything that changes results: model bytes, calibration data, settings file,
 * evaluator, search inputs, target and tool version. The time budget is left out on purpose: a longer budget
 * continues the same search.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { ActionConfig } from './inputs.js';

/** Cache keys may not contain commas and are at most 512 characters (@actions/cache ValidationError). */
const MAX_KEY = 512;

/** Makes free text safe and short for a key segment. */
export function keySegment(text: string, max = 60): string {
  const s = text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '');
  return s.length > max ? `${s.slice(0, max - 9)}_${sha256(s).slice(0, 8)}` : s || '_';
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Files under `p` (itself when a file), sorted by relative path so the hash is order-independent. */
function listFiles(p: string): string[] {
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Hashes labelled parts; a path part hashes the relative names and bytes of its files. */
function hashParts(parts: [label: string, value: string | undefined, isPath: boolean][], root: string): string {
  const h = createHash('sha256');
  for (const [label, value, isPath] of parts) {
    h.update(`${label}\0`);
    if (value === undefined) { h.update('-\0'); continue; }
    if (!isPath) { h.update(`${value}\0`); continue; }
    const abs = path.resolve(root, value);
    let files: string[];
    try {
      files = listFiles(abs);
    } catch (err) {
      throw new InputError(`Input '${label}': cannot read '${value}' (${(err as Error).message})`, { cause: err });
    }
    for (const f of files) h.update(`${path.relative(abs, f)}\0`).update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

/** Fingerprint of everything that determines a search's results (hex, 16 chars). */
export function searchFingerprint(cfg: ActionConfig, workspace: string, toolVersion: string): string {
  return hashParts([
    ['model', cfg.model, true], ['calib', cfg.calib, true], ['config', cfg.config, true],
    ['evaluate', cfg.evaluate, true], ['evaluate-command', cfg.evaluateCommand, false],
    ['target', cfg.target, false], ['bits', cfg.bits?.toString(), false], ['search-mode', cfg.searchMode, false],
    ['num-of-candidates', cfg.numOfCandidates?.toString(), false], ['score-direction', cfg.scoreDirection, false],
    ['shard', cfg.shard && `${cfg.shard.index}/${cfg.shard.count}`, false], ['tool', toolVersion, false],
  ], workspace).slice(0, 16);
}

/** The (workflow, model, target[, shard]) scope that run-folder entries of one search share. */
export function searchScope(cfg: ActionConfig, workflow: string): string {
  const shard = cfg.shard ? `s${cfg.shard.index}of${cfg.shard.count}` : 'all';
  return `${keySegment(workflow, 40)}-${keySegment(cfg.model ?? 'model', 60)}-${cfg.target}-${shard}`;
}

export interface RunFolderKeys {
  /** Saved after the search: unique per run attempt. */
  key: string;
  /** Restore prefix: the newest state of the same fingerprint (a re-run, or the next push with the same inputs). */
  restoreKeys: string[];
  fingerprint: string;
}

/** Keys of the run-folder cache entry for this run. */
export function runFolderKeys(cfg: ActionConfig, fingerprint: string, workflow: string, runId: string, attempt: string): RunFolderKeys {
  if (cfg.cacheKeyPrefix.includes(',')) throw new InputError(`Input 'cache-key-prefix' may not contain a comma; got '${cfg.cacheKeyPrefix}'`);
  const scope = `${cfg.cacheKeyPrefix}-${searchScope(cfg, workflow)}-`;
  const same = `${scope}${fingerprint}-`;
  const key = `${same}${keySegment(runId)}-${keySegment(attempt)}`;
  if (key.length > MAX_KEY) throw new InputError(`Input 'cache-key-prefix' is too long: the cache key would exceed ${MAX_KEY} characters`);
  // Only the same fingerprint: a folder of other inputs would be discarded anyway (no warm start yet).
  return { key, restoreKeys: [same], fingerprint };
}

/** Keys of the small "latest result of this branch" entry that later PRs use as their baseline. */
export function baselineKeys(cfg: ActionConfig, workflow: string, branch: string, runId: string, attempt: string): { save: string; restorePrefix: (base: string) => string } {
  const scope = `${cfg.cacheKeyPrefix}-baseline-${keySegment(workflow, 40)}-${keySegment(cfg.model ?? 'model', 60)}-${cfg.target}-`;
  return {
    save: `${scope}${keySegment(branch, 80)}-${keySegment(runId)}-${keySegment(attempt)}`,
    restorePrefix: (base) => `${scope}${keySegment(base, 80)}-`,
  };
}
