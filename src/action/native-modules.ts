/**
 * The native module the bundled Action cannot contain: onnxruntime-node (a N-API binary per OS/arch, 25–46 MB
 * each, all platforms together 288 MB — docs/github-actions.md §9). Pinned to the version and integrity of
 * package-lock.json (a unit test keeps them equal), fetched from the npm registry as plain tarballs.
 */

export interface NativePackage {
  name: string;
  version: string;
  /** npm `dist.integrity` (sha512, base64). */
  integrity: string;
  /**
   * Tarball members to keep (prefix match after the leading `package/`). `{platform}`/`{arch}` are replaced,
   * so a runner unpacks only its own binaries.
   */
  keep: readonly string[];
}

export const NATIVE_PACKAGES: readonly NativePackage[] = [
  {
    name: 'onnxruntime-common',
    version: '1.30.0',
    integrity: 'sha512-7fdVWjAID1dVhH/G8qK3APARunV4VkBFoCQAP7qp4Wkab0mrorvmc+sqiT+mKXOzDqdjN5j+/Z9nb4gzNPWcyA==',
    keep: [''],
  },
  {
    name: 'onnxruntime-node',
    version: '1.30.0',
    integrity: 'sha512-twhs1C2C/BFkz1yc5OY0KIU2GUq6DURO7hD4bx5Q2Qy3nAMJwRXW8xU3NVczE29VA9lolLOYepoD8fjTGOfIqw==',
    // The install script (CUDA download from NuGet) is not needed: the CPU binaries are in the tarball.
    keep: ['package.json', 'dist/', 'lib/', 'bin/napi-v6/{platform}/{arch}/'],
  },
] as const;

/** Platforms onnxruntime-node 1.30 ships CPU binaries for (no Intel macOS). */
export const SUPPORTED_PLATFORMS: readonly string[] = ['linux/x64', 'linux/arm64', 'darwin/arm64', 'win32/x64', 'win32/arm64'];

/** Registry tarball URL (`<registry>/<name>/-/<name>-<version>.tgz`). */
export function tarballUrl(pkg: NativePackage, registry: string): string {
  const base = registry.replace(/\/+$/, '');
  const leaf = pkg.name.split('/').pop()!;
  return `${base}/${pkg.name}/-/${leaf}-${pkg.version}.tgz`;
}
