/**
 * A small streaming reader for npm tarballs (gzip + ustar/pax), so the Action can unpack the native module
 * on any runner without depending on the system `tar` (Git-for-Windows tar mangles `C:` paths) and without
 * holding 288 MB in memory. Only regular files and directories are extracted; entries whose path would leave
 * the destination are refused.
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';

const BLOCK = 512;

function field(h: Buffer, off: number, len: number): string {
  const s = h.subarray(off, off + len);
  const end = s.indexOf(0);
  return s.subarray(0, end < 0 ? len : end).toString('utf8');
}

function octal(h: Buffer, off: number, len: number): number {
  return parseInt(field(h, off, len).trim() || '0', 8);
}

/** `path=` from a pax extended header body. */
function paxPath(body: Buffer): string | undefined {
  for (const rec of body.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(rec);
    if (m) return m[1];
  }
  return undefined;
}

/** Bytes received but not consumed yet; take/skip copy each byte at most once (no quadratic concat). */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  /** Removes the first n bytes (n <= length); returns them unless `discard`. */
  take(n: number, discard = false): Buffer {
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const head = this.chunks[0]!;
      if (head.length <= left) {
        this.chunks.shift();
        if (!discard) parts.push(head);
        left -= head.length;
      } else {
        if (!discard) parts.push(head.subarray(0, left));
        this.chunks[0] = head.subarray(left);
        left = 0;
      }
    }
    this.length -= n;
    return discard ? Buffer.alloc(0) : parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }
}

interface Entry { name: string; size: number; type: string }

/**
 * Extracts the tarball at `file` into `dest`. `select(name)` gets the member path without its first
 * component (npm's `package/`) and returns whether to keep it. Returns the extracted relative paths.
 */
export async function extractTgz(file: string, dest: string, select: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  const root = path.resolve(dest);
  const target = (name: string): string | undefined => {
    const rel = name.replace(/^\.\//, '').split('/').slice(1).join('/');
    if (!rel || !select(rel)) return undefined;
    const abs = path.resolve(root, rel);
    if (abs !== root && !abs.startsWith(root + path.sep)) throw new Error(`tarball entry escapes the destination: ${name}`);
    return abs;
  };
  const q = new ByteQueue();
  let pending: Entry | undefined;
  let nextPath: string | undefined;
  for await (const chunk of createReadStream(file).pipe(createGunzip())) {
    q.push(chunk as Buffer);
    for (;;) {
      if (pending) {
        const padded = Math.ceil(pending.size / BLOCK) * BLOCK;
        if (q.length < padded) break;
        const abs = isFile(pending.type) ? target(pending.name) : undefined;
        const body = q.take(padded, pending.type !== 'x' && abs === undefined).subarray(0, pending.size);
        if (pending.type === 'x') nextPath = paxPath(body);
        else if (abs !== undefined) {
          mkdirSync(path.dirname(abs), { recursive: true });
          writeFileSync(abs, body);
          out.push(path.relative(root, abs).split(path.sep).join('/'));
        }
        pending = undefined;
        continue;
      }
      if (q.length < BLOCK) break;
      const h = q.take(BLOCK);
      if (h.every((b) => b === 0)) continue;
      const type = String.fromCharCode(h[156]!);
      const prefix = field(h, 345, 155);
      const name = nextPath ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
      if (type !== 'x' && type !== 'g') nextPath = undefined;
      if (type === '5') {
        const abs = target(name.replace(/\/$/, ''));
        if (abs !== undefined) mkdirSync(abs, { recursive: true });
        continue;
      }
      pending = { name, size: octal(h, 124, 12), type };
    }
  }
  return out;
}

function isFile(type: string): boolean {
  return type === '0' || type === '\0' || type === '';
}
