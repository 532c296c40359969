#!/usr/bin/env node
// Tags a release of the Action and the npm package: `v<version>` (package.json's version) on the current commit,
// and moves the major tag (`v1` for 1.x.y) to it, so `uses: <owner>/espdl-autoquant@v1` follows the newest 1.x
// release while `@v1.2.3` and commit SHAs stay pinned. Safe to re-run: a tag already on this commit is kept.
// Refuses to re-point an existing version tag, and never moves the major tag back to an older release.
// Used by .github/workflows/release.yml; tested against a local git repository (test/unit/release-tags.test.ts).
//
//   node scripts/release-tags.mjs [--push] [--remote origin]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

/** [major, minor, patch, prerelease?] of `1.2.3` / `v1.2.3-rc.1`, or undefined. */
export function parseVersion(text) {
  const m = SEMVER.exec(text.replace(/^v/, ''));
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] } : undefined;
}

/** Negative, 0 or positive as a < b (prereleases before their release, compared as text). */
function compareVersions(a, b) {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch
    || (a.pre === b.pre ? 0 : a.pre === undefined ? 1 : b.pre === undefined ? -1 : a.pre.localeCompare(b.pre));
}

/**
 * What to do: `{ create: [tags to create on head], move: [tags to force onto head], keep: [tags already there] }`,
 * or throws with the reason. `tags` maps every existing tag name to the commit it points at.
 */
export function planRelease(version, head, tags) {
  const v = parseVersion(version);
  if (!v) throw new Error(`package.json version "${version}" is not a release version (X.Y.Z or X.Y.Z-pre)`);
  const tag = `v${version}`;
  const plan = { tag, create: [], move: [], keep: [] };
  const at = tags.get(tag);
  if (at === undefined) plan.create.push(tag);
  else if (at === head) plan.keep.push(tag);
  else throw new Error(`${tag} already exists on ${at.slice(0, 12)}, not on this commit ${head.slice(0, 12)}: bump the version in package.json`);
  if (v.pre !== undefined) return plan; // a prerelease never moves the major tag
  const major = `v${v.major}`;
  const newer = [...tags.keys()].map((t) => [t, parseVersion(t)])
    .filter(([t, p]) => p && t !== tag && p.major === v.major && p.pre === undefined && compareVersions(p, v) > 0);
  if (newer.length > 0) throw new Error(`${newer[0][0]} is newer than ${tag}: ${major} stays where it is; release from the newest line`);
  if (tags.get(major) === head) plan.keep.push(major);
  else plan.move.push(major);
  return plan;
}

function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Reads the version and the repository's tags, applies the plan, optionally pushes. Returns the plan. */
export function release({ cwd = process.cwd(), push = false, remote = 'origin', log = console.log } = {}) {
  const { version } = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8'));
  const head = git(cwd, 'rev-parse', 'HEAD');
  const listed = git(cwd, 'for-each-ref', '--format=%(refname:strip=2) %(*objectname) %(objectname)', 'refs/tags');
  // Annotated tags: %(*objectname) is the commit; lightweight ones leave it empty.
  const tags = new Map(listed ? listed.split('\n').map((l) => { const [n, peeled, obj] = l.split(' '); return [n, peeled || obj]; }) : []);
  const plan = planRelease(version, head, tags);
  for (const t of plan.create) git(cwd, 'tag', '-a', t, '-m', `espdl-autoquant ${t}`, head);
  for (const t of plan.move) git(cwd, 'tag', '-f', '-a', t, '-m', `espdl-autoquant ${t} → ${plan.tag}`, head);
  if (push) {
    if (plan.create.length) git(cwd, 'push', remote, ...plan.create.map((t) => `refs/tags/${t}`));
    if (plan.move.length) git(cwd, 'push', '--force', remote, ...plan.move.map((t) => `refs/tags/${t}`));
  }
  log(`${plan.tag} on ${head.slice(0, 12)}: created ${plan.create.join(', ') || 'nothing'}; moved ${plan.move.join(', ') || 'nothing'}; already there ${plan.keep.join(', ') || 'nothing'}${push ? ` (pushed to ${remote})` : ''}`);
  return plan;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const r = args.indexOf('--remote');
  try {
    release({ push: args.includes('--push'), remote: r >= 0 ? args[r + 1] : 'origin' });
  } catch (e) {
    console.error(`release-tags: ${e.message}`);
    process.exit(1);
  }
}
