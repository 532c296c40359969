/**
 * The GitHub REST endpoints the Action uses, emulated: issue comments (list with Link-header pagination,
 * create, update), the public artifact endpoints @actions/artifact calls with `findBy` (list a run's
 * artifacts, download redirect), a workflow run (GET /actions/runs/{id}) and the open pull requests by head
 * (GET /pulls?head=owner:branch), as seeded by the test. Comments written through the API belong to the
 * `github-actions[bot]` user.
 */
import type { ServerResponse } from 'node:http';
import type { BlobStore } from './blob-store.js';
import type { FakeArtifactService } from './artifact-service.js';

export interface FakeUser { login: string; type: 'Bot' | 'User'; id: number }
export interface FakeComment { id: number; issue: string; body: string; user: FakeUser; createdAt: string; updatedAt: string }

export const BOT: FakeUser = { login: 'github-actions[bot]', type: 'Bot', id: 41898282 };

/** Maps a numeric workflow run id to the backend id carried in the runtime token. */
export const runBackendId = (runId: number): string => `run-backend-${runId}`;

export class FakeRestApi {
  readonly comments: FakeComment[] = [];
  /** Every write (POST/PATCH) the API received, for assertions like "created once, then updated". */
  readonly writes: { method: string; path: string }[] = [];
  /** When set, write requests answer 403 like a fork PR's read-only token. */
  readOnly = false;
  /** Workflow runs by id, in the REST API's shape (seedRun). */
  readonly runs = new Map<number, Record<string, unknown>>();
  /** Pull requests of the repository, in the REST API's shape (seedPull). */
  readonly pulls: Record<string, unknown>[] = [];
  private nextId = 1000;

  constructor(
    private readonly baseUrl: () => string,
    private readonly artifacts: FakeArtifactService,
    private readonly blobs: BlobStore,
  ) {}

  /** Seeds a comment (e.g. a human's, or one from another workflow) on `owner/repo#number`. */
  seedComment(issue: string, body: string, user: FakeUser = { login: 'octocat', type: 'User', id: 1 }): FakeComment {
    const now = new Date().toISOString();
    const c = { id: this.nextId++, issue, body, user, createdAt: now, updatedAt: now };
    this.comments.push(c);
    return c;
  }

  seedRun(run: Record<string, unknown> & { id: number }): void {
    this.runs.set(run.id, run);
  }

  seedPull(pull: Record<string, unknown>): void {
    this.pulls.push(pull);
  }

  commentsOn(issue: string): FakeComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  /** Routes one request; returns false when the path is not a REST path this fake knows. */
  handle(method: string, url: URL, body: Buffer, res: ServerResponse): boolean {
    const p = url.pathname;
    let m: RegExpExecArray | null;
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(p))) {
      const issue = `${m[1]}/${m[2]}#${m[3]}`;
      if (method === 'GET') return this.page(res, url, this.commentsOn(issue).map(toJson));
      if (method === 'POST') return this.write(res, method, p, () => this.create(issue, body));
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(p)) && method === 'PATCH') {
      return this.write(res, method, p, () => this.update(Number(m![1]), body));
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)$/.exec(p)) && method === 'GET') {
      const run = this.runs.get(Number(m[1]));
      return run ? send(res, 200, run) : send(res, 404, { message: 'Not Found' });
    }
    if (/^\/repos\/[^/]+\/[^/]+\/pulls$/.exec(p) && method === 'GET') {
      // GitHub: state=open by default, head=owner:branch filters on the head repository owner and branch.
      const state = url.searchParams.get('state') ?? 'open';
      const head = url.searchParams.get('head');
      const list = this.pulls.filter((pr) => {
        const h = pr['head'] as { label?: string };
        return (state === 'all' || pr['state'] === state) && (!head || h.label === head);
      });
      return this.page(res, url, list);
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)\/artifacts$/.exec(p)) && method === 'GET') {
      const name = url.searchParams.get('name');
      const list = this.artifacts.ofRun(runBackendId(Number(m[1]))).filter((a) => !name || a.name === name);
      return send(res, 200, {
        total_count: list.length,
        artifacts: list.map((a) => ({
          id: a.id, name: a.name, size_in_bytes: a.size, created_at: a.createdAt.toISOString(),
          digest: a.digest, expired: false, archive_download_url: `${this.baseUrl()}${p.replace(/runs\/\d+\/artifacts$/, `artifacts/${a.id}/zip`)}`,
        })),
      });
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/actions\/artifacts\/(\d+)\/zip$/.exec(p)) && method === 'GET') {
      const a = this.artifacts.artifacts.find((x) => x.id === Number(m![1]) && x.finalized);
      if (!a) return send(res, 404, { message: 'Not Found' });
      res.writeHead(302, { location: this.blobs.url(a.blobId) }).end();
      return true;
    }
    return false;
  }

  private page(res: ServerResponse, url: URL, items: unknown[]): boolean {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
    const page = Number(url.searchParams.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const headers: Record<string, string> = {};
    if (page < last) {
      const next = new URL(url.toString(), this.baseUrl());
      next.searchParams.set('page', String(page + 1));
      next.searchParams.set('per_page', String(perPage));
      headers['link'] = `<${this.baseUrl()}${next.pathname}${next.search}>; rel="next"`;
    }
    return send(res, 200, items.slice((page - 1) * perPage, page * perPage), headers);
  }

  private write(res: ServerResponse, method: string, path: string, fn: () => [number, unknown]): boolean {
    if (this.readOnly) return send(res, 403, { message: 'Resource not accessible by integration' });
    this.writes.push({ method, path });
    const [status, body] = fn();
    return send(res, status, body);
  }

  private create(issue: string, body: Buffer): [number, unknown] {
    const text = String((JSON.parse(body.toString('utf8')) as { body?: unknown }).body ?? '');
    return [201, toJson(this.seedComment(issue, text, BOT))];
  }

  private update(id: number, body: Buffer): [number, unknown] {
    const c = this.comments.find((x) => x.id === id);
    if (!c) return [404, { message: 'Not Found' }];
    c.body = String((JSON.parse(body.toString('utf8')) as { body?: unknown }).body ?? '');
    c.updatedAt = new Date().toISOString();
    return [200, toJson(c)];
  }
}

function toJson(c: FakeComment): Record<string, unknown> {
  return { id: c.id, body: c.body, user: c.user, created_at: c.createdAt, updated_at: c.updatedAt, html_url: `https://github.com/${c.issue}#issuecomment-${c.id}` };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  return true;
}
