/**
 * Loopback emulation of the GitHub services the Action talks to, good enough for the REAL @actions/cache
 * 6.3.0 (cache service v2, Twirp + blob), @actions/artifact 6.2.1 (artifact service v4, Twirp + blob, and the
 * public REST download path) and @actions/github 9.1.1 (issue comments with pagination). Protocol facts:
 * docs/github-actions.md Appendix A.
 *
 * Failure switch per service: 'down' drops the connection (the clients do not retry network errors), 'full'
 * answers like a cache/artifact quota that is used up, a number answers every request with that HTTP status.
 * (A 500/502/503/504 makes the toolkit retry 5× with 3 s+ backoff, so tests prefer 'down' or a 4xx.)
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlobStore } from './github/blob-store.js';
import { FakeCacheService } from './github/cache-service.js';
import { FakeArtifactService } from './github/artifact-service.js';
import { FakeRestApi, runBackendId } from './github/rest-api.js';

export { BOT, runBackendId } from './github/rest-api.js';
export type { FakeComment, FakeUser } from './github/rest-api.js';
export type { FakeArtifact } from './github/artifact-service.js';
export type { FakeCacheEntry } from './github/cache-service.js';

export type ServiceName = 'cache' | 'artifact' | 'api';
export type FailureMode = 'none' | 'down' | 'full' | number;

/** Identity of the simulated workflow run/job whose runtime token the clients present. */
export interface RunIdentity { runId: number; jobId?: number }

export interface FakeGitHubServices {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly cache: FakeCacheService;
  readonly artifacts: FakeArtifactService;
  readonly api: FakeRestApi;
  readonly blobs: BlobStore;
  /** Every request as `METHOD /path` (query dropped), in arrival order. */
  readonly requests: string[];
  /** The runner-injected variables the toolkit reads (results URL, runtime token, cache v2, API URL). */
  env(run: RunIdentity): Record<string, string>;
  fail(service: ServiceName, mode: FailureMode): void;
  close(): Promise<void>;
}

/** An unsigned JWT like the runner's, whose `scp` claim carries the run/job backend ids (act does the same). */
export function runtimeToken(run: RunIdentity): string {
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const scp = `Actions.ExampleScope Actions.Results:${runBackendId(run.runId)}:job-backend-${run.jobId ?? 1}`;
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ scp, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
}

/** Starts the fake on 127.0.0.1 (ephemeral port). Close it in afterAll. */
export async function startFakeGitHubServices(): Promise<FakeGitHubServices> {
  let url = '';
  const blobs = new BlobStore(() => url);
  const cache = new FakeCacheService(blobs);
  const artifacts = new FakeArtifactService(blobs);
  const api = new FakeRestApi(() => url, artifacts, blobs);
  const failures: Record<ServiceName, FailureMode> = { cache: 'none', artifact: 'none', api: 'none' };
  const requests: string[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', url);
      requests.push(`${req.method} ${u.pathname}`);
      route(req, res, u, Buffer.concat(chunks));
    });
  });

  function route(req: IncomingMessage, res: ServerResponse, u: URL, body: Buffer): void {
    const twirp = /^\/twirp\/github\.actions\.results\.api\.v1\.(CacheService|ArtifactService)\/(\w+)$/.exec(u.pathname);
    const service: ServiceName = twirp ? (twirp[1] === 'CacheService' ? 'cache' : 'artifact') : u.pathname.startsWith('/blob/') ? blobOwner(u) : 'api';
    const mode = failures[service];
    if (mode === 'down') return void req.socket.destroy();
    if (typeof mode === 'number') return void json(res, mode, { code: 'internal', msg: `injected HTTP ${mode}`, message: `injected HTTP ${mode}` });
    if (twirp) {
      if (!req.headers.authorization?.startsWith('Bearer ')) return void json(res, 401, { code: 'unauthenticated', msg: 'no token' });
      const reqBody = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      const reply = twirp[1] === 'CacheService' ? cache.handle(twirp[2]!, reqBody) : artifacts.handle(twirp[2]!, reqBody);
      return void json(res, reply.status, reply.body);
    }
    if (blobs.handle(req, res, u, body)) return;
    if (!req.headers.authorization) return void json(res, 401, { message: 'Requires authentication' });
    if (!api.handle(req.method ?? 'GET', u, body, res)) json(res, 404, { message: `Not Found: ${req.method} ${u.pathname}` });
  }

  // A blob belongs to the service that created it; failures of that service apply to its blobs too.
  function blobOwner(u: URL): ServiceName {
    const id = /^\/blob\/(\d+)/.exec(u.pathname)?.[1];
    return cache.entries.some((e) => e.blobId === id) ? 'cache' : 'artifact';
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url, cache, artifacts, api, blobs, requests,
    env: (run) => ({
      ACTIONS_RESULTS_URL: `${url}/`,
      ACTIONS_RUNTIME_TOKEN: runtimeToken(run),
      ACTIONS_CACHE_SERVICE_V2: 'true',
      GITHUB_API_URL: url,
      GITHUB_SERVER_URL: 'https://github.com',
    }),
    fail(service, mode) {
      failures[service] = mode === 'full' ? 'none' : mode;
      if (service === 'cache') cache.full = mode === 'full';
      if (service === 'artifact') artifacts.full = mode === 'full';
      if (service === 'api') api.readOnly = mode === 'full';
    },
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
