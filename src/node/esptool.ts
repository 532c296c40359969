/**
 * Flashing the benchmark firmware and candidates: reads an ESP-IDF build directory (flasher_args.json,
 * the binary partition table, the app ELF) and writes through Python esptool when it is installed
 * (`python3 -m esptool`, `python -m esptool`, `esptool.py`, `esptool`). Without Python the CLI falls back to
 * esptool-js over a serialport Web Serial shim (src/node/esptool-js.ts; not tested against a chip here).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { BenchCandidate, BoardFlasher } from '../board/bench.js';
import { parseFlasherArgs, type FlasherArgs } from '../board/flasher-args.js';
import { variantFromSdkconfig, type FirmwareVariant } from '../board/firmware-variant.js';
import type { ImagePart } from '../board/flash-image.js';
import { findPartition, parsePartitionTable, type PartitionEntry } from '../board/partition-table.js';

export const nodeMd5 = (d: Uint8Array): Uint8Array => new Uint8Array(createHash('md5').update(d).digest());

/** What the bench needs from a firmware build directory. */
export interface FirmwareBuild {
  readonly dir: string;
  readonly args: FlasherArgs;
  readonly partitions: PartitionEntry[];
  /** The `model` partition (offset and size). */
  readonly model: PartitionEntry;
  /** SHA-256 (hex) of the app ELF: what the firmware reports (a prefix of it) as `hello.app_elf_sha256`. */
  readonly elfSha256: string | undefined;
  /** Which build this is (from `config/sdkconfig.json`). */
  readonly variant: FirmwareVariant;
}

/** A build's name when its sdkconfig.json does not say: the folder name without the workflow's prefixes. */
function nameFromDir(dir: string, chip: string): string {
  const base = path.basename(dir).replace(/^espdl-bench-firmware-/, '').replace(/^build-?/, '');
  return base === '' ? chip : base;
}

/**
 * Reads `<dir>/flasher_args.json`, the partition table it names, the ELF next to it and `config/sdkconfig.json`
 * (which build it is: chip, PSRAM, P4 silicon family; ESP-IDF writes it into every build directory).
 */
export async function loadFirmwareBuild(dir: string): Promise<FirmwareBuild> {
  const argsPath = path.join(dir, 'flasher_args.json');
  const text = await readFile(argsPath, 'utf8').catch(() => {
    throw new InputError(`${argsPath}: not found; --firmware must be an ESP-IDF build directory of runner/firmware (it has flasher_args.json)`);
  });
  const args = parseFlasherArgs(text, argsPath);
  const tableFile = args.partitionTable?.file ?? 'partition_table/partition-table.bin';
  const partitions = parsePartitionTable(new Uint8Array(await readFile(path.join(dir, tableFile))), nodeMd5);
  const elf = (await readdir(dir)).find((f) => f.endsWith('.elf'));
  const elfSha256 = elf ? createHash('sha256').update(await readFile(path.join(dir, elf))).digest('hex') : undefined;
  const sdkPath = path.join(dir, 'config/sdkconfig.json');
  const sdkText = await readFile(sdkPath, 'utf8').catch(() => undefined);
  let sdk: Record<string, unknown> = { IDF_TARGET: args.chip };
  if (sdkText !== undefined) {
    try {
      sdk = JSON.parse(sdkText) as Record<string, unknown>;
    } catch (err) {
      throw new InputError(`${sdkPath}: not JSON (${(err as Error).message})`);
    }
  }
  const variant = variantFromSdkconfig(sdk, nameFromDir(dir, args.chip), elfSha256);
  if (variant.chip !== args.chip) throw new InputError(`${dir}: sdkconfig.json says ${variant.chip}, flasher_args.json ${args.chip}`);
  return { dir, args, partitions, model: findPartition(partitions, 'model'), elfSha256, variant };
}

/**
 * One build directory (it has flasher_args.json), or a folder of them (e.g. the firmware workflow's artifacts
 * downloaded side by side: espdl-bench-firmware-<variant>/). InputError when there is none.
 */
export async function loadFirmwareSet(dir: string): Promise<FirmwareBuild[]> {
  const isBuild = async (d: string): Promise<boolean> => readFile(path.join(d, 'flasher_args.json')).then(() => true, () => false);
  if (await isBuild(dir)) return [await loadFirmwareBuild(dir)];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw new InputError(`${dir}: not found; --firmware must be an ESP-IDF build directory of runner/firmware (it has flasher_args.json) or a folder of them`);
  });
  const builds: FirmwareBuild[] = [];
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    if (await isBuild(path.join(dir, e.name))) builds.push(await loadFirmwareBuild(path.join(dir, e.name)));
  }
  if (builds.length === 0) throw new InputError(`${dir}: no flasher_args.json in it or in its sub-folders; --firmware must be an ESP-IDF build directory of runner/firmware or a folder of them`);
  const names = builds.map((b) => b.variant.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new InputError(`${dir}: two builds are named ${dup}`);
  return builds;
}

/** The build named `variant`; InputError listing the names when absent. */
export function buildNamed(builds: readonly FirmwareBuild[], variant: string | undefined): FirmwareBuild {
  const b = variant === undefined && builds.length === 1 ? builds[0] : builds.find((x) => x.variant.name === variant);
  if (!b) throw new InputError(`no firmware build ${variant ?? '(unnamed)'} (have: ${builds.map((x) => x.variant.name).join(', ')})`);
  return b;
}

/** Bootloader, partition table and app as image parts (the model partition is left to the candidate). */
export async function firmwareParts(build: FirmwareBuild): Promise<ImagePart[]> {
  const files = build.args.files.filter((f) => f.offset !== build.model.offset);
  return Promise.all(files.map(async (f) => ({ name: f.file, offset: f.offset, data: new Uint8Array(await readFile(path.join(build.dir, f.file))) })));
}

/** A way to run esptool: the executable and the arguments that come before esptool's own. */
export interface EsptoolCommand {
  readonly command: string;
  readonly prefix: readonly string[];
}

const CANDIDATES: readonly EsptoolCommand[] = [
  { command: 'python3', prefix: ['-m', 'esptool'] },
  { command: 'python', prefix: ['-m', 'esptool'] },
  { command: 'esptool.py', prefix: [] },
  { command: 'esptool', prefix: [] },
];

type Exec = (cmd: string, args: readonly string[]) => Promise<{ stdout: string; stderr: string }>;

const execAsync: Exec = (cmd, args) =>
  new Promise((resolve, reject) => execFile(cmd, [...args], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(Object.assign(err, { stdout, stderr })) : resolve({ stdout, stderr }))));

/** The first esptool that answers `version`, or undefined (then use the esptool-js path). */
export async function detectEsptool(exec: Exec = execAsync): Promise<EsptoolCommand | undefined> {
  for (const c of CANDIDATES) {
    try {
      await exec(c.command, [...c.prefix, 'version']);
      return c;
    } catch {
      // not installed in this form; try the next
    }
  }
  return undefined;
}

export interface WriteFlashOptions {
  readonly port: string;
  readonly chip: string;
  /** Flashing baud; default 460800 (what `idf.py flash` uses). */
  readonly baud?: number;
  readonly files: readonly { readonly offset: number; readonly path: string }[];
  /** Flash mode/frequency/size from flasher_args.json. */
  readonly flash?: { readonly mode: string; readonly freq: string; readonly size: string };
}

/** esptool arguments for a write (underscore spelling: accepted by esptool v4 and v5). */
export function writeFlashArgs(o: WriteFlashOptions): string[] {
  const args = ['--chip', o.chip, '-p', o.port, '-b', String(o.baud ?? 460800), '--before', 'default_reset', '--after', 'hard_reset', 'write_flash'];
  if (o.flash) args.push('--flash_mode', o.flash.mode, '--flash_freq', o.flash.freq, '--flash_size', o.flash.size);
  for (const f of o.files) args.push(`0x${f.offset.toString(16)}`, f.path);
  return args;
}

/** A BoardFlasher over Python esptool, writing the build each board needs. */
export function esptoolFlasher(esptool: EsptoolCommand, builds: readonly FirmwareBuild[], opts: { baud?: number; exec?: Exec } = {}): BoardFlasher {
  const exec = opts.exec ?? execAsync;
  const run = async (port: string, build: FirmwareBuild, files: WriteFlashOptions['files']): Promise<void> => {
    const args = writeFlashArgs({ port, chip: build.args.chip, files, ...(opts.baud ? { baud: opts.baud } : {}), flash: { mode: build.args.flashMode, freq: build.args.flashFreq, size: build.args.flashSize } });
    try {
      await exec(esptool.command, [...esptool.prefix, ...args]);
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      const tail = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
      throw new Error(`esptool failed on ${port}: ${tail || e.message}`);
    }
  };
  return {
    flashFirmware: async (port, variant) => {
      const build = buildNamed(builds, variant);
      await run(port, build, build.args.files.filter((f) => f.offset !== build.model.offset).map((f) => ({ offset: f.offset, path: path.join(build.dir, f.file) })));
    },
    flashModel: async (port, c, variant) => {
      const build = buildNamed(builds, variant);
      checkFits(build, c);
      const dir = await mkdtemp(path.join(os.tmpdir(), 'espdl-model-'));
      try {
        const file = path.join(dir, 'model.espdl');
        await writeFile(file, c.bytes);
        await run(port, build, [{ offset: build.model.offset, path: file }]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** InputError when a candidate is larger than the `model` partition. */
export function checkFits(build: FirmwareBuild, c: BenchCandidate): void {
  if (c.bytes.length > build.model.size) {
    throw new InputError(`${c.file ?? c.name}: ${c.bytes.length} bytes do not fit the "model" partition (${build.model.size} bytes at 0x${build.model.offset.toString(16)})`);
  }
}
