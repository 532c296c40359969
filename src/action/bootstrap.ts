/**
 * Makes onnxruntime-node importable by the bundled Action without any setup step by the user:
 * 0. input `onnxruntime-path` names a pre-installed package (runners without internet, musl images) → use it;
 * 1. already resolvable from the bundle (dev checkout, `uses: ./` after `npm ci`, or an earlier step) and, when
 *    this bootstrap installed it, complete (its install record lists every file with its size) → done;
 * 2. else restore the packages from the Actions cache into a staging folder, verify them, move them into place;
 * 3. else download the pinned tarballs from the npm registry (`npm_config_registry` honoured; download.ts:
 *    proxy, timeout, retries, streamed to disk), verify their sha512 against package-lock's integrity, unpack
 *    only this platform's binaries into the staging folder, verify, save the cache, move them into place.
 * A package reaches `node_modules/` only by a rename of its complete, verified folder, and its install record is
 * written last inside it: a cancelled job (or a cut-off cache restore) never leaves a half-written package that
 * looks ready. No npm, no install scripts (the CUDA download from NuGet is skipped), no compiler.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { InputError, InternalError, UnsupportedError } from '../errors.js';
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
  /** The C library of a Linux runner (onnxruntime-node's Linux binaries need glibc). */
  libc?: 'glibc' | 'musl';
  registry: string;
  tempDir: string;
  cache: CacheStore;
  log: ActionLogger;
  /** Downloads a URL to a file (download.ts in the real Action). */
  download(url: string, file: string): Promise<void>;
  /** Input `onnxruntime-path`: a pre-installed onnxruntime-node package folder (absolute). */
  runtimePath?: string;
  /** Pinned packages (default NATIVE_PACKAGES; tests pass their own). */
  packages?: readonly NativePackage[];
}

/** How onnxruntime-node was made importable; `dir` is the package folder to load it from when `given`. */
export type BootstrapResult = { how: 'present' | 'cache' | 'download' } | { how: 'given'; dir: string };

const ORT = 'onnxruntime-node';
/** Written last into every package this bootstrap installs: what it is and every file with its size. */
export const INSTALL_RECORD = '.espdl-autoquant-install.json';
const STAGING = '.espdl-autoquant-staging';

interface InstallRecord { name: string; version: string; integrity: string; files: Record<string, number> }

const bindingOf = (pkgDir: string, platform: string, arch: string): string => path.join(pkgDir, 'bin', 'napi-v6', platform, arch, 'onnxruntime_binding.node');

/** Files under `dir` (relative, '/'-separated) with their sizes, the install record excluded. */
function filesOf(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || (e.parentPath === dir && e.name === INSTALL_RECORD)) continue;
    const abs = path.join(e.parentPath, e.name);
    out[path.relative(dir, abs).split(path.sep).join('/')] = statSync(abs).size;
  }
  return out;
}

/** A package folder this bootstrap completed: its record matches the pin and every listed file is there, whole. */
function completeInstall(dir: string, pkg: NativePackage): boolean {
  let rec: InstallRecord;
  try {
    rec = JSON.parse(readFileSync(path.join(dir, INSTALL_RECORD), 'utf8')) as InstallRecord;
  } catch {
    return false;
  }
  if (rec.name !== pkg.name || rec.version !== pkg.version || rec.integrity !== pkg.integrity) return false;
  return Object.entries(rec.files).every(([rel, size]) => {
    try {
      return statSync(path.join(dir, rel)).size === size;
    } catch {
      return false;
    }
  });
}

/**
 * True when `onnxruntime-node` resolves from `from` and has this platform's binding; a package this bootstrap
 * installed must also be complete (an npm-installed one, without a record, is npm's business).
 */
export function nativeModuleReady(from: string, platform: string, arch: string, packages: readonly NativePackage[] = NATIVE_PACKAGES): boolean {
  let dir: string;
  try {
    dir = path.dirname(createRequire(from).resolve(`${ORT}/package.json`));
  } catch {
    return false;
  }
  if (!existsSync(bindingOf(dir, platform, arch))) return false;
  const pkg = packages.find((p) => p.name === ORT);
  return !existsSync(path.join(dir, INSTALL_RECORD)) || (pkg !== undefined && completeInstall(dir, pkg));
}

/** Cache key of the unpacked modules for one platform. */
export function nativeCacheKey(platform: string, arch: string, packages: readonly NativePackage[] = NATIVE_PACKAGES): string {
  const pins = createHash('sha256').update(packages.map((p) => `${p.name}@${p.version}:${p.integrity}`).join('\n')).digest('hex');
  const version = packages.find((p) => p.name === ORT)?.version ?? 'none';
  return `espdl-autoquant-native-${platform}-${arch}-${ORT}-${version}-${pins.slice(0, 12)}`;
}

async function sriOfFile(file: string): Promise<string> {
  const h = createHash('sha512');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return `sha512-${h.digest('base64')}`;
}

/** Downloads, checks and unpacks one package into `stageDir/<name>`, its install record written last. */
async function stageOne(pkg: NativePackage, d: BootstrapDeps, stageDir: string): Promise<void> {
  const url = tarballUrl(pkg, d.registry);
  const tmp = mkdtempSync(path.join(d.tempDir, 'espdl-autoquant-tgz-'));
  try {
    const file = path.join(tmp, 'pkg.tgz');
    await d.download(url, file);
    if ((await sriOfFile(file)) !== pkg.integrity) throw new InternalError(`${url} does not match the pinned integrity of ${pkg.name}@${pkg.version}`);
    const keep = pkg.keep.map((k) => k.replace('{platform}', d.platform).replace('{arch}', d.arch));
    const dest = path.join(stageDir, pkg.name);
    await extractTgz(file, dest, (name) => keep.some((k) => name.startsWith(k) || `${name}/` === k));
    const record: InstallRecord = { name: pkg.name, version: pkg.version, integrity: pkg.integrity, files: filesOf(dest) };
    writeFileSync(path.join(dest, INSTALL_RECORD), `${JSON.stringify(record, null, 1)}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Every package complete in `stageDir`, and this platform's binding among them. */
function stagedComplete(stageDir: string, packages: readonly NativePackage[], d: BootstrapDeps): boolean {
  return packages.every((p) => completeInstall(path.join(stageDir, p.name), p)) && existsSync(bindingOf(path.join(stageDir, ORT), d.platform, d.arch));
}

/** Moves each staged package into `modulesDir` by a rename (same file system: the staging folder is inside it). */
function promote(stageDir: string, modulesDir: string, packages: readonly NativePackage[]): void {
  for (const p of packages) {
    const dest = path.join(modulesDir, p.name);
    rmSync(dest, { recursive: true, force: true });
    renameSync(path.join(stageDir, p.name), dest);
  }
  rmSync(stageDir, { recursive: true, force: true });
}

/** Input `onnxruntime-path`: must be an onnxruntime-node package with this platform's binding. */
function givenRuntime(dir: string, d: BootstrapDeps): BootstrapResult {
  let name: unknown;
  try {
    name = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name;
  } catch {
    throw new InputError(`input 'onnxruntime-path': ${dir} has no readable package.json; give the onnxruntime-node package folder (…/node_modules/onnxruntime-node)`);
  }
  if (name !== ORT) throw new InputError(`input 'onnxruntime-path': ${dir} holds package '${String(name)}', not ${ORT}`);
  if (!existsSync(bindingOf(dir, d.platform, d.arch))) {
    throw new InputError(`input 'onnxruntime-path': ${dir} has no binding for ${d.platform}/${d.arch} (bin/napi-v6/${d.platform}/${d.arch}/onnxruntime_binding.node)`);
  }
  d.log.info(`${ORT}: using the pre-installed package ${dir} (input onnxruntime-path).`);
  return { how: 'given', dir };
}

function checkRunner(d: BootstrapDeps): void {
  if (!SUPPORTED_PLATFORMS.includes(`${d.platform}/${d.arch}`)) {
    throw new UnsupportedError(`${ORT} has no binaries for ${d.platform}/${d.arch}; supported runners: ${SUPPORTED_PLATFORMS.join(', ')}`);
  }
  if (d.platform === 'linux' && d.libc === 'musl') {
    throw new UnsupportedError(`this runner uses musl libc (Alpine or similar), but ${ORT}'s Linux binaries need glibc: run the job on a ` +
      "glibc-based image (ubuntu, debian), or install an onnxruntime-node built for musl and give its folder in input 'onnxruntime-path'");
  }
}

/** Ensures onnxruntime-node can be imported; says how. */
export async function ensureNativeModules(d: BootstrapDeps): Promise<BootstrapResult> {
  if (d.runtimePath) return givenRuntime(d.runtimePath, d);
  const packages = d.packages ?? NATIVE_PACKAGES;
  if (nativeModuleReady(d.resolveFrom, d.platform, d.arch, packages)) return { how: 'present' };
  checkRunner(d);
  const modulesDir = path.join(d.actionRoot, 'node_modules');
  const stageDir = path.join(modulesDir, STAGING);
  rmSync(stageDir, { recursive: true, force: true }); // whatever an interrupted run left
  mkdirSync(stageDir, { recursive: true });
  const paths = packages.map((p) => path.join(stageDir, p.name));
  const key = nativeCacheKey(d.platform, d.arch, packages);
  if ((await d.cache.restore(paths, key, [])) && stagedComplete(stageDir, packages, d)) {
    promote(stageDir, modulesDir, packages);
    if (nativeModuleReady(d.resolveFrom, d.platform, d.arch, packages)) {
      d.log.info(`${ORT} restored from the Actions cache (${key}).`);
      return { how: 'cache' };
    }
  }
  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(stageDir, { recursive: true });
  await d.log.group(`Install ${ORT} for ${d.platform}/${d.arch}`, async () => {
    for (const pkg of packages) await stageOne(pkg, d, stageDir);
  });
  if (!stagedComplete(stageDir, packages, d)) throw new InternalError(`${ORT} was unpacked into ${stageDir} but is incomplete`);
  await d.cache.save(paths, key);
  promote(stageDir, modulesDir, packages);
  if (!nativeModuleReady(d.resolveFrom, d.platform, d.arch, packages)) {
    throw new InternalError(`${ORT} was installed into ${modulesDir} but does not resolve from ${d.resolveFrom}`);
  }
  return { how: 'download' };
}

/** The C library of this (Linux) process: node reports the glibc version it runs on, and none on musl. */
export function detectLibc(report: { header?: { glibcVersionRuntime?: string } } | undefined): 'glibc' | 'musl' | undefined {
  if (!report?.header) return undefined;
  return report.header.glibcVersionRuntime ? 'glibc' : 'musl';
}
