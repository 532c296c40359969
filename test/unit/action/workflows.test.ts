/**
 * Syntax check of every workflow we ship (examples users copy and the project's own CI): YAML parses, only
 * keys of the workflow schema subset we use appear, and every `with:` of this Action names a declared input.
 * Also keeps action.yml and the INPUTS/OUTPUTS constants of src/action in step.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { INPUTS } from '../../../src/action/inputs.js';
import { OUTPUTS } from '../../../src/action/outputs.js';
import { REPO_ROOT } from '../../helpers/paths.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const action = parse(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as { inputs: Obj; outputs: Obj; runs: Obj };
const declared = new Set(Object.keys(action.inputs));

const WORKFLOW_KEYS = ['name', 'run-name', 'on', 'permissions', 'concurrency', 'env', 'defaults', 'jobs'];
const JOB_KEYS = ['name', 'runs-on', 'needs', 'if', 'permissions', 'strategy', 'steps', 'timeout-minutes', 'env', 'concurrency', 'outputs', 'continue-on-error', 'environment', 'defaults', 'container'];
const STEP_KEYS = ['id', 'name', 'uses', 'with', 'run', 'if', 'env', 'shell', 'working-directory', 'continue-on-error', 'timeout-minutes'];
const EVENTS = ['push', 'pull_request', 'pull_request_target', 'workflow_dispatch', 'workflow_run', 'schedule', 'workflow_call', 'release'];
const PERMISSIONS = ['actions', 'checks', 'contents', 'deployments', 'id-token', 'issues', 'packages', 'pages', 'pull-requests', 'statuses'];

function only(where: string, o: Obj, allowed: string[]): string[] {
  return Object.keys(o).filter((k) => !allowed.includes(k)).map((k) => `${where}: unknown key '${k}'`);
}

/** Problems in one workflow file (empty = valid for the subset we use). */
function checkWorkflow(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const wf = parse(text) as unknown;
  const name = path.relative(REPO_ROOT, file);
  if (!isObj(wf)) return [`${name}: not a mapping`];
  const errs = only(name, wf, WORKFLOW_KEYS);
  const on = wf['on'];
  const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : isObj(on) ? Object.keys(on) : [];
  if (events.length === 0) errs.push(`${name}: 'on' names no event`);
  for (const e of events) if (!EVENTS.includes(e)) errs.push(`${name}: unknown event '${e}'`);
  if (isObj(wf['permissions'])) {
    for (const [k, v] of Object.entries(wf['permissions'])) {
      if (!PERMISSIONS.includes(k) || !['read', 'write', 'none'].includes(String(v))) errs.push(`${name}: bad permission ${k}: ${String(v)}`);
    }
  }
  const c = wf['concurrency'];
  if (c !== undefined && typeof c !== 'string' && !(isObj(c) && typeof c['group'] === 'string')) errs.push(`${name}: concurrency needs a group`);
  if (!isObj(wf['jobs']) || Object.keys(wf['jobs']).length === 0) return [...errs, `${name}: no jobs`];
  const jobIds = Object.keys(wf['jobs']);
  for (const [id, job] of Object.entries(wf['jobs'])) errs.push(...checkJob(`${name} jobs.${id}`, job, jobIds));
  if ((text.match(/\$\{\{/g) ?? []).length !== (text.match(/\}\}/g) ?? []).length) errs.push(`${name}: unbalanced \${{ }}`);
  return errs;
}

function checkJob(where: string, job: unknown, jobIds: string[]): string[] {
  if (!isObj(job)) return [`${where}: not a mapping`];
  const errs = only(where, job, JOB_KEYS);
  if (job['runs-on'] === undefined) errs.push(`${where}: no runs-on`);
  const needs = job['needs'] === undefined ? [] : ([] as unknown[]).concat(job['needs']);
  for (const n of needs) if (!jobIds.includes(String(n))) errs.push(`${where}: needs unknown job '${String(n)}'`);
  if (job['strategy'] !== undefined) {
    const s = job['strategy'];
    if (!isObj(s) || !isObj(s['matrix'])) errs.push(`${where}: strategy.matrix must be a mapping`);
    else errs.push(...only(`${where}.strategy`, s, ['matrix', 'fail-fast', 'max-parallel']));
  }
  if (!Array.isArray(job['steps']) || job['steps'].length === 0) return [...errs, `${where}: no steps`];
  job['steps'].forEach((step: unknown, i: number) => errs.push(...checkStep(`${where}.steps[${i}]`, step)));
  return errs;
}

/** Inputs of third-party actions that are executed as code (a `${{ }}` there is a script injection too). */
const SCRIPT_INPUTS: Record<string, string[]> = { 'actions/github-script': ['script'], 'espressif/esp-idf-ci-action': ['command'] };

/**
 * `${{ }}` inside a script splices the value into the code before the shell parses it: a quote in a PR title,
 * a branch name or a Top-K string then runs as a command. Values must reach scripts through `env:`.
 */
function scriptSplices(where: string, step: Obj): string[] {
  const errs: string[] = [];
  if (typeof step['run'] === 'string' && step['run'].includes('${{')) errs.push(`${where}: \${{ }} inside run: (pass the value through env:)`);
  const action = typeof step['uses'] === 'string' ? step['uses'].split('@')[0]! : '';
  for (const k of SCRIPT_INPUTS[action] ?? []) {
    const v = (step['with'] as Obj | undefined)?.[k];
    if (typeof v === 'string' && v.includes('${{')) errs.push(`${where}: \${{ }} inside ${action} ${k}: (pass the value through env:)`);
  }
  return errs;
}

function checkStep(where: string, step: unknown): string[] {
  if (!isObj(step)) return [`${where}: not a mapping`];
  const errs = [...only(where, step, STEP_KEYS), ...scriptSplices(where, step)];
  if ((step['uses'] === undefined) === (step['run'] === undefined)) errs.push(`${where}: needs exactly one of uses / run`);
  if (step['with'] !== undefined && !isObj(step['with'])) errs.push(`${where}: with must be a mapping`);
  const uses = typeof step['uses'] === 'string' ? step['uses'] : '';
  if (uses === './' || uses === './.espdl-autoquant' || /^[\w.-]+\/espdl-autoquant@/.test(uses)) {
    for (const k of Object.keys((step['with'] as Obj | undefined) ?? {})) if (!declared.has(k)) errs.push(`${where}: '${k}' is not an input of action.yml`);
  } else if (uses && !/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[\w.-]+$/.test(uses)) {
    errs.push(`${where}: malformed uses '${uses}'`);
  }
  return errs;
}

const files = [
  ...readdirSync(path.join(REPO_ROOT, 'examples', 'workflows')).map((f) => path.join(REPO_ROOT, 'examples', 'workflows', f)),
  ...readdirSync(path.join(REPO_ROOT, '.github', 'workflows')).map((f) => path.join(REPO_ROOT, '.github', 'workflows', f)),
].filter((f) => /\.ya?ml$/.test(f));

describe('workflow files', () => {
  it('include the four Action examples and the four project workflows', () => {
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(
      ['action-example.yml', 'check-dist.yml', 'ci.yml', 'fork-report.yml', 'pr-gate.yml', 'release.yml', 'search.yml', 'sharded.yml']));
  });

  it.each(files.map((f) => [path.relative(REPO_ROOT, f), f]))('%s is valid', (_name, file) => {
    expect(checkWorkflow(file)).toEqual([]);
  });

  it('the checker catches the mistakes it is for', () => {
    const bad = { jobs: { a: { 'runs-on': 'x', needs: 'b', steps: [
      { uses: './', with: { modle: 'm' } }, { run: 'x', uses: 'a/b@v1' },
      { run: "echo '${{ steps.merged.outputs.candidates }}' > topk.json" },
      { uses: 'actions/github-script@v7', with: { script: 'core.info("${{ github.event.pull_request.title }}")' } },
      { env: { C: '${{ steps.merged.outputs.candidates }}' }, run: 'printf "%s" "$C"' },
    ] } } };
    const errs = checkJob('wf jobs.a', bad.jobs.a, ['a']);
    expect(errs).toEqual([
      "wf jobs.a: needs unknown job 'b'",
      "wf jobs.a.steps[0]: 'modle' is not an input of action.yml",
      'wf jobs.a.steps[1]: needs exactly one of uses / run',
      'wf jobs.a.steps[2]: ${{ }} inside run: (pass the value through env:)',
      'wf jobs.a.steps[3]: ${{ }} inside actions/github-script script: (pass the value through env:)',
    ]);
  });
});

describe('action.yml', () => {
  it('declares exactly the inputs and outputs the code reads and sets', () => {
    expect([...declared].sort()).toEqual(Object.values(INPUTS).sort());
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(OUTPUTS).sort());
  });

  it('the README documents exactly the declared inputs and outputs', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('**Inputs**'), readme.indexOf('**Outputs**'));
    const documented = table.split('\n').filter((l) => l.startsWith('| `')).flatMap((l) => [...l.split('|')[1]!.matchAll(/`([\w-]+)`/g)].map((m) => m[1]!));
    expect(documented.sort()).toEqual([...declared].sort());
    const outputs = readme.slice(readme.indexOf('**Outputs**'), readme.indexOf('\n\n', readme.indexOf('**Outputs**')));
    expect([...outputs.matchAll(/`([\w-]+)`/g)].map((m) => m[1]!).sort()).toEqual(Object.keys(action.outputs).sort());
  });

  it('runs the bundle on node24 and defaults the token', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/action/index.js' });
    expect((action.inputs['github-token'] as Obj)['default']).toBe('${{ github.token }}');
  });
});

const workflow = (name: string): Obj => parse(readFileSync(path.join(REPO_ROOT, '.github', 'workflows', name), 'utf8')) as Obj;
const steps = (wf: Obj): Obj[] => Object.values(wf['jobs'] as Obj).flatMap((j) => (j as Obj)['steps'] as Obj[]);

describe('release and runtime pins', () => {
  it('.node-version is the Action runtime, and CI, check-dist and release set Node up from it', () => {
    const pinned = readFileSync(path.join(REPO_ROOT, '.node-version'), 'utf8').trim();
    expect(action.runs['using']).toBe(`node${pinned}`);
    for (const name of ['ci.yml', 'check-dist.yml', 'release.yml']) {
      const setup = steps(workflow(name)).filter((s) => String(s['uses']).startsWith('actions/setup-node@'));
      expect(setup.map((s) => (s['with'] as Obj)['node-version-file']), name).toContain(name === 'ci.yml' ? "${{ matrix.node == '.node-version' && '.node-version' || '' }}" : '.node-version');
    }
  });

  it('release.yml is run by hand, may write tags, and tags through scripts/release-tags.mjs after the checks', () => {
    const wf = workflow('release.yml');
    expect(Object.keys(wf['on'] as Obj)).toEqual(['workflow_dispatch']);
    expect(wf['permissions']).toEqual({ contents: 'write' });
    const runs = steps(wf).map((s) => String(s['run'] ?? s['uses']));
    const at = (text: string): number => runs.findIndex((r) => r.includes(text));
    expect(at('node scripts/release-tags.mjs --push')).toBeGreaterThan(at('npm test'));
    expect(at('npm test')).toBeGreaterThan(at('git diff --ignore-space-at-eol --text --exit-code dist/'));
    expect(((steps(wf)[0]!['with'] as Obj)['fetch-depth'])).toBe(0);
  });
});

describe('licence files', () => {
  it('LICENSE is the MIT text package.json declares', () => {
    expect(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).license).toBe('MIT');
    const text = readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8');
    expect(text.startsWith('MIT License')).toBe(true);
    expect(text).toContain('Permission is hereby granted, free of charge, to any person obtaining a copy');
  });

  it('dist/action/licenses.txt is what npm run package generates, one section per bundled package', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'bundle-'));
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package-action.mjs'), out], { cwd: REPO_ROOT, stdio: 'pipe' });
    const committed = readFileSync(path.join(REPO_ROOT, 'dist', 'action', 'licenses.txt'), 'utf8');
    expect(readFileSync(path.join(out, 'licenses.txt'), 'utf8')).toBe(committed);
    // Packages whose code the bundle certainly contains (the Action's toolkit and our parsers).
    for (const name of ['@actions/core', '@actions/cache', '@actions/artifact', 'yaml', 'zod', 'flatbuffers', 'fflate']) {
      expect(committed, name).toMatch(new RegExp(`^${name.replace('/', '\\/')} \\d+\\.\\d+\\.\\d+ \\(`, 'm'));
    }
  }, 120_000);
});
