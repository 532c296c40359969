import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extractTgz } from '../../../src/action/tgz.js';

const root = mkdtempSync(path.join(tmpdir(), 'tgz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('extractTgz', () => {
  it('reads pax long names and keeps only selected members (GNU tar --format=posix)', async () => {
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/file.txt`;
    const src = path.join(root, 'src', 'package');
    mkdirSync(path.join(src, path.dirname(long)), { recursive: true });
    writeFileSync(path.join(src, long), 'deep');
    writeFileSync(path.join(src, 'keep.bin'), Buffer.alloc(70_000, 7));
    writeFileSync(path.join(src, 'drop.txt'), 'no');
    const file = path.join(root, 'a.tgz');
    execFileSync('tar', ['--format=posix', '-czf', file, '-C', path.dirname(src), 'package']);
    const out = path.join(root, 'out');
    const got = await extractTgz(file, out, (n) => n !== 'drop.txt');
    expect(got.sort()).toEqual([long, 'keep.bin'].sort());
    expect(readFileSync(path.join(out, long), 'utf8')).toBe('deep');
    expect(readFileSync(path.join(out, 'keep.bin')).equals(Buffer.alloc(70_000, 7))).toBe(true);
    expect(existsSync(path.join(out, 'drop.txt'))).toBe(false);
  });

  it('refuses members that would land outside the destination', async () => {
    const src = path.join(root, 'evil');
    mkdirSync(src, { recursive: true });
    writeFileSync(path.join(src, 'x.txt'), 'x');
    const file = path.join(root, 'evil.tgz');
    execFileSync('tar', ['-czf', file, '-C', src, '--transform', 's,^,package/../../,', 'x.txt']);
    await expect(extractTgz(file, path.join(root, 'out2'), () => true)).rejects.toThrow('escapes the destination');
  });
});
