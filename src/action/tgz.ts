/**
 * Unpacks npm tarballs (gzip + tar) with tar-stream, so the Action can unpack the native module on any runner
 * without the system `tar` (Git-for-Windows tar mangles `C:` paths) and without holding 288 MB in memory: every
 * kept member is streamed to its file. Only regular files and directories are extracted; entries whose path would
 * leave the destination are refused.
 */
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

/**
 * Extracts the tarball at `file` into `dest`. `select(name)` gets the member path without its first
 * component (npm's `package/`) and returns whether to keep it. Returns the extracted relative paths.
 */
export async function extractTgz(file: string, dest: string, select: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  const root = path.resolve(dest);
  const target = (name: string): string | undefined => {
    const rel = name.replace(/^\.\//, '').replace(/\/$/, '').split('/').slice(1).join('/');
    if (!rel || !select(rel)) return undefined;
    const abs = path.resolve(root, rel);
    if (abs !== root && !abs.startsWith(root + path.sep)) throw new Error(`tarball entry escapes the destination: ${name}`);
    return abs;
  };
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    let called = false;
    const done = (err?: unknown): void => {
      if (called) return;
      called = true;
      if (err) next(err as Error);
      else next();
    };
    // tar-stream destroys the entry stream when the extraction fails; the failure reaches the caller through pipeline.
    stream.on('error', done);
    try {
      const abs = header.type === 'file' || header.type === 'directory' ? target(header.name) : undefined;
      if (abs === undefined) {
        stream.on('end', () => done()).resume();
      } else if (header.type === 'directory') {
        mkdirSync(abs, { recursive: true });
        stream.on('end', () => done()).resume();
      } else {
        mkdirSync(path.dirname(abs), { recursive: true });
        pipeline(stream, createWriteStream(abs)).then(() => {
          out.push(path.relative(root, abs).split(path.sep).join('/'));
          done();
        }, done);
      }
    } catch (err) {
      stream.resume();
      done(err);
    }
  });
  await pipeline(createReadStream(file), createGunzip(), extract);
  return out;
}
