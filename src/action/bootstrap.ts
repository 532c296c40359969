/**
 * Makes onnxruntime-node importable by the bundled Action without any setup step by the user:
 * 1. already resolvable from the bundle (dev checkout, `uses: ./` after `npm ci`, or an earlier step) → done;
 * 2. else restore `<action>/node_modules/{onnxruntime-node,onnxruntime-common}` from the Actions cache
 *    (key: os, arch, pinned version + integrity);
 * 3. else download the pinned tarballs from the npm registry (`npm_config_registry` honoured), verify their
 *    sha512 against package-lock's integrity, unpack only this platform's binaries, and save the cache.
 * No npm, no install scripts (the CUDA download from NuGet is skipped), no compiler.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UnsupportedError, InternalError } from '../errors.js';
import { extractTgz } from './tgz.js';
import { NATIVE_PACKAGES, SUPPORTED_PLATFORMS, tarballUrl, type NativePackage } from './native-modules.js';
import type { ActionLogger, CacheStore } from './seams.js';

export interface BootstrapDeps {
  /** Folder of the action checkout (the one with action.yml); modules go to `<root>/node_modules`. */
  actionRoot: string;
  /** The bundle's own path: resolution starts here, exactly as the later `import('onnxruntime-node')`. */
  resolveFrom: string;
  platform: string;
  arch: string;
  registry: string;
  tempDir: string;
  cache: CacheStore;
  log: ActionLogger;
  /** Downloads a URL's bytes. */
  fetchBytes(url: string): Promise<Uint8Array>;
  /** Pinned packages (default NATIVE_PACKAGES; tests pass their own). */
  packages?: readonly NativePackage[];
}

const ORT = 'onnxruntime-node';

/** True when `onnxruntime-node` resolves from `from` and has this platform's binding. */
export function nativeModuleReady(from: string, platform: string, arch: string): boolean {
  try {
    const pkgJson = createRequire(from).resolve(`${ORT}/package.json`);
    return existsSync(path.join(path.dirname(pkgJson), 'bin', 'napi-v6', platform, arch, 'onnxruntime_binding.node'));
  } catch {
    return false;
  }
}

/** Cache key of the unpacked modules for one platform. */
export function nativeCacheKey(platform: string, arch: string, packages: readonly NativePackage[] = NATIVE_PACKAGES): string {
  const pins = createHash('sha256').update(packages.map((p) => `${p.name}@${p.version}:${p.integrity}`).join('\n')).digest('hex');
  const version = packages.find((p) => p.name === ORT)?.version ?? 'none';
  return `espdl-autoquant-native-${platform}-${arch}-${ORT}-${version}-${pins.slice(0, 12)}`;
}

function sriOf(bytes: Uint8Array): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

async function installOne(pkg: NativePackage, d: BootstrapDeps, modulesDir: string): Promise<void> {
  const url = tarballUrl(pkg, d.registry);
  const bytes = await d.fetchBytes(url);
  if (sriOf(bytes) !== pkg.integrity) throw new InternalError(`${url} does not match the pinned integrity of ${pkg.name}@${pkg.version}`);
  const tmp = mkdtempSync(path.join(d.tempDir, 'espdl-autoquant-tgz-'));
  try {
    const file = path.join(tmp, 'pkg.tgz');
    writeFileSync(file, bytes);
    const keep = pkg.keep.map((k) => k.replace('{platform}', d.platform).replace('{arch}', d.arch));
    const dest = path.join(modulesDir, pkg.name);
    rmSync(dest, { recursive: true, force: true });
    await extractTgz(file, dest, (name) => keep.some((k) => name.startsWith(k) || `${name}/` === k));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Ensures onnxruntime-node can be imported; returns how ('present' | 'cache' | 'download'). */
export async function ensureNativeModules(d: BootstrapDeps): Promise<'present' | 'cache' | 'download'> {
  if (nativeModuleReady(d.resolveFrom, d.platform, d.arch)) return 'present';
  if (!SUPPORTED_PLATFORMS.includes(`${d.platform}/${d.arch}`)) {
    throw new UnsupportedError(`${ORT} has no binaries for ${d.platform}/${d.arch}; supported runners: ${SUPPORTED_PLATFORMS.join(', ')}`);
  }
  const packages = d.packages ?? NATIVE_PACKAGES;
  const modulesDir = path.join(d.actionRoot, 'node_modules');
  const paths = packages.map((p) => path.join(modulesDir, p.name));
  const key = nativeCacheKey(d.platform, d.arch, packages);
  if ((await d.cache.restore(paths, key, [])) && nativeModuleReady(d.resolveFrom, d.platform, d.arch)) {
    d.log.info(`${ORT} restored from the Actions cache (${key}).`);
    return 'cache';
  }
  await d.log.group(`Install ${ORT} for ${d.platform}/${d.arch}`, async () => {
    for (const pkg of packages) await installOne(pkg, d, modulesDir);
  });
  if (!nativeModuleReady(d.resolveFrom, d.platform, d.arch)) {
    throw new InternalError(`${ORT} was unpacked into ${modulesDir} but does not resolve from ${d.resolveFrom}`);
  }
  await d.cache.save(paths, key);
  return 'download';
}
