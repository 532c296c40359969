/**
 * The Action end to end: run() with the real @actions/cache, artifact and github clients against the fake
 * GitHub services, H5's real search (CLI search command, autoQuantize, run folder, Top-K, default evaluator)
 * and a deterministic fake quantizer. Each `h.run` is one simulated workflow run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, type Harness, type SimulatedRun } from './harness.js';
import { expectedScore, fakeModel } from './fake-runner.js';
import { BOT } from '../../fakes/github-services.js';

let h: Harness;
const NOISE = 1;
const base = {
  model: 'model.onnx', calib: 'calib.npy', config: 'autoquant.yml', target: 'esp32p4', 'github-token': 'tok',
  comment: 'always', 'max-score-drop': '5%', 'retention-days': '7',
};
const search = (over: Partial<SimulatedRun> & { runId: number }): SimulatedRun => ({ event: 'push', inputs: base, ...over });

beforeAll(async () => {
  h = await startHarness();
  writeFileSync(path.join(h.ws, 'model.onnx'), fakeModel(NOISE));
  writeFileSync(path.join(h.ws, 'calib.npy'), 'unused by the fake quantizer');
  // ESP-PPQ field names; the quick space without mixed precision: 4 calibration methods × 3 equalization = 12.
  writeFileSync(path.join(h.ws, 'autoquant.yml'), 'num_of_candidates: 3\nrefine_with: []\nstrategy_space:\n  mixed_precision: [false]\n');
});
afterAll(async () => h.close());

type Rec = { hash: string; index: number; score: number };
const bots = (issue: string) => h.fake.api.commentsOn(issue).filter((c) => c.user.type === BOT.type);

/** Downloads an artifact of a run with the real client and returns its folder. */
async function download(runId: number, name: string): Promise<string> {
  h.asRun(runId);
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const client = new DefaultArtifactClient();
  const { artifact } = await client.getArtifact(name);
  const dir = mkdtempSync(path.join(h.ws, '..', 'dl-'));
  const res = await client.downloadArtifact(artifact.id, { path: dir, expectedHash: artifact.digest! });
  expect(res.digestMismatch).toBe(false);
  return dir;
}

let mainSummary: Rec[] = [];
let mainCandidates = '';
let mainBest = 0;

describe('mode search on the default branch', () => {
  it('first run searches, saves the run folder and uploads the Top-K artifact', async () => {
    const r = await h.run(search({ runId: 100 }));
    expect(r.failed).toEqual([]);
    expect(r.outputs['experiments-run']).toBe('12');
    const dir = await download(100, 'espdl-autoquant');
    mainSummary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    mainCandidates = readFileSync(path.join(dir, 'candidates.json'), 'utf8');
    expect(mainSummary).toHaveLength(12);
    // Independent check: every score is the fake quantizer's formula; the best is the smallest (minimize).
    for (const rec of mainSummary) expect(rec.score).toBeCloseTo(expectedScore(rec.hash, NOISE), 12);
    const sorted = [...mainSummary].sort((a, b) => a.score - b.score || a.index - b.index);
    const cands = JSON.parse(mainCandidates) as Rec[];
    expect(cands.map((c) => c.index)).toEqual(sorted.slice(0, 3).map((c) => c.index));
    mainBest = sorted[0]!.score;
    expect(Number(r.outputs['best-score'])).toBe(mainBest);
    expect(r.outputs['best-index']).toBe(String(sorted[0]!.index));
    expect(JSON.parse(r.outputs['candidates']!).map((c: Rec) => c.index)).toEqual(cands.map((c) => c.index));
    // The artifact holds the Top-K folders (only those), the report and the report data.
    const folders = readdirSync(dir).filter((n) => /^\d{4}$/.test(n)).sort();
    expect(folders).toEqual(cands.map((c) => String(c.index).padStart(4, '0')).sort());
    for (const f of folders) expect(readdirSync(path.join(dir, f))).toEqual(expect.arrayContaining(['model.espdl', 'config.json']));
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('<h1>AutoQuant search report</h1>');
    expect(JSON.parse(readFileSync(path.join(dir, 'espdl-autoquant.json'), 'utf8'))).toMatchObject({ model: 'model.onnx', target: 'esp32p4', direction: 'minimize', experimentsRun: 12 });
    expect(r.outputs['artifact-id']).toBe(String(h.fake.artifacts.artifacts.find((a) => a.name === 'espdl-autoquant')!.id));
    expect(r.outputs['artifact-url']).toBe(`https://github.com/o/r/actions/runs/100/artifacts/${r.outputs['artifact-id']}`);
    const stored = h.fake.artifacts.artifacts.find((a) => a.name === 'espdl-autoquant')!;
    expect((Date.parse(stored.expiresAt!) - Date.now()) / 86_400_000).toBeCloseTo(7, 2);
    // Cache: one run-folder entry and one baseline entry for main.
    const keys = h.fake.cache.entries.map((e) => e.key);
    expect(keys.filter((k) => k.startsWith('espdl-autoquant-CI-model.onnx-esp32p4-all-') && k.endsWith('-100-1'))).toHaveLength(1);
    expect(keys).toContain('espdl-autoquant-baseline-CI-model.onnx-esp32p4-main-100-1');
    expect(r.summary).toContain('### Top-3 of 12 experiments');
    expect(r.summary).toContain('```mermaid');
  });

  it('second run restores the run folder and runs 0 new experiments', async () => {
    const r = await h.run(search({ runId: 101 }));
    expect(r.failed).toEqual([]);
    expect(r.outputs['experiments-run']).toBe('0');
    expect(Number(r.outputs['best-score'])).toBe(mainBest);
    expect(r.infos.some((m) => m.startsWith('Restored espdl-autoquant-run from cache entry espdl-autoquant-CI-model.onnx-esp32p4-all-'))).toBe(true);
    expect(readFileSync(path.join(h.ws, 'espdl-autoquant-run', 'candidates.json'), 'utf8')).toBe(mainCandidates);
  });
});

describe('pull requests: one comment, baseline and gate', () => {
  const pr = (runId: number, extra: Partial<SimulatedRun> = {}): SimulatedRun => search({ runId, event: 'pull_request', pr: 7, ...extra });

  it('compares with the base branch, creates the comment once and updates it on the next push', async () => {
    for (let i = 0; i < 105; i++) h.fake.api.seedComment('o/r#7', `review note ${i}`); // our comment lands on page 2
    const r1 = await h.run(pr(102));
    expect(r1.failed).toEqual([]);
    expect(r1.outputs['regressed']).toBe('false');
    expect(Number(r1.outputs['baseline-score'])).toBe(mainBest);
    expect(r1.outputs['score-delta']).toBe('0');
    expect(bots('o/r#7')).toHaveLength(1);
    expect(bots('o/r#7')[0]!.body).toContain('<!-- espdl-autoquant report: CI | model.onnx | esp32p4 -->');
    expect(bots('o/r#7')[0]!.body).toContain('✅ **Quality gate passed**');
    const r2 = await h.run(pr(103));
    expect(r2.failed).toEqual([]);
    expect(bots('o/r#7')).toHaveLength(1);
    expect(h.fake.api.writes.map((w) => w.method)).toEqual(['POST', 'PATCH']);
    expect(bots('o/r#7')[0]!.body).toContain('artifacts/');
    // PR runs never become a baseline (only main's entries exist).
    expect(h.fake.cache.entries.filter((e) => e.key.includes('-baseline-') && !e.key.includes('-main-'))).toEqual([]);
  });

  it('fails the gate on a planted regression, saying which number broke which limit', async () => {
    writeFileSync(path.join(h.ws, 'model.onnx'), fakeModel(1.3)); // the PR makes every layer 30 % noisier
    try {
      const r = await h.run(pr(104));
      expect(r.outputs['experiments-run']).toBe('12'); // other model bytes: a fresh search, not a resume
      expect(r.outputs['regressed']).toBe('true');
      const best = Number(r.outputs['best-score']);
      expect(best).toBeCloseTo(mainBest * 1.3, 12);
      expect(r.failed).toHaveLength(1);
      expect(r.failed[0]).toMatch(/^Quality gate failed: best score [\d.]+ is worse than the baseline [\d.]+ by [\d.]+ \(30%\), more than max-score-drop 5% \([\d.]+ allowed; score direction: minimize\)$/);
      expect(bots('o/r#7')).toHaveLength(1);
      expect(bots('o/r#7')[0]!.body).toContain('❌ **Quality gate failed**');
      const soft = await h.run(pr(105, { inputs: { ...base, 'fail-on-regression': 'false' } }));
      expect(soft.failed).toEqual([]);
      expect(soft.outputs['regressed']).toBe('true');
    } finally {
      writeFileSync(path.join(h.ws, 'model.onnx'), fakeModel(NOISE));
    }
  });
});

describe('failures of optional services', () => {
  it('a cache service that is down and a full artifact storage are warnings, not failures', async () => {
    h.fake.fail('cache', 'down');
    h.fake.fail('artifact', 'full');
    try {
      const r = await h.run(search({ runId: 110, branch: 'dev' }));
      expect(r.failed).toEqual([]);
      expect(r.outputs['experiments-run']).toBe('12');
      expect(Number(r.outputs['best-score'])).toBe(mainBest);
      expect(r.outputs['artifact-id']).toBe('');
      expect(r.warnings.some((w) => w.startsWith("Artifact upload of 'espdl-autoquant' failed"))).toBe(true);
      expect(r.summary).toContain('no artifact uploaded');
    } finally {
      h.fake.fail('cache', 'none');
      h.fake.fail('artifact', 'none');
    }
  });

  it('a REST API error (HTTP 500) or a read-only fork token on the comment is a warning', async () => {
    for (const mode of [500, 'full'] as const) {
      h.fake.fail('api', mode);
      try {
        const r = await h.run(search({ runId: mode === 500 ? 111 : 112, event: 'pull_request', pr: 8 }));
        expect(r.failed).toEqual([]);
        expect(r.warnings.some((w) => w.startsWith('Could not write the PR comment'))).toBe(true);
      } finally {
        h.fake.fail('api', 'none');
      }
    }
    expect(h.fake.api.commentsOn('o/r#8')).toEqual([]);
  });
});

describe('stopping early', () => {
  it('a cancelled search saves what is done and the next run resumes the rest', async () => {
    const controller = new AbortController();
    const control = { runs: 0, abortAfter: { count: 5, controller } };
    const inputs = { ...base, 'run-dir': 'cancel-run' };
    const r1 = await h.run(search({ runId: 120, workflow: 'cancel', inputs, control, controller }));
    expect(r1.outputs['experiments-run']).toBe('5');
    expect(r1.warnings.some((w) => w.startsWith('The run was cancelled'))).toBe(true);
    expect(h.fake.cache.entries.some((e) => e.key.startsWith('espdl-autoquant-cancel-model.onnx-') && e.key.endsWith('-120-1'))).toBe(true);
    const r2 = await h.run(search({ runId: 121, workflow: 'cancel', inputs }));
    expect(r2.failed).toEqual([]);
    expect(r2.outputs['experiments-run']).toBe('7');
    expect(Number(r2.outputs['best-score'])).toBe(mainBest);
  });

  it('max-experiments stops, saves and still reports', async () => {
    const inputs = { ...base, 'run-dir': 'budget-run', 'max-experiments': '4' };
    const r = await h.run(search({ runId: 130, workflow: 'budget', inputs }));
    expect(r.failed).toEqual([]);
    expect(r.outputs['experiments-run']).toBe('4');
    expect(r.summary).toContain('stopped early: max-experiments');
  });

  it('bits: 16 searches int16 candidates without writing anything into the workspace', async () => {
    const inputs = { ...base, 'run-dir': 'int16-run', 'max-experiments': '2', bits: '16' };
    const r = await h.run(search({ runId: 140, workflow: 'int16', inputs }));
    expect(r.failed).toEqual([]);
    const summary = JSON.parse(readFileSync(path.join(h.ws, 'int16-run', 'summary.json'), 'utf8')) as { params: { num_of_bits: { value: number } } }[];
    expect(summary.map((s) => s.params.num_of_bits.value)).toEqual([16, 16]);
    expect(existsSync(path.join(h.ws, '.espdl-autoquant', 'settings.yml'))).toBe(false);
  });
});

describe('sharding', () => {
  it('two shards + merge equal one unsharded run', async () => {
    for (const shard of ['0/2', '1/2']) {
      const r = await h.run(search({ runId: 200, inputs: { ...base, shard } }));
      expect(r.failed).toEqual([]);
      expect(r.outputs['experiments-run']).toBe('6');
      expect(r.outputs['regressed']).toBe('false');
    }
    expect(h.fake.artifacts.artifacts.filter((a) => a.runBackendId.endsWith('-200')).map((a) => a.name))
      .toEqual(['espdl-autoquant-shard-0-of-2', 'espdl-autoquant-shard-1-of-2']);
    const m = await h.run(search({ runId: 200, inputs: { ...base, mode: 'merge', model: '' } }));
    expect(m.failed).toEqual([]);
    expect(m.outputs['experiments-run']).toBe('12');
    const dir = await download(200, 'espdl-autoquant');
    expect(readFileSync(path.join(dir, 'candidates.json'), 'utf8')).toBe(mainCandidates);
    expect(JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'))).toEqual(mainSummary);
    expect(Number(m.outputs['best-score'])).toBe(mainBest);
  });
});

describe('the bundled entry point (dist/action/index.js)', () => {
  it('mode report in a workflow_run: downloads the PR run artifact and updates the same comment', async () => {
    const { runtimeToken } = await import('../../fakes/github-services.js');
    const { REPO_ROOT } = await import('../../helpers/paths.js');
    const bundle = path.join(REPO_ROOT, 'dist', 'action', 'index.js');
    const tmp = mkdtempSync(path.join(h.ws, '..', 'smoke-'));
    const files = { out: path.join(tmp, 'output'), summary: path.join(tmp, 'summary'), event: path.join(tmp, 'event.json') };
    writeFileSync(files.out, '');
    writeFileSync(files.summary, '');
    // GitHub's record of the triggering run: PR 7's run of workflow CI (a branch of this repository, so linked).
    const { workflowRun, workflowRunEvent } = await import('../../fakes/github/payloads.js');
    writeFileSync(files.event, JSON.stringify(workflowRunEvent(workflowRun({ id: 103, name: 'CI', headRepo: 'o/r', headBranch: 'feature', prs: [7] }))));
    const patchesBefore = h.fake.api.writes.filter((w) => w.method === 'PATCH').length;
    // Async spawn: the fake services live in this process and must keep answering.
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bundle], {
      cwd: h.ws,
      env: {
        ...process.env, ACTIONS_RUNTIME_TOKEN: runtimeToken({ runId: 300 }), GITHUB_EVENT_NAME: 'workflow_run',
        GITHUB_EVENT_PATH: files.event, GITHUB_RUN_ID: '300', GITHUB_WORKFLOW: 'Report', GITHUB_OUTPUT: files.out,
        GITHUB_STEP_SUMMARY: files.summary, 'INPUT_MODE': 'report', 'INPUT_GITHUB-TOKEN': 'tok', INPUT_COMMENT: 'always',
        'INPUT_MAX-SCORE-DROP': '5%',
      },
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => { log += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { log += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, log).toBe(0);
    const outputs = Object.fromEntries([...readFileSync(files.out, 'utf8').matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1], m[3]]));
    expect(Number(outputs['best-score'])).toBe(mainBest);
    expect(outputs['regressed']).toBe('false');
    expect(outputs['artifact-url']).toMatch(/^https:\/\/github\.com\/o\/r\/actions\/runs\/103\/artifacts\/\d+$/);
    expect(readFileSync(files.summary, 'utf8')).toContain('espdl-autoquant · `model.onnx` → esp32p4');
    expect(bots('o/r#7')).toHaveLength(1);
    expect(h.fake.api.writes.filter((w) => w.method === 'PATCH').length).toBe(patchesBefore + 1);
  });
});
