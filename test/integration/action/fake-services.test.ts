/**
 * The fake GitHub services against the REAL toolkit clients: this is what makes the Action's integration
 * tests mean something, so the fake's protocol is checked here on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeGitHubServices, type FakeGitHubServices } from '../../fakes/github-services.js';

let fake: FakeGitHubServices;
let ws: string;
type Cache = typeof import('@actions/cache');
type Artifact = typeof import('@actions/artifact');
type GitHub = typeof import('@actions/github');
let cache: Cache;
let artifact: Artifact;
let github: GitHub;

beforeAll(async () => {
  fake = await startFakeGitHubServices();
  ws = mkdtempSync(path.join(tmpdir(), 'fake-gh-'));
  mkdirSync(path.join(ws, 'temp'));
  Object.assign(process.env, fake.env({ runId: 11 }), { GITHUB_WORKSPACE: ws, RUNNER_TEMP: path.join(ws, 'temp'), GITHUB_RETENTION_DAYS: '30' });
  process.chdir(ws); // like a runner: the job's working directory is the workspace (cache globs from cwd)
  // The toolkit reads some configuration at import time: import only after the env points at the fake.
  [cache, artifact, github] = await Promise.all([import('@actions/cache'), import('@actions/artifact'), import('@actions/github')]);
});
afterAll(async () => {
  await fake.close();
  rmSync(ws, { recursive: true, force: true });
});

describe('fake cache service v2', () => {
  it('saves, refuses a duplicate key, restores exact and by prefix, misses on other paths', async () => {
    const dir = path.join(ws, 'run');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'summary.json'), '[1,2,3]');
    expect(await cache.restoreCache(['run'], 'k-abc-1', ['k-abc-'])).toBeUndefined();
    expect(await cache.saveCache(['run'], 'k-abc-1')).toBe(1);
    expect(await cache.saveCache(['run'], 'k-abc-1')).toBe(-1);
    rmSync(dir, { recursive: true });
    expect(await cache.restoreCache(['run'], 'k-abc-2', ['k-abc-'])).toBe('k-abc-1');
    expect(readFileSync(path.join(dir, 'summary.json'), 'utf8')).toBe('[1,2,3]');
    expect(await cache.restoreCache(['other'], 'k-abc-1')).toBeUndefined();
  });

  it('treats a full or unreachable service as a miss / not saved', async () => {
    mkdirSync(path.join(ws, 'run'), { recursive: true });
    fake.fail('cache', 'full');
    expect(await cache.saveCache(['run'], 'k-full-1')).toBe(-1);
    fake.fail('cache', 'down');
    expect(await cache.restoreCache(['run'], 'k-abc-1')).toBeUndefined();
    fake.fail('cache', 'none');
    expect(fake.cache.entries.map((e) => e.key)).toEqual(['k-abc-1']);
  });
});

describe('fake artifact service v4', () => {
  it('uploads, lists, downloads with a matching digest, and rejects a duplicate name', async () => {
    const src = path.join(ws, 'art');
    mkdirSync(path.join(src, 'sub'), { recursive: true });
    writeFileSync(path.join(src, 'a.txt'), 'alpha');
    writeFileSync(path.join(src, 'sub', 'b.txt'), 'beta');
    const client = new artifact.DefaultArtifactClient();
    const up = await client.uploadArtifact('topk', [path.join(src, 'a.txt'), path.join(src, 'sub', 'b.txt')], src, { retentionDays: 5 });
    expect(up.id).toBe(1);
    const stored = fake.artifacts.artifacts[0]!;
    const days = (Date.parse(stored.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(4.99);
    expect(days).toBeLessThan(5.01);
    await expect(client.uploadArtifact('topk', [path.join(src, 'a.txt')], src)).rejects.toThrow(/409|Conflict|already exists/);
    const { artifacts } = await client.listArtifacts();
    expect(artifacts.map((a) => a.name)).toEqual(['topk']);
    const out = path.join(ws, 'dl');
    const dl = await client.downloadArtifact(1, { path: out, expectedHash: artifacts[0]!.digest! });
    expect(dl.digestMismatch).toBe(false);
    expect(readFileSync(path.join(out, 'sub', 'b.txt'), 'utf8')).toBe('beta');
  });

  it('downloads through the public REST path (findBy, as a workflow_run report does)', async () => {
    const client = new artifact.DefaultArtifactClient();
    const findBy = { token: 't', workflowRunId: 11, repositoryOwner: 'o', repositoryName: 'r' };
    const { artifact: found } = await client.getArtifact('topk', { findBy });
    const out = path.join(ws, 'dl2');
    await client.downloadArtifact(found.id, { path: out, findBy });
    expect(readFileSync(path.join(out, 'a.txt'), 'utf8')).toBe('alpha');
    expect(existsSync(path.join(out, 'sub', 'b.txt'))).toBe(true);
  });
});

describe('fake REST API', () => {
  it('paginates comments with Link headers and records create/update', async () => {
    for (let i = 0; i < 105; i++) fake.api.seedComment('o/r#7', `human ${i}`);
    const octokit = github.getOctokit('tok', { baseUrl: fake.url });
    const created = await octokit.rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 7, body: 'hello' });
    await octokit.rest.issues.updateComment({ owner: 'o', repo: 'r', comment_id: created.data.id, body: 'bye' });
    const all = await octokit.paginate(octokit.rest.issues.listComments, { owner: 'o', repo: 'r', issue_number: 7, per_page: 100 });
    expect(all).toHaveLength(106);
    expect(all[105]!.body).toBe('bye');
    expect(all[105]!.user!.type).toBe('Bot');
    expect(fake.api.writes.map((w) => w.method)).toEqual(['POST', 'PATCH']);
  });
});
