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

/**
 * Extracts the tarball at `file` into `dest`. `select(name)` gets the member path without its first
 * component (npm's `package/`) and returns whether to keep it. Returns the extracted relative paths.
 */
export async function extractTgz(file: string, dest: string, select: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  let buf: Buffer = Buffer.alloc(0);
  let pending: { name: string; size: number; type: string } | undefined;
  let nextPath: string | undefined;
  const root = path.resolve(dest);
  const place = (name: string, data: Buffer | undefined): void => {
    const rel = name.split('/').slice(1).join('/');
    if (!rel || !select(rel)) return;
    const target = path.resolve(root, rel);
    if (target !== root && !target.startsWith(root + path.sep)) throw new Error(`tarball entry escapes the destination: ${name}`);
    if (data === undefined) { mkdirSync(target, { recursive: true }); return; }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, data);
    out.push(rel);
  };
  for await (const chunk of createReadStream(file).pipe(createGunzip())) {
    buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
    for (;;) {
      if (pending) {
        const padded = Math.ceil(pending.size / BLOCK) * BLOCK;
        if (buf.length < padded) break;
        const body = buf.subarray(0, pending.size);
        if (pending.type === 'x') nextPath = paxPath(body);
        else if (pending.type === '0' || pending.type === '\0' || pending.type === '') place(pending.name, Buffer.from(body));
        buf = buf.subarray(padded);
        pending = undefined;
        continue;
      }
      if (buf.length < BLOCK) break;
      const h = buf.subarray(0, BLOCK);
      buf = buf.subarray(BLOCK);
      if (h.every((b) => b === 0)) continue;
      const prefix = field(h, 345, 155);
      const type = String.fromCharCode(h[156]!);
      let name = nextPath ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
      if (type !== 'x' && type !== 'g') nextPath = undefined;
      if (type === '5') { place(name.replace(/\/$/, ''), undefined); continue; }
      name = name.replace(/^\.\//, '');
      pending = { name, size: octal(h, 124, 12), type };
    }
  }
  return out;
}
