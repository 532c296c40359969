import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { originOfThisRun, refuseUntrustedBoardRun } from '../../../src/action/trust.js';
import { parseInputs } from '../../../src/action/inputs.js';
import { readRunContext } from '../../../src/action/run-context.js';
import { InputError } from '../../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'run-context-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ctxFor(payload: object, eventName?: string) {
  const file = path.join(dir, `${Math.random()}.json`);
  writeFileSync(file, JSON.stringify(payload));
  return readRunContext({ GITHUB_EVENT_PATH: file, GITHUB_REPOSITORY: 'o/r', ...(eventName ? { GITHUB_EVENT_NAME: eventName } : {}) });
}

describe('fork detection (payload fields as GitHub sends them)', () => {
  it.each([
    ['a PR from a branch of this repository', { pull_request: { number: 1, head: { ref: 'f', repo: { full_name: 'o/r' } } } }, false],
    ['a PR from a fork', { pull_request: { number: 1, head: { ref: 'f', repo: { full_name: 'm/r' } } } }, true],
    ['a PR whose fork was deleted (head.repo null)', { pull_request: { number: 1, head: { ref: 'f', repo: null } } }, true],
    ['a workflow_run of this repository', { workflow_run: { id: 5, head_repository: { full_name: 'o/r' } } }, false],
    ['a workflow_run of a fork\'s PR', { workflow_run: { id: 5, head_repository: { full_name: 'm/r' } } }, true],
    // Fails closed: what is not proven to be this repository is a fork.
    ['a workflow_run whose fork was deleted (head_repository null)', { workflow_run: { id: 5, head_repository: null } }, true],
    ['a workflow_run without head_repository', { workflow_run: { id: 5 } }, true],
    ['a workflow_run with an empty head repository name', { workflow_run: { id: 5, head_repository: { full_name: '' } } }, true],
    ['a push', {}, false],
  ])('%s', (_what, payload, fork) => {
    expect(ctxFor(payload).fromFork).toBe(fork);
  });

  it('a PR or workflow_run event whose payload is missing or unreadable counts as a fork', () => {
    expect(ctxFor({}, 'pull_request').fromFork).toBe(true);
    expect(ctxFor({}, 'pull_request_target').fromFork).toBe(true);
    expect(ctxFor({}, 'workflow_run').fromFork).toBe(true);
    expect(readRunContext({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path.join(dir, 'missing.json'), GITHUB_REPOSITORY: 'o/r' }).fromFork).toBe(true);
    expect(ctxFor({}, 'workflow_dispatch').fromFork).toBe(false);
  });

  it('refuses fork runs in mode benchmark unless allow-fork-prs', () => {
    const fork = ctxFor({ pull_request: { number: 1, head: { ref: 'f', repo: { full_name: 'm/r' } } } });
    const cfg = (allow: string) => parseInputs((n) => ({ mode: 'benchmark', firmware: 'fw', 'allow-fork-prs': allow } as Record<string, string>)[n] ?? '');
    expect(() => refuseUntrustedBoardRun(originOfThisRun(fork), cfg('false'))).toThrow(InputError);
    expect(() => refuseUntrustedBoardRun(originOfThisRun(fork), cfg('false'))).toThrow(/must not run untrusted code or models/);
    expect(() => refuseUntrustedBoardRun(originOfThisRun(fork), cfg('true'))).not.toThrow();
  });
});
