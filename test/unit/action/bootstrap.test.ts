/**
 * The onnxruntime-node bootstrap of the bundled Action: real downloads (@actions/http-client) from a local
 * registry, through a local CONNECT proxy as self-hosted runners configure one, with retries; installs that a
 * cancelled job or a cut-off cache restore leaves half-done never count as ready; musl runners get a clear
 * message; a pre-installed package can be given instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { detectLibc, ensureNativeModules, INSTALL_RECORD, nativeCacheKey, nativeModuleReady, type BootstrapDeps } from '../../../src/action/bootstrap.js';
import { downloadToFile } from '../../../src/action/download.js';
import { InputError, UnsupportedError } from '../../../src/errors.js';
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

/** A cache that keeps what is saved (by copying the saved folders) and restores it — or part of it. */
function folderCache(): CacheStore & { saved: string[]; stored?: Map<string, string>; cutOff?: boolean } {
  const c: CacheStore & { saved: string[]; stored?: Map<string, string>; cutOff?: boolean } = {
    saved: [],
    async restore(paths) {
      if (!c.stored) return undefined;
      for (const p of paths) {
        cpSync(c.stored.get(path.basename(p))!, p, { recursive: true });
        // A restore cut off by a cancelled job: the record is there, the binding is not all there.
        if (c.cutOff && path.basename(p) === 'onnxruntime-node') truncateSync(path.join(p, 'bin/napi-v6/linux/x64/onnxruntime_binding.node'), 3);
      }
      return 'hit';
    },
    async save(paths, key) {
      c.saved.push(key);
      c.stored = new Map(paths.map((p) => {
        const keep = mkdtempSync(path.join(root, 'cached-'));
        cpSync(p, keep, { recursive: true });
        return [path.basename(p), keep];
      }));
      return true;
    },
  };
  return c;
}
const log: ActionLogger = { ...recordingLogger(), error() {}, group: (_n, fn) => fn() };

/** A registry serving the two tarballs; `failFirst` requests answer 503 first. Counts requests. */
let registry: { server: http.Server; url: string; hits: string[]; failFirst: number };
/** A CONNECT proxy (what https_proxy / http_proxy point at on self-hosted runners) that tunnels to the registry. */
let proxy: { server: http.Server; url: string; tunnels: string[] };

beforeAll(async () => {
  const hits: string[] = [];
  const reg = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    if (registry.failFirst > 0) {
      registry.failFirst--;
      res.writeHead(503).end('busy');
      return;
    }
    const file = req.url?.includes('onnxruntime-node') ? ort.file : req.url?.includes('onnxruntime-common') ? common.file : undefined;
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => reg.listen(0, '127.0.0.1', r));
  registry = { server: reg, url: `http://127.0.0.1:${(reg.address() as AddressInfo).port}/`, hits, failFirst: 0 };
  const tunnels: string[] = [];
  const prox = http.createServer((_req, res) => res.writeHead(405).end());
  prox.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    // The proxy resolves the host; here every host is the local registry.
    const upstream = net.connect((reg.address() as AddressInfo).port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => prox.listen(0, '127.0.0.1', r));
  proxy = { server: prox, url: `http://127.0.0.1:${(prox.address() as AddressInfo).port}`, tunnels };
});
afterAll(async () => {
  registry.server.close();
  proxy.server.close();
});

const fastRetry = { backoffMs: () => 10, socketTimeoutMs: 5000 };

function deps(actionRoot: string, over: Partial<BootstrapDeps> = {}): BootstrapDeps & { fetched: string[] } {
  const fetched: string[] = [];
  return {
    fetched, actionRoot, resolveFrom: path.join(actionRoot, 'dist', 'action', 'index.js'), platform: 'linux', arch: 'x64', libc: 'glibc',
    registry: registry.url, tempDir: root, cache: folderCache(), log, packages: pkgs,
    download: async (url, file) => {
      fetched.push(url);
      await downloadToFile(url, file, fastRetry);
    },
    ...over,
  };
}

describe('native module bootstrap', () => {
  it('finds the installed onnxruntime-node of this checkout without downloading', async () => {
    expect(nativeModuleReady(path.join(REPO_ROOT, 'dist', 'action', 'index.js'), process.platform, process.arch)).toBe(true);
    const d = deps(REPO_ROOT, { platform: process.platform, arch: process.arch });
    expect(await ensureNativeModules(d)).toEqual({ how: 'present' });
    expect(d.fetched).toEqual([]);
  });

  it('downloads the pinned tarballs, unpacks only this platform, saves the cache and restores from it next time', async () => {
    const actionRoot = path.join(root, 'action');
    const d = deps(actionRoot);
    expect(await ensureNativeModules(d)).toEqual({ how: 'download' });
    expect(d.fetched).toEqual([
      `${registry.url}onnxruntime-common/-/onnxruntime-common-9.9.9.tgz`,
      `${registry.url}onnxruntime-node/-/onnxruntime-node-9.9.9.tgz`,
    ]);
    const mod = path.join(actionRoot, 'node_modules', 'onnxruntime-node');
    expect(readFileSync(path.join(mod, 'bin/napi-v6/linux/x64/onnxruntime_binding.node'), 'utf8')).toBe('LINUX-X64');
    expect(existsSync(path.join(mod, 'bin/napi-v6/win32'))).toBe(false);
    expect(existsSync(path.join(mod, 'script'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(mod, INSTALL_RECORD), 'utf8'))).toMatchObject({ name: 'onnxruntime-node', version: '9.9.9', files: { 'bin/napi-v6/linux/x64/onnxruntime_binding.node': 9 } });
    expect(readdirSync(path.join(actionRoot, 'node_modules')).sort()).toEqual(['onnxruntime-common', 'onnxruntime-node']); // no staging left
    const cache = d.cache as ReturnType<typeof folderCache>;
    expect(cache.saved).toEqual([nativeCacheKey('linux', 'x64', pkgs)]);
    expect(await ensureNativeModules(deps(actionRoot))).toEqual({ how: 'present' });
    const fresh = path.join(root, 'fresh-runner');
    const again = deps(fresh, { cache });
    expect(await ensureNativeModules(again)).toEqual({ how: 'cache' });
    expect(again.fetched).toEqual([]);
  });

  it('goes through the proxy of https_proxy/http_proxy, bypasses it for no_proxy hosts, and retries a busy registry', async () => {
    const saved = { http_proxy: process.env['http_proxy'], no_proxy: process.env['no_proxy'] };
    // A name only the proxy can reach: without it the download cannot resolve the host.
    const viaProxy = { registry: 'http://registry.internal.example/' };
    try {
      process.env['http_proxy'] = proxy.url;
      delete process.env['no_proxy'];
      registry.failFirst = 2;
      const d = deps(path.join(root, 'proxied'), viaProxy);
      expect(await ensureNativeModules(d)).toEqual({ how: 'download' });
      expect(proxy.tunnels).toEqual(['registry.internal.example:80', 'registry.internal.example:80', 'registry.internal.example:80', 'registry.internal.example:80']);
      process.env['no_proxy'] = '.internal.example';
      await expect(ensureNativeModules(deps(path.join(root, 'bypassed'), viaProxy))).rejects.toThrow(/download of http:\/\/registry\.internal\.example\/onnxruntime-common\/-\/onnxruntime-common-9\.9\.9\.tgz failed: .*ENOTFOUND|EAI_AGAIN/);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  });

  it('a job cancelled while installing leaves nothing that counts as ready; the next run installs cleanly', async () => {
    const actionRoot = path.join(root, 'cancelled');
    let calls = 0;
    const cancelled = deps(actionRoot, { download: async (url, file) => {
      if (++calls === 2) throw new Error('The operation was canceled.');
      await downloadToFile(url, file, fastRetry);
    } });
    await expect(ensureNativeModules(cancelled)).rejects.toThrow('canceled');
    expect(existsSync(path.join(actionRoot, 'node_modules', 'onnxruntime-node'))).toBe(false);
    expect(existsSync(path.join(actionRoot, 'node_modules', 'onnxruntime-common'))).toBe(false); // only staged
    expect(nativeModuleReady(path.join(actionRoot, 'dist', 'action', 'index.js'), 'linux', 'x64', pkgs)).toBe(false);
    expect(await ensureNativeModules(deps(actionRoot))).toEqual({ how: 'download' });
    // A package of ours damaged later (a truncated binding) is not ready either: it is installed again.
    const binding = path.join(actionRoot, 'node_modules', 'onnxruntime-node', 'bin/napi-v6/linux/x64/onnxruntime_binding.node');
    truncateSync(binding, 2);
    expect(nativeModuleReady(path.join(actionRoot, 'dist', 'action', 'index.js'), 'linux', 'x64', pkgs)).toBe(false);
    expect(await ensureNativeModules(deps(actionRoot))).toEqual({ how: 'download' });
    expect(readFileSync(binding, 'utf8')).toBe('LINUX-X64');
  });

  it('a cut-off cache restore is checked against the install record and replaced by a download', async () => {
    const first = deps(path.join(root, 'seed'));
    await ensureNativeModules(first);
    const cache = first.cache as ReturnType<typeof folderCache>;
    cache.cutOff = true;
    const d = deps(path.join(root, 'cut'), { cache });
    expect(await ensureNativeModules(d)).toEqual({ how: 'download' });
    expect(d.fetched).toHaveLength(2);
  });

  it('refuses musl runners with what to do, and uses a pre-installed package when given', async () => {
    const err = await ensureNativeModules(deps(path.join(root, 'alpine'), { libc: 'musl' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as Error).message).toBe("this runner uses musl libc (Alpine or similar), but onnxruntime-node's Linux binaries need glibc: run the job on a " +
      "glibc-based image (ubuntu, debian), or install an onnxruntime-node built for musl and give its folder in input 'onnxruntime-path'");
    const given = path.join(root, 'given', 'onnxruntime-node');
    mkdirSync(path.join(given, 'bin/napi-v6/linux/x64'), { recursive: true });
    writeFileSync(path.join(given, 'package.json'), '{"name":"onnxruntime-node","version":"1.30.0"}');
    writeFileSync(path.join(given, 'bin/napi-v6/linux/x64/onnxruntime_binding.node'), 'MUSL-BUILD');
    const d = deps(path.join(root, 'alpine'), { libc: 'musl', runtimePath: given });
    expect(await ensureNativeModules(d)).toEqual({ how: 'given', dir: given });
    expect(d.fetched).toEqual([]);
    await expect(ensureNativeModules(deps(root, { runtimePath: path.join(root, 'given') }))).rejects.toThrow(InputError);
    expect(detectLibc({ header: { glibcVersionRuntime: '2.36' } })).toBe('glibc');
    expect(detectLibc({ header: {} })).toBe('musl');
    expect(process.platform !== 'linux' || detectLibc(process.report.getReport() as never) === 'glibc').toBe(true); // this machine: Debian
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
