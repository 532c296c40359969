/**
 * The Azure block-blob subset behind the signed URLs the fake cache and artifact services hand out
 * (docs/github-actions.md Appendix A): staged blocks, block-list commit, single-shot PUT, GET/HEAD.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

interface Blob {
  blocks: Map<string, Buffer>;
  data?: Buffer;
  contentType: string;
}

/** Blob storage keyed by id; `url(id)` is the signed URL given to clients. */
export class BlobStore {
  private readonly blobs = new Map<string, Blob>();
  private next = 1;

  constructor(private readonly baseUrl: () => string) {}

  /** Reserves an empty blob and returns its id. */
  create(contentType: string): string {
    const id = String(this.next++);
    this.blobs.set(id, { blocks: new Map(), contentType });
    return id;
  }

  url(id: string): string {
    return `${this.baseUrl()}/blob/${id}?sig=fake-signature`;
  }

  /** Committed bytes of a blob, or undefined before the upload finished. */
  bytes(id: string): Buffer | undefined {
    return this.blobs.get(id)?.data;
  }

  /** Serves `/blob/<id>`; returns false when the path is not a blob path. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): boolean {
    const m = /^\/blob\/(\d+)$/.exec(url.pathname);
    if (!m) return false;
    const blob = this.blobs.get(m[1]!);
    if (!blob) {
      res.writeHead(404).end();
      return true;
    }
    if (req.method === 'PUT') this.put(blob, url, body, res);
    else if (req.method === 'GET' || req.method === 'HEAD') this.get(blob, req, res);
    else res.writeHead(405).end();
    return true;
  }

  private put(blob: Blob, url: URL, body: Buffer, res: ServerResponse): void {
    const comp = url.searchParams.get('comp');
    if (comp === 'block') {
      blob.blocks.set(url.searchParams.get('blockid') ?? '', body);
    } else if (comp === 'blocklist') {
      const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((x) => x[1]!);
      blob.data = Buffer.concat(ids.map((id) => blob.blocks.get(id) ?? Buffer.alloc(0)));
    } else {
      blob.data = body;
    }
    res.writeHead(201, {
      etag: `"0x${Date.now().toString(16)}"`,
      'last-modified': new Date().toUTCString(),
      'x-ms-request-id': 'fake',
      'x-ms-version': '2025-01-05',
      'x-ms-request-server-encrypted': 'true',
    }).end();
  }

  private get(blob: Blob, req: IncomingMessage, res: ServerResponse): void {
    if (!blob.data) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-length': String(blob.data.length),
      'content-type': blob.contentType,
      'x-ms-blob-type': 'BlockBlob',
    });
    res.end(req.method === 'HEAD' ? undefined : blob.data);
  }
}
