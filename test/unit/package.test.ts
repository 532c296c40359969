/** What npm users get: the published file list (`npm pack`), the exports map and the engines we test on. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/paths.js';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>; engines: { node: string }; bin: Record<string, string>;
};

describe('the npm package', () => {
  it('ships the CLI, the library and the licence, but not the Action bundle', () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8', shell: process.platform === 'win32' });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files.filter((f) => f.startsWith('dist/') || f === 'action.yml')).toEqual([]);
    // Every file the exports map and the bin point at is in the package.
    const targets = Object.values(pkg.exports).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v as Record<string, string>)));
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', pkg.bin['espdl-autoquant']!, ...new Set(targets.map((t) => t.replace(/^\.\//, '')))]));
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('src/'))).toEqual([]);
  }, 120_000);

  it('exports: every entry has a default condition, and package.json is exported', () => {
    for (const [key, value] of Object.entries(pkg.exports)) {
      if (key === './package.json') expect(value).toBe('./package.json');
      else expect(Object.keys(value as object)).toEqual(['types', 'import', 'default']);
    }
  });

  it('engines names exactly the Node majors CI tests', () => {
    const ci = parse(readFileSync(path.join(REPO_ROOT, '.github', 'workflows', 'ci.yml'), 'utf8')) as { jobs: { test: { strategy: { matrix: { node: string[] } } } } };
    const pinned = readFileSync(path.join(REPO_ROOT, '.node-version'), 'utf8').trim();
    const majors = ci.jobs.test.strategy.matrix.node.map((n) => (n === '.node-version' ? pinned : n)).map((n) => n.split('.')[0]);
    expect(majors.sort()).toEqual(['20', '24']);
    expect(pkg.engines.node).toBe('^20.19.0 || ^24');
  });

  it('a plain `npm ci` in the clone skips onnxruntime-node\'s CUDA download (offline machines, the README\'s first command)', () => {
    // npm hands project config to install scripts as npm_config_*; onnxruntime-node's script exits early on "skip".
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const env = { ...process.env };
    delete env.ONNXRUNTIME_NODE_INSTALL;
    const value = execFileSync(npm, ['config', 'get', 'onnxruntime-node-install'], { cwd: REPO_ROOT, env, encoding: 'utf8', shell: process.platform === 'win32' });
    expect(value.trim()).toBe('skip');
  });
});
