import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { refuseForkPr } from '../../../src/action/benchmark-mode.js';
import { parseInputs } from '../../../src/action/inputs.js';
import { readRunContext } from '../../../src/action/run-context.js';
import { InputError } from '../../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'run-context-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ctxFor(payload: object) {
  const file = path.join(dir, `${Math.random()}.json`);
  writeFileSync(file, JSON.stringify(payload));
  return readRunContext({ GITHUB_EVENT_PATH: file, GITHUB_REPOSITORY: 'o/r' });
}

describe('fork detection (payload fields as GitHub sends them)', () => {
  it.each([
    ['a PR from a branch of this repository', { pull_request: { number: 1, head: { ref: 'f', repo: { full_name: 'o/r' } } } }, false],
    ['a PR from a fork', { pull_request: { number: 1, head: { ref: 'f', repo: { full_name: 'm/r' } } } }, true],
    ['a PR whose fork was deleted (head.repo null)', { pull_request: { number: 1, head: { ref: 'f', repo: null } } }, true],
    ['a workflow_run of this repository', { workflow_run: { id: 5, head_repository: { full_name: 'o/r' } } }, false],
    ['a workflow_run of a fork\'s PR', { workflow_run: { id: 5, head_repository: { full_name: 'm/r' } } }, true],
    ['a push', {}, false],
  ])('%s', (_what, payload, fork) => {
    expect(ctxFor(payload).fromFork).toBe(fork);
  });

  it('refuses fork runs in mode benchmark unless allow-fork-prs', () => {
    const fork = ctxFor({ pull_request: { number: 1, head: { ref: 'f', repo: { full_name: 'm/r' } } } });
    const cfg = (allow: string) => parseInputs((n) => ({ mode: 'benchmark', firmware: 'fw', 'allow-fork-prs': allow } as Record<string, string>)[n] ?? '');
    expect(() => refuseForkPr(cfg('false'), fork)).toThrow(InputError);
    expect(() => refuseForkPr(cfg('false'), fork)).toThrow(/must not run untrusted code/);
    expect(() => refuseForkPr(cfg('true'), fork)).not.toThrow();
  });
});
