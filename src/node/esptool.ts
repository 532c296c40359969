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
  /** SHA-256 (hex) of the app ELF: what the firmware reports as `hello.app_elf_sha256`. */
  readonly elfSha256: string | undefined;
}

/** Reads `<dir>/flasher_args.json`, the partition table it names and the ELF next to it. */
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
  return { dir, args, partitions, model: findPartition(partitions, 'model'), elfSha256 };
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

/** A BoardFlasher over Python esptool. */
export function esptoolFlasher(esptool: EsptoolCommand, build: FirmwareBuild, opts: { baud?: number; exec?: Exec } = {}): BoardFlasher {
  const exec = opts.exec ?? execAsync;
  const run = async (port: string, files: WriteFlashOptions['files']): Promise<void> => {
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
    flashFirmware: (port) => run(port, build.args.files.filter((f) => f.offset !== build.model.offset).map((f) => ({ offset: f.offset, path: path.join(build.dir, f.file) }))),
    flashModel: async (port, c) => {
      checkFits(build, c);
      const dir = await mkdtemp(path.join(os.tmpdir(), 'espdl-model-'));
      try {
        const file = path.join(dir, 'model.espdl');
        await writeFile(file, c.bytes);
        await run(port, [{ offset: build.model.offset, path: file }]);
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
