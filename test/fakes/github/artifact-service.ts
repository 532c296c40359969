/**
 * Fake of GitHub's artifact service v4 (Twirp JSON, github.actions.results.api.v1.ArtifactService) as the
 * real @actions/artifact 6.2.1 drives it (docs/github-actions.md §4.3 and Appendix A). Artifacts are keyed by
 * (workflow run backend id, name); ids are numbers shared with the REST emulation.
 */
import type { BlobStore } from './blob-store.js';
import type { TwirpReply } from './cache-service.js';

/** One artifact as the fake stores it. */
export interface FakeArtifact {
  id: number;
  runBackendId: string;
  jobBackendId: string;
  name: string;
  blobId: string;
  mimeType: string;
  finalized: boolean;
  size: number;
  digest: string;
  createdAt: Date;
  expiresAt?: string;
}

const ok = (body: unknown): TwirpReply => ({ status: 200, body });

export class FakeArtifactService {
  readonly artifacts: FakeArtifact[] = [];
  private nextId = 1;
  /** When true, CreateArtifact fails like an account over its artifact storage quota (non-retryable 400). */
  full = false;

  constructor(private readonly blobs: BlobStore) {}

  handle(method: string, req: Record<string, unknown>): TwirpReply {
    const run = String(req['workflow_run_backend_id']);
    const name = req['name'] === undefined ? undefined : String(req['name']);
    switch (method) {
      case 'CreateArtifact':
        return this.create(run, String(req['workflow_job_run_backend_id']), name ?? '', req);
      case 'FinalizeArtifact':
        return this.finalize(run, name ?? '', Number(req['size'] ?? 0), String(req['hash'] ?? ''));
      case 'ListArtifacts':
        return ok({ artifacts: this.list(run, req).map(toListItem) });
      case 'GetSignedArtifactURL': {
        const a = this.find(run, name ?? '');
        return a ? ok({ signedUrl: this.blobs.url(a.blobId) }) : notFound(name);
      }
      case 'DeleteArtifact': {
        const a = this.find(run, name ?? '');
        if (!a) return notFound(name);
        this.artifacts.splice(this.artifacts.indexOf(a), 1);
        return ok({ ok: true, artifactId: String(a.id) });
      }
      default:
        return { status: 404, body: { code: 'bad_route', msg: `no method ${method}` } };
    }
  }

  /** Finalized artifacts of one run (the REST listing uses this too). */
  ofRun(runBackendId: string): FakeArtifact[] {
    return this.artifacts.filter((a) => a.finalized && a.runBackendId === runBackendId);
  }

  private create(run: string, job: string, name: string, req: Record<string, unknown>): TwirpReply {
    if (this.full) return { status: 400, body: { code: 'failed_precondition', msg: 'Artifact storage quota has been hit' } };
    if (this.artifacts.some((a) => a.runBackendId === run && a.name === name)) {
      return { status: 409, body: { code: 'already_exists', msg: 'an artifact with this name already exists on the workflow run' } };
    }
    const mimeType = typeof req['mime_type'] === 'string' ? req['mime_type'] : 'application/zip';
    const blobId = this.blobs.create(mimeType);
    const expiresAt = typeof req['expires_at'] === 'string' ? req['expires_at'] : undefined;
    this.artifacts.push({
      id: this.nextId++, runBackendId: run, jobBackendId: job, name, blobId, mimeType,
      finalized: false, size: 0, digest: '', createdAt: new Date(), ...(expiresAt ? { expiresAt } : {}),
    });
    return ok({ ok: true, signedUploadUrl: this.blobs.url(blobId) });
  }

  private finalize(run: string, name: string, size: number, hash: string): TwirpReply {
    const a = this.artifacts.find((x) => x.runBackendId === run && x.name === name && !x.finalized);
    if (!a) return notFound(name);
    Object.assign(a, { finalized: true, size, digest: hash });
    return ok({ ok: true, artifactId: String(a.id) });
  }

  private list(run: string, req: Record<string, unknown>): FakeArtifact[] {
    const nameFilter = req['name_filter'];
    const idFilter = req['id_filter'];
    return this.ofRun(run).filter(
      (a) => (nameFilter === undefined || a.name === nameFilter) && (idFilter === undefined || String(a.id) === String(idFilter)),
    );
  }

  private find(run: string, name: string): FakeArtifact | undefined {
    return this.ofRun(run).find((a) => a.name === name);
  }
}

function notFound(name: string | undefined): TwirpReply {
  return { status: 404, body: { code: 'not_found', msg: `artifact ${name ?? ''} not found` } };
}

function toListItem(a: FakeArtifact): Record<string, unknown> {
  return {
    workflowRunBackendId: a.runBackendId, workflowJobRunBackendId: a.jobBackendId, databaseId: String(a.id),
    name: a.name, size: String(a.size), createdAt: a.createdAt.toISOString(), digest: a.digest,
  };
}
