import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureNativeModules, nativeCacheKey, nativeModuleReady, type BootstrapDeps } from '../../../src/action/bootstrap.js';
import { NATIVE_PACKAGES, tarballUrl, type NativePackage } from '../../../src/action/native-modules.js';
import { recordingLogger } from '../../fakes/recording-logger.js';
import type { ActionLogger, CacheStore } from '../../../src/action/seams.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const root = mkdtempSync(path.join(tmpdir(), 'boot-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An npm-style tarball (members under package/) made with the system tar, with its SRI. */
function tarball(name: string, files: Record<string, string>): { file: string; integrity: string } {
  const src = path.join(root, `src-${name}`, 'package');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
    writeFileSync(path.join(src, rel), text);
  }
  const file = path.join(root, `${name}.tgz`);
  execFileSync('tar', ['-czf', file, '-C', path.dirname(src), 'package']);
  return { file, integrity: `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}` };
}

const ort = tarball('onnxruntime-node', {
  'package.json': '{"name":"onnxruntime-node","version":"9.9.9","main":"dist/index.js"}',
  'dist/index.js': 'module.exports = 1;',
  'bin/napi-v6/linux/x64/onnxruntime_binding.node': 'LINUX-X64',
  'bin/napi-v6/win32/x64/onnxruntime_binding.node': 'WIN',
  'script/install.js': 'nuget',
});
const common = tarball('onnxruntime-common', { 'package.json': '{"name":"onnxruntime-common","version":"9.9.9"}', 'dist/cjs/index.js': '' });
const pkgs: NativePackage[] = [
  { name: 'onnxruntime-common', version: '9.9.9', integrity: common.integrity, keep: [''] },
  { name: 'onnxruntime-node', version: '9.9.9', integrity: ort.integrity, keep: ['package.json', 'dist/', 'bin/napi-v6/{platform}/{arch}/'] },
];

function memoryCache(): CacheStore & { saved: string[] } {
  const saved: string[] = [];
  return { saved, restore: async () => undefined, save: async (_p, key) => { saved.push(key); return true; } };
}
const log: ActionLogger = { ...recordingLogger(), error() {}, group: (_n, fn) => fn() };

function deps(actionRoot: string, over: Partial<BootstrapDeps> = {}): BootstrapDeps & { fetched: string[] } {
  const fetched: string[] = [];
  return {
    fetched, actionRoot, resolveFrom: path.join(actionRoot, 'dist', 'action', 'index.js'), platform: 'linux', arch: 'x64',
    registry: 'https://registry.example/', tempDir: root, cache: memoryCache(), log, packages: pkgs,
    fetchBytes: async (url) => {
      fetched.push(url);
      return readFileSync(url.includes('onnxruntime-node') ? ort.file : common.file);
    },
    ...over,
  };
}

describe('native module bootstrap', () => {
  it('finds the installed onnxruntime-node of this checkout without downloading', async () => {
    expect(nativeModuleReady(path.join(REPO_ROOT, 'dist', 'action', 'index.js'), process.platform, process.arch)).toBe(true);
    const d = deps(REPO_ROOT, { platform: process.platform, arch: process.arch });
    expect(await ensureNativeModules(d)).toBe('present');
    expect(d.fetched).toEqual([]);
  });

  it('downloads the pinned tarballs, unpacks only this platform and saves the cache', async () => {
    const actionRoot = path.join(root, 'action');
    const d = deps(actionRoot);
    expect(await ensureNativeModules(d)).toBe('download');
    expect(d.fetched).toEqual([
      'https://registry.example/onnxruntime-common/-/onnxruntime-common-9.9.9.tgz',
      'https://registry.example/onnxruntime-node/-/onnxruntime-node-9.9.9.tgz',
    ]);
    const mod = path.join(actionRoot, 'node_modules', 'onnxruntime-node');
    expect(readFileSync(path.join(mod, 'bin/napi-v6/linux/x64/onnxruntime_binding.node'), 'utf8')).toBe('LINUX-X64');
    expect(existsSync(path.join(mod, 'bin/napi-v6/win32'))).toBe(false);
    expect(existsSync(path.join(mod, 'script'))).toBe(false);
    expect((d.cache as ReturnType<typeof memoryCache>).saved).toEqual([nativeCacheKey('linux', 'x64', pkgs)]);
    expect(await ensureNativeModules(deps(actionRoot))).toBe('present');
  });

  it('refuses a tarball whose integrity does not match the pin', async () => {
    const bad = pkgs.map((p) => ({ ...p, integrity: 'sha512-AAAA' }));
    await expect(ensureNativeModules(deps(path.join(root, 'bad'), { packages: bad }))).rejects.toThrow('does not match the pinned integrity');
  });

  it('says which runners are supported', async () => {
    await expect(ensureNativeModules(deps(path.join(root, 'mac'), { platform: 'darwin', arch: 'x64' }))).rejects.toThrow('no binaries for darwin/x64');
  });
});

describe('pinned native packages', () => {
  it('match package-lock.json (bump both together)', () => {
    const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string; integrity: string }> };
    for (const p of NATIVE_PACKAGES) {
      expect(lock.packages[`node_modules/${p.name}`], p.name).toMatchObject({ version: p.version, integrity: p.integrity });
    }
    expect(tarballUrl(NATIVE_PACKAGES[1]!, 'https://registry.npmjs.org')).toBe('https://registry.npmjs.org/onnxruntime-node/-/onnxruntime-node-1.30.0.tgz');
  });
});
