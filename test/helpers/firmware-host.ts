/**
 * Builds and runs the benchmark firmware on the host: runner/firmware/main/*.cpp compiled with the host C++
 * compiler against ESP-DL v3.3.9's headers and its FbsLoader (test/firmware/esp-dl/, MIT) plus stand-ins for
 * ESP-IDF and the closed or chip-only parts of ESP-DL (test/firmware/host/). The scenario is set through the
 * environment variables documented in test/firmware/host/host_env.h.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';
import { sdkconfigHeader, variantConfig, type SdkConfig } from './sdkconfig.js';

const HOST = path.join(REPO_ROOT, 'test/firmware/host');
const ESP_DL = path.join(REPO_ROOT, 'test/firmware/esp-dl');
const MAIN = path.join(REPO_ROOT, 'runner/firmware/main');

/** The C++ compiler (CXX, else g++), or an Error saying what is missing and how to install it. */
export function hostCompiler(): string {
  const cxx = process.env.CXX ?? 'g++';
  try {
    execFileSync(cxx, ['--version'], { stdio: 'ignore' });
    return cxx;
  } catch {
    throw new Error(`${cxx} not found: the host firmware test compiles runner/firmware/main/*.cpp with a C++20 compiler. ` +
      'Install one (Debian/Ubuntu: `sudo apt-get install -y g++`; macOS: `xcode-select --install`; Windows: MinGW-w64) ' +
      'or point CXX at it.');
  }
}

/** The version the copied ESP-DL sources declare (their idf_component.yml is not copied; LICENSE and PROVENANCE are). */
export const ESP_DL_VERSION = '3.3.9';

export interface HostFirmware {
  readonly binary: string;
  readonly dir: string;
  readonly config: SdkConfig;
  dispose(): Promise<void>;
}

/** Compiles the firmware as built for `variant` (its merged sdkconfig), with optional overrides. */
export async function buildHostFirmware(variant: string, overrides: ReadonlyMap<string, string | false> = new Map()): Promise<HostFirmware> {
  const cxx = hostCompiler();
  const config = variantConfig(variant);
  for (const [k, v] of overrides) config.set(k, v);
  const dir = await mkdtemp(path.join(os.tmpdir(), `espdl-fw-${variant}-`));
  await writeFile(path.join(dir, 'sdkconfig.h'), sdkconfigHeader(config));
  const binary = path.join(dir, process.platform === 'win32' ? 'fwhost.exe' : 'fwhost');
  const espdlIncludes = ['dl', 'dl/model/include', 'dl/module/include', 'dl/base', 'dl/tensor/include', 'dl/tool/include', 'fbs_loader/include']
    .flatMap((d) => ['-isystem', path.join(ESP_DL, d)]);
  const ours = (await readdir(MAIN)).filter((f) => f.endsWith('.cpp')).map((f) => path.join(MAIN, f));
  const stand = (await readdir(HOST)).filter((f) => f.endsWith('.cpp')).map((f) => path.join(HOST, f));
  const common = ['-std=gnu++20', '-O0', '-D__USE_MINGW_ANSI_STDIO=1', '-include', path.join(HOST, 'include/host_compat.h'),
    `-I${dir}`, `-I${HOST}`, `-I${path.join(HOST, 'include')}`, ...espdlIncludes];
  // ESP-DL's own loader source is compiled as it is (its warnings are not ours to fix); ours must be warning-free.
  const loader = path.join(dir, 'fbs_loader.o');
  await compile(cxx, [...common, '-w', '-c', path.join(ESP_DL, 'fbs_loader/src/fbs_loader.cpp'), '-o', loader], variant);
  await compile(cxx, [...common, '-Wall', '-Wextra', '-Werror', `-DESPDL_BENCH_ESP_DL_VERSION="${ESP_DL_VERSION}"`, ...ours, ...stand, loader, '-o', binary], variant);
  return { binary, dir, config, dispose: () => rm(dir, { recursive: true, force: true }) };
}

function compile(cxx: string, args: string[], variant: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cxx, args, { maxBuffer: 16 << 20 }, (err, _stdout, stderr) => (err ? reject(new Error(`host build of ${variant} failed:\n${stderr}`)) : resolve()));
  });
}

export interface HostRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

export interface HostScenario {
  /** Bytes at the start of the `model` partition; undefined = the partition table has no `model` partition. */
  readonly partition?: Uint8Array;
  readonly partitionBytes?: number;
  readonly models?: string;
  readonly elfSha256?: string;
  readonly chipRev?: number;
  readonly psramBytes?: number;
  readonly internalBytes?: number;
  readonly mmapFails?: boolean;
  /** Fed to the firmware's console after app_main() (the command task runs until EOF). */
  readonly stdin?: string;
}

/** Runs the host firmware once (a boot of the chip) and returns its console output. */
export async function runHostFirmware(fw: HostFirmware, s: HostScenario): Promise<HostRun> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  if (s.partition) {
    const file = path.join(fw.dir, 'partition.bin');
    await writeFile(file, s.partition);
    env.HOST_PARTITION_FILE = file;
  }
  if (s.partitionBytes !== undefined) env.HOST_PARTITION_BYTES = String(s.partitionBytes);
  if (s.models !== undefined) env.HOST_MODELS = s.models;
  if (s.elfSha256 !== undefined) env.HOST_ELF_SHA256 = s.elfSha256;
  if (s.chipRev !== undefined) env.HOST_CHIP_REV = String(s.chipRev);
  if (s.psramBytes !== undefined) env.HOST_PSRAM_BYTES = String(s.psramBytes);
  if (s.internalBytes !== undefined) env.HOST_INTERNAL_BYTES = String(s.internalBytes);
  if (s.mmapFails) env.HOST_MMAP_FAIL = '1';
  if (s.stdin !== undefined) env.HOST_COMMANDS = '1';
  return new Promise((resolve) => {
    const child = execFile(fw.binary, [], { env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err && typeof (err as NodeJS.ErrnoException).code === 'number' ? (err as unknown as { code: number }).code : err ? null : 0;
      resolve({ stdout, stderr, code });
    });
    // A firmware that stops at boot (no PSRAM, no model) exits before reading its console: writing to it then
    // fails with EPIPE, which is not the test's concern (its output and exit code are); anything else is.
    child.stdin?.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
    child.stdin?.end(s.stdin ?? '');
  });
}
