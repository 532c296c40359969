/**
 * Fake of GitHub's cache service v2 (Twirp JSON, github.actions.results.api.v1.CacheService), as the real
 * @actions/cache 6.3.0 drives it (docs/github-actions.md §3.3 and Appendix A): entries are (key, version),
 * immutable, looked up by exact key then by each restore key as exact match and then as newest prefix match.
 */
import type { BlobStore } from './blob-store.js';

/** One cache entry as the fake stores it. */
export interface FakeCacheEntry {
  key: string;
  version: string;
  blobId: string;
  finalized: boolean;
  sizeBytes: number;
  /** Monotonic creation order (newest wins a prefix match). */
  seq: number;
}

export type TwirpReply = { status: number; body: unknown };

const ok = (body: unknown): TwirpReply => ({ status: 200, body });

/** The cache service state and its three Twirp methods. */
export class FakeCacheService {
  readonly entries: FakeCacheEntry[] = [];
  private seq = 0;
  /** When true, CreateCacheEntry answers ok:false like a repository over its cache quota. */
  full = false;

  constructor(private readonly blobs: BlobStore) {}

  handle(method: string, req: Record<string, unknown>): TwirpReply {
    switch (method) {
      case 'GetCacheEntryDownloadURL':
        return this.lookup(String(req['key']), (req['restore_keys'] as string[] | undefined) ?? [], String(req['version']));
      case 'CreateCacheEntry':
        return this.create(String(req['key']), String(req['version']));
      case 'FinalizeCacheEntryUpload':
        return this.finalize(String(req['key']), String(req['version']), Number(req['size_bytes'] ?? 0));
      default:
        return { status: 404, body: { code: 'bad_route', msg: `no method ${method}` } };
    }
  }

  private lookup(key: string, restoreKeys: string[], version: string): TwirpReply {
    const usable = this.entries.filter((e) => e.finalized && e.version === version).sort((a, b) => b.seq - a.seq);
    const hit =
      usable.find((e) => e.key === key) ??
      restoreKeys
        .map((k) => usable.find((e) => e.key === k) ?? usable.find((e) => e.key.startsWith(k)))
        .find((e) => e !== undefined);
    if (!hit) return ok({ ok: false, signedDownloadUrl: '', matchedKey: '' });
    return ok({ ok: true, signedDownloadUrl: this.blobs.url(hit.blobId), matchedKey: hit.key });
  }

  private create(key: string, version: string): TwirpReply {
    if (this.full) return ok({ ok: false, signedUploadUrl: '', message: 'Cache storage quota exceeded (cache full)' });
    if (this.entries.some((e) => e.key === key && e.version === version)) {
      return { status: 409, body: { code: 'already_exists', msg: 'cache entry already exists' } };
    }
    const blobId = this.blobs.create('application/octet-stream');
    this.entries.push({ key, version, blobId, finalized: false, sizeBytes: 0, seq: this.seq++ });
    return ok({ ok: true, signedUploadUrl: this.blobs.url(blobId) });
  }

  private finalize(key: string, version: string, size: number): TwirpReply {
    const entry = this.entries.find((e) => e.key === key && e.version === version && !e.finalized);
    if (!entry) return { status: 404, body: { code: 'not_found', msg: 'no reservation' } };
    entry.finalized = true;
    entry.sizeBytes = size;
    return ok({ ok: true, entryId: String(this.entries.indexOf(entry) + 1) });
  }
}
