/**
 * qemu/run.sh, the entry point of the QEMU container (qemu/Dockerfile): it must run the espdl-autoquant the image
 * built (on PATH) or a built checkout, never `npx --no-install` (the image has no node_modules for it), and say
 * plainly that there is no ESP32-P4 in QEMU. A stand-in `espdl-autoquant` on PATH records what it is asked.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/paths.js';

let dir: string;
const run = (script: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile('bash', [script, ...args], { env: { PATH: `${env.PATH_PREFIX ?? ''}/usr/bin:/bin` } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as NodeJS.ErrnoException).code ?? 1) : 0, stdout, stderr }));
  });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'qemu-run-'));
  await mkdir(path.join(dir, 'bin'));
  await writeFile(path.join(dir, 'bin/espdl-autoquant'), `#!/bin/sh\necho "$@" > "${path.join(dir, 'cli-args')}"\n`);
  await chmod(path.join(dir, 'bin/espdl-autoquant'), 0o755);
  await writeFile(path.join(dir, 'bin/qemu-system-xtensa'), '#!/bin/sh\n');
  await chmod(path.join(dir, 'bin/qemu-system-xtensa'), 0o755);
  // A copy of the script outside any checkout: no ../lib, no ../node_modules.
  await mkdir(path.join(dir, 'image/qemu'), { recursive: true });
  await copyFile(path.join(REPO_ROOT, 'qemu/run.sh'), path.join(dir, 'image/qemu/run.sh'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('qemu/run.sh', () => {
  it('runs the installed espdl-autoquant bench --qemu with the arguments it was given', async () => {
    const r = await run(path.join(dir, 'image/qemu/run.sh'), ['esp32s3', 'firmware', 'candidates', 'out.json', '30'], { PATH_PREFIX: `${path.join(dir, 'bin')}:` });
    expect(r.code, r.stderr).toBe(0);
    expect((await readFile(path.join(dir, 'cli-args'), 'utf8')).trim())
      .toBe('bench --qemu --chip esp32s3 --firmware firmware --candidates candidates --timeout 30 --out out.json');
  });

  it('says what to do when espdl-autoquant is not installed, instead of calling npx', async () => {
    const r = await run(path.join(dir, 'image/qemu/run.sh'), ['esp32', 'fw', 'c'], { PATH_PREFIX: `${path.join(dir, 'bin')}:`.replace('/bin:', '/none:') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^espdl-autoquant is not installed: build the qemu\/Dockerfile image, or run 'npm ci' in the repository/);
    expect(await readFile(path.join(REPO_ROOT, 'qemu/run.sh'), 'utf8')).not.toMatch(/npx/);
  });

  it('refuses the ESP32-P4: QEMU has no P4 machine', async () => {
    const r = await run(path.join(REPO_ROOT, 'qemu/run.sh'), ['esp32p4', 'fw', 'c'], {});
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('QEMU has no ESP32-P4 machine: benchmark the P4 on a board (espdl-autoquant bench --port …)');
  });

  it('the image builds espdl-autoquant before it links it (qemu/Dockerfile)', async () => {
    const dockerfile = await readFile(path.join(REPO_ROOT, 'qemu/Dockerfile'), 'utf8');
    const ci = dockerfile.indexOf('RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci');
    expect(ci).toBeGreaterThan(dockerfile.indexOf('COPY src ./src'));
    expect(dockerfile.indexOf('ln -s /opt/espdl-autoquant/lib/cli/index.js /usr/local/bin/espdl-autoquant')).toBeGreaterThan(ci);
  });
});
