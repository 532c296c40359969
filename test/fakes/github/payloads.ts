/**
 * Event payloads and REST objects in the shapes GitHub sends them (webhook docs: "workflow_run", "pull_request",
 * "issue_comment", "workflow_dispatch"; REST: "Get a workflow run", "List pull requests"), reduced to the fields
 * these tests and the Action read plus the ones that show the shape. Fork specifics GitHub documents and the
 * Action must survive: `workflow_run.pull_requests` is empty for a fork's PR, and `head_repository` is `null`
 * once the fork is deleted; `pull_requests[].base.repo` carries `id`, `url` and `name` only (no `full_name`).
 */

const API = 'https://api.github.com';

function repository(fullName: string, id: number): Record<string, unknown> {
  const [owner, name] = fullName.split('/');
  return { id, name, full_name: fullName, private: false, owner: { login: owner, type: 'User' }, fork: fullName !== 'o/r', url: `${API}/repos/${fullName}` };
}

export interface RunShape {
  id: number;
  /** The workflow's name ("AutoQuant PR gate"). */
  name?: string;
  event?: string;
  /** `owner/name` of the head repository; null = the fork was deleted. Default this repository 'o/r'. */
  headRepo?: string | null;
  headBranch?: string;
  headSha?: string;
  /** PRs GitHub links (same-repository PRs only; forks: none). Default: none. */
  prs?: number[];
  conclusion?: string;
}

/** A workflow run object (the `workflow_run` of the event payload = the REST API's run). */
export function workflowRun(r: RunShape): Record<string, unknown> & { id: number } {
  const headRepo = r.headRepo === undefined ? 'o/r' : r.headRepo;
  const sha = r.headSha ?? `sha-of-${r.id}`;
  const branch = r.headBranch ?? 'feature';
  return {
    id: r.id, name: r.name ?? 'AutoQuant PR gate', node_id: `WFR_${r.id}`, head_branch: branch, head_sha: sha,
    path: '.github/workflows/pr-gate.yml', run_number: r.id % 1000, event: r.event ?? 'pull_request', display_title: 'Tweak the model',
    status: 'completed', conclusion: r.conclusion ?? 'success', workflow_id: 4242, url: `${API}/repos/o/r/actions/runs/${r.id}`,
    html_url: `https://github.com/o/r/actions/runs/${r.id}`, created_at: '2026-11-27T10:00:00Z', updated_at: '2026-11-27T10:20:00Z',
    pull_requests: (r.prs ?? []).map((n) => ({
      url: `${API}/repos/o/r/pulls/${n}`, id: 9000 + n, number: n,
      head: { ref: branch, sha, repo: { id: 1, url: `${API}/repos/o/r`, name: 'r' } },
      base: { ref: 'main', sha: 'base-sha', repo: { id: 1, url: `${API}/repos/o/r`, name: 'r' } },
    })),
    head_commit: { id: sha, message: 'Tweak the model', author: { name: 'A', email: 'a@example.com' } },
    repository: repository('o/r', 1),
    head_repository: headRepo === null ? null : repository(headRepo, headRepo === 'o/r' ? 1 : 77),
  };
}

/** The `workflow_run` event payload. */
export function workflowRunEvent(run: Record<string, unknown>): Record<string, unknown> {
  return { action: 'completed', workflow_run: run, workflow: { id: 4242, name: run['name'], path: run['path'] }, repository: repository('o/r', 1), sender: { login: 'octocat', type: 'User' } };
}

/** A pull request as the pulls API lists it. */
export function pullRequest(p: { number: number; headRepo: string | null; headOwner: string; headBranch: string; headSha: string; state?: string }): Record<string, unknown> {
  return {
    url: `${API}/repos/o/r/pulls/${p.number}`, id: 9000 + p.number, number: p.number, state: p.state ?? 'open', title: 'Tweak the model',
    user: { login: p.headOwner, type: 'User' },
    head: { label: `${p.headOwner}:${p.headBranch}`, ref: p.headBranch, sha: p.headSha, repo: p.headRepo === null ? null : repository(p.headRepo, 77) },
    base: { label: 'o:main', ref: 'main', sha: 'base-sha', repo: repository('o/r', 1) },
  };
}

/** The `pull_request` event payload. */
export function pullRequestEvent(p: { number: number; headRepo: string | null; headBranch: string }): Record<string, unknown> {
  return {
    action: 'synchronize', number: p.number,
    pull_request: { number: p.number, state: 'open', head: { ref: p.headBranch, sha: 'head-sha', repo: p.headRepo === null ? null : repository(p.headRepo, 77) },
      base: { ref: 'main', sha: 'base-sha', repo: repository('o/r', 1) } },
    repository: repository('o/r', 1), sender: { login: 'octocat', type: 'User' },
  };
}

/** The `issue_comment` event payload on a PR (a "/benchmark" comment, say). */
export function issueCommentEvent(p: { number: number; body: string; author?: string }): Record<string, unknown> {
  return {
    action: 'created',
    issue: { number: p.number, title: 'Tweak the model', pull_request: { url: `${API}/repos/o/r/pulls/${p.number}` } },
    comment: { id: 555, body: p.body, user: { login: p.author ?? 'maintainer', type: 'User' }, author_association: 'MEMBER' },
    repository: repository('o/r', 1), sender: { login: p.author ?? 'maintainer', type: 'User' },
  };
}

/** The `workflow_dispatch` event payload. */
export function workflowDispatchEvent(inputs: Record<string, string>): Record<string, unknown> {
  return { inputs, ref: 'refs/heads/main', repository: repository('o/r', 1), sender: { login: 'maintainer', type: 'User' }, workflow: '.github/workflows/benchmark.yml' };
}
