/**
 * Downloads one file for the Action (the onnxruntime-node tarballs) the way self-hosted runners need it:
 * through @actions/http-client, so `https_proxy` / `http_proxy` / `no_proxy` are honoured like every other
 * Actions tool; with a socket timeout; retried with backoff on network errors and 5xx/429; streamed to disk
 * (a 113 MB tarball is never held in memory) into a temp file that is renamed only once complete.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { HttpClient } from '@actions/http-client';

export interface DownloadOptions {
  /** Attempts in all (default 4). */
  attempts?: number;
  /** Inactivity limit of the connection, ms (default 60 s). */
  socketTimeoutMs?: number;
  /** Wait before retry n (1-based), ms (default 2 s × n). */
  backoffMs?: (attempt: number) => number;
  signal?: AbortSignal;
  /** Called before each retry (for the log). */
  onRetry?: (attempt: number, reason: string) => void;
}

class HttpStatusError extends Error {
  constructor(readonly status: number, url: string) {
    super(`GET ${url}: HTTP ${status}`);
  }
}

const retryable = (err: unknown): boolean => !(err instanceof HttpStatusError) || err.status >= 500 || err.status === 429;

async function once(client: HttpClient, url: string, file: string): Promise<void> {
  const res = await client.get(url);
  const status = res.message.statusCode ?? 0;
  if (status !== 200) {
    res.message.resume();
    throw new HttpStatusError(status, url);
  }
  const tmp = `${file}.${randomBytes(6).toString('hex')}.part`;
  try {
    await pipeline(res.message, createWriteStream(tmp));
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Downloads `url` to `file`; throws after the last attempt with every attempt's reason. */
export async function downloadToFile(url: string, file: string, opts: DownloadOptions = {}): Promise<void> {
  const attempts = opts.attempts ?? 4;
  const client = new HttpClient('espdl-autoquant', [], { socketTimeout: opts.socketTimeoutMs ?? 60_000, allowRetries: false });
  const reasons: string[] = [];
  try {
    for (let attempt = 1; ; attempt++) {
      opts.signal?.throwIfAborted();
      try {
        return await once(client, url, file);
      } catch (err) {
        reasons.push((err as Error).message);
        if (attempt >= attempts || !retryable(err)) throw new Error(`download of ${url} failed: ${reasons.join('; ')}`, { cause: err });
        opts.onRetry?.(attempt, (err as Error).message);
        await new Promise((r) => setTimeout(r, (opts.backoffMs ?? ((n) => 2000 * n))(attempt)));
      }
    }
  } finally {
    client.dispose();
  }
}
