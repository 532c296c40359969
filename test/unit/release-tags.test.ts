/** The release workflow's tag logic (scripts/release-tags.mjs) on real local git repositories. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRelease, release } from '../../scripts/release-tags.mjs';

const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** A repository with a bare `origin`, one commit per call of `commit(version)`. */
function repo() {
  const root = mkdtempSync(path.join(tmpdir(), 'release-tags-'));
  const origin = path.join(root, 'origin.git');
  const work = path.join(root, 'work');
  git(root, 'init', '-q', '--bare', origin);
  git(root, 'init', '-q', work);
  for (const [k, v] of [['user.name', 'test'], ['user.email', 'test@example.invalid'], ['commit.gpgsign', 'false'], ['tag.gpgsign', 'false']]) git(work, 'config', k!, v!);
  git(work, 'remote', 'add', 'origin', origin);
  const commit = (version: string): string => {
    writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'x', version }));
    git(work, 'add', 'package.json');
    git(work, 'commit', '-q', '-m', version);
    return git(work, 'rev-parse', 'HEAD');
  };
  /** tag → commit it points at, as the remote has them. */
  const remoteTags = (): Record<string, string> => Object.fromEntries(git(work, 'ls-remote', '--tags', 'origin').split('\n').filter((l) => l.endsWith('^{}'))
    .map((l) => { const [sha, ref] = l.split('\t'); return [ref!.replace('refs/tags/', '').replace('^{}', ''), sha!]; }));
  return { work, commit, remoteTags };
}

const quiet = (): void => {};

describe('release tags', () => {
  it('tags vX.Y.Z, moves the major tag, pushes both, and re-runs without change', () => {
    const r = repo();
    const first = r.commit('1.0.0');
    expect(release({ cwd: r.work, push: true, log: quiet })).toMatchObject({ create: ['v1.0.0'], move: ['v1'] });
    expect(r.remoteTags()).toEqual({ 'v1.0.0': first, v1: first });
    const second = r.commit('1.1.0');
    release({ cwd: r.work, push: true, log: quiet });
    expect(r.remoteTags()).toEqual({ 'v1.0.0': first, 'v1.1.0': second, v1: second });
    expect(release({ cwd: r.work, push: true, log: quiet })).toMatchObject({ create: [], move: [], keep: ['v1.1.0', 'v1'] });
    expect(r.remoteTags()).toEqual({ 'v1.0.0': first, 'v1.1.0': second, v1: second });
  });

  it('refuses to re-point a released version and leaves every tag as it was', () => {
    const r = repo();
    const first = r.commit('1.0.0');
    release({ cwd: r.work, push: true, log: quiet });
    writeFileSync(path.join(r.work, 'other.txt'), 'x');
    git(r.work, 'add', 'other.txt');
    git(r.work, 'commit', '-q', '-m', 'same version');
    expect(() => release({ cwd: r.work, push: true, log: quiet })).toThrow(/v1\.0\.0 already exists on .*bump the version/);
    expect(r.remoteTags()).toEqual({ 'v1.0.0': first, v1: first });
  });

  it('a new major gets its own major tag; the old one stays', () => {
    const r = repo();
    const one = r.commit('1.4.2');
    release({ cwd: r.work, push: true, log: quiet });
    const two = r.commit('2.0.0');
    release({ cwd: r.work, push: true, log: quiet });
    expect(r.remoteTags()).toEqual({ 'v1.4.2': one, v1: one, 'v2.0.0': two, v2: two });
  });

  it('plans: prereleases never move the major tag; an older patch never moves it back; bad versions are refused', () => {
    expect(planRelease('1.2.0-rc.1', 'h', new Map([['v1', 'a']]))).toEqual({ tag: 'v1.2.0-rc.1', create: ['v1.2.0-rc.1'], move: [], keep: [] });
    expect(() => planRelease('1.0.1', 'h', new Map([['v1.1.0', 'a'], ['v1', 'a']]))).toThrow('v1.1.0 is newer than v1.0.1: v1 stays where it is');
    expect(planRelease('1.1.1', 'h', new Map([['v1.1.0', 'a'], ['v1.2.0-rc.1', 'b'], ['v1', 'a']])).move).toEqual(['v1']);
    expect(() => planRelease('1.0', 'h', new Map())).toThrow('is not a release version');
  });
});
