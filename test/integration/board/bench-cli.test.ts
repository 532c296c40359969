/**
 * The bench command end to end: a fake firmware build directory (flasher_args.json, partition table
 * binary, bootloader/app images), candidates on disk, and either a board emulator behind a socat PTY
 * (--no-flash: the "board" already holds the candidate) or a stand-in qemu-system-xtensa on PATH.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchReport } from '../../../src/board/bench-report.js';
import { generatePartitionTable, partitionTableFromCsv } from '../../helpers/partition-table.js';
import { benchCommand } from '../../../src/cli/commands/bench.js';
import type { CliContext } from '../../../src/cli/command.js';
import { GateError } from '../../../src/errors.js';
import { recordingLogger } from '../../fakes/recording-logger.js';
import { DeviceEmulator, startPtyPair } from '../../fakes/device-emulator.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { RUN_FOLDER_LOCK } from '../../../src/node/safe-paths.js';

const md5 = (d: Uint8Array): Uint8Array => new Uint8Array(createHash('md5').update(d).digest());
let dir: string;

function ctx(cwd: string): CliContext & { err: string[] } {
  const err: string[] = [];
  return { err, stdout: () => undefined, stderr: (t) => err.push(t), logger: recordingLogger(), cwd, env: {}, isTTY: false, signal: new AbortController().signal };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bench-cli-'));
  const build = path.join(dir, 'build');
  await mkdir(path.join(build, 'partition_table'), { recursive: true });
  await mkdir(path.join(build, 'bootloader'), { recursive: true });
  const csv = await readFile(path.join(REPO_ROOT, 'runner/firmware/partitions.csv'), 'utf8');
  await writeFile(path.join(build, 'partition_table/partition-table.bin'), generatePartitionTable(partitionTableFromCsv(csv), md5));
  await writeFile(path.join(build, 'bootloader/bootloader.bin'), new Uint8Array([0xe9, 1, 2]));
  await writeFile(path.join(build, 'espdl_bench.bin'), new Uint8Array([0xe9, 3, 4]));
  await writeFile(path.join(build, 'espdl_bench.elf'), 'ELF');
  await writeFile(path.join(build, 'flasher_args.json'), JSON.stringify({
    flash_settings: { flash_mode: 'dio', flash_size: '8MB', flash_freq: '80m' },
    flash_files: { '0x0': 'bootloader/bootloader.bin', '0x8000': 'partition_table/partition-table.bin', '0x10000': 'espdl_bench.bin' },
    'partition-table': { offset: '0x8000', file: 'partition_table/partition-table.bin' },
    extra_esptool_args: { chip: 'esp32s3', before: 'default_reset', after: 'hard_reset', stub: true },
  }));
  await mkdir(path.join(dir, 'topk/0001'), { recursive: true });
  await mkdir(path.join(dir, 'topk/0002'), { recursive: true });
  await writeFile(path.join(dir, 'topk/0001/model.espdl'), 'FAKE-MODEL ok 4000,4000,4200');
  await writeFile(path.join(dir, 'topk/0002/model.espdl'), 'FAKE-MODEL panic 1');
  // A stand-in qemu-system-xtensa on PATH (the CLI spawns the real binary name).
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  // It also records its arguments, to check the command line bench builds.
  await writeFile(path.join(bin, 'qemu-system-xtensa'), `#!/bin/sh\necho "$@" >> "${path.join(dir, 'qemu-args.log')}"\nexec "${process.execPath}" "${path.join(REPO_ROOT, 'test/fakes/fake-qemu.mjs')}" "$@"\n`);
  await chmod(path.join(bin, 'qemu-system-xtensa'), 0o755);
  process.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ''}`;
});
/** A build directory as the firmware workflow uploads it: flasher_args.json, images, ELF, config/sdkconfig.json. */
async function writeBuild(at: string, chip: string, sdk: Record<string, unknown>, elf: string): Promise<void> {
  await mkdir(path.join(at, 'partition_table'), { recursive: true });
  await mkdir(path.join(at, 'bootloader'), { recursive: true });
  await mkdir(path.join(at, 'config'), { recursive: true });
  const csv = await readFile(path.join(REPO_ROOT, 'runner/firmware/partitions.csv'), 'utf8');
  await writeFile(path.join(at, 'partition_table/partition-table.bin'), generatePartitionTable(partitionTableFromCsv(csv), md5));
  await writeFile(path.join(at, 'bootloader/bootloader.bin'), new Uint8Array([0xe9, 1, 2]));
  await writeFile(path.join(at, 'espdl_bench.bin'), new Uint8Array([0xe9, 3, 4]));
  await writeFile(path.join(at, 'espdl_bench.elf'), elf);
  await writeFile(path.join(at, 'config/sdkconfig.json'), JSON.stringify({ IDF_TARGET: chip, ...sdk }));
  await writeFile(path.join(at, 'flasher_args.json'), JSON.stringify({
    flash_settings: { flash_mode: 'dio', flash_size: '8MB', flash_freq: '80m' },
    flash_files: { '0x0': 'bootloader/bootloader.bin', '0x8000': 'partition_table/partition-table.bin', '0x10000': 'espdl_bench.bin' },
    'partition-table': { offset: '0x8000', file: 'partition_table/partition-table.bin' },
    extra_esptool_args: { chip, before: 'default_reset', after: 'hard_reset', stub: true },
  }));
}

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('espdl-autoquant bench', () => {
  it('--help documents every flag', async () => {
    const out: string[] = [];
    expect(await benchCommand.run(['--help'], { ...ctx(dir), stdout: (t) => out.push(t) })).toBe(0);
    for (const flag of ['--chip', '--firmware', '--candidates', '--port', '--reset', '--runs', '--timeout', '--qemu', '--out', '--max-latency-ms', '--esptool', '--no-flash']) {
      expect(out.join('')).toContain(flag);
    }
  });

  it('--qemu runs a search Top-K folder through the emulator and writes bench.json', async () => {
    const c = ctx(dir);
    expect(await benchCommand.run(['--qemu', '--chip', 'esp32s3', '--firmware', 'build', '--candidates', 'topk', '--timeout', '60', '--out', 'q.json'], c)).toBe(0);
    const report = benchReport.parse(JSON.parse(await readFile(path.join(dir, 'q.json'), 'utf8')));
    expect(report.mode).toBe('qemu');
    expect(report.candidates.map((x) => [x.name, x.status])).toEqual([['0001', 'ok'], ['0002', 'crashed']]);
    expect(report.candidates[0].icount?.median).toBe(500_000);
    expect(c.err.join('')).toMatch(/0001: ok test=pass \(advisory\) median 500000 instructions/);
    expect(c.err.join('')).toMatch(/note: Model::test\(\) in QEMU is advisory: Espressif QEMU has open bugs/);
    expect(report.test_advisory).toMatch(/^Model::test\(\) in QEMU is advisory/);
  });

  it('records what it measured in a run folder\'s records beside the estimate; QEMU gives no latency', async () => {
    const run = path.join(dir, 'run');
    const rec = (index: number, extra: Record<string, unknown> = {}) => ({ index, folder: `run/000${index}`, files: ['model.espdl'], strategy: {}, params: {}, score: 0.5 + index, top1: 90, ...extra });
    const estimate = { target: 'esp32s3', estimated: { latency_ms: 4.2, latency_band_ms: null, ram_bytes: 3, memory_bytes: { internal: 1, psram: 2, flash: 9 }, calibrated: true } };
    for (const i of [1, 2]) {
      await mkdir(path.join(run, `000${i}`), { recursive: true });
      await writeFile(path.join(run, `000${i}`, 'model.espdl'), i === 1 ? 'FAKE-MODEL ok 4000,4000,4200' : 'FAKE-MODEL panic 1');
    }
    await writeFile(path.join(run, 'summary.json'), JSON.stringify([rec(1, { espdl_autoquant: estimate }), rec(2), rec(3)]));
    await writeFile(path.join(run, 'candidates.json'), JSON.stringify([rec(1, { espdl_autoquant: estimate }), rec(2)]));
    const c = ctx(dir);
    expect(await benchCommand.run(['--qemu', '--chip', 'esp32s3', '--firmware', 'build', '--candidates', 'run', '--timeout', '60', '--out', 'run.json'], c)).toBe(0);
    expect(c.err.join('')).toContain(`Measurements recorded in ${run}'s candidates.json and summary.json`);
    const cands = JSON.parse(await readFile(path.join(run, 'candidates.json'), 'utf8')) as Record<string, unknown>[];
    const mem = benchReport.parse(JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'))).candidates[0]!.memory_bytes!;
    expect(cands[0]).toEqual({
      ...rec(1), espdl_autoquant: {
        ...estimate,
        measured: { source: 'qemu', chip: 'esp32s3', status: 'ok', test: 'pass', instructions: 500_000, ram_bytes: mem.internal! + mem.psram!, memory_bytes: mem },
      },
    });
    expect(cands[1]).toEqual({ ...rec(2), espdl_autoquant: { target: 'esp32s3', measured: { source: 'qemu', chip: 'esp32s3', status: 'crashed', test: null } } });
    const summary = JSON.parse(await readFile(path.join(run, 'summary.json'), 'utf8')) as Record<string, unknown>[];
    expect(summary.slice(0, 2)).toEqual(cands);
    expect(summary[2]).toEqual(rec(3));
    expect(existsSync(path.join(run, RUN_FOLDER_LOCK))).toBe(false); // the folder's lock is released
    // A search holding the folder: the benchmark is refused before any emulator starts, the records untouched.
    const qemuRuns = (await readFile(path.join(dir, 'qemu-args.log'), 'utf8')).split('\n').length;
    await writeFile(path.join(run, RUN_FOLDER_LOCK), JSON.stringify({ pid: process.ppid, host: os.hostname(), since: '2026-01-01T00:00:00Z', purpose: 'a search' }));
    await expect(benchCommand.run(['--qemu', '--chip', 'esp32s3', '--firmware', 'build', '--candidates', 'run', '--timeout', '60'], ctx(dir)))
      .rejects.toThrow(new RegExp(`run folder .*run is in use by a search \\(pid ${process.ppid} `));
    expect((await readFile(path.join(dir, 'qemu-args.log'), 'utf8')).split('\n').length).toBe(qemuRuns);
    expect(JSON.parse(await readFile(path.join(run, 'summary.json'), 'utf8'))).toEqual(summary);
    await rm(path.join(run, RUN_FOLDER_LOCK));
    // bench.json may not replace the run files the measurements are recorded in.
    await expect(benchCommand.run(['--qemu', '--chip', 'esp32s3', '--firmware', 'build', '--candidates', 'run', '--out', 'run/summary.json'], ctx(dir)))
      .rejects.toThrow(/--out .*run\/summary\.json is the same file as run file/);
    expect(JSON.parse(await readFile(path.join(run, 'summary.json'), 'utf8'))).toEqual(summary);
  });

  it('refuses an --out that is a candidate or a folder before benchmarking anything', async () => {
    const model = path.join(dir, 'topk/0001/model.espdl');
    const before = await readFile(model, 'utf8');
    const log = path.join(dir, 'qemu-args.log');
    const runs = async () => (await readFile(log, 'utf8').catch(() => '')).length;
    const started = await runs();
    await expect(benchCommand.run(['--qemu', '--chip', 'esp32s3', '--firmware', 'build', '--candidates', 'topk', '--out', 'topk/0001/model.espdl'], ctx(dir)))
      .rejects.toThrow(/--out .*topk\/0001\/model\.espdl is the same file as candidate 0001/);
    await expect(benchCommand.run(['--qemu', '--chip', 'esp32s3', '--firmware', 'build', '--candidates', 'topk', '--out', 'topk'], ctx(dir)))
      .rejects.toThrow(/--out .*topk is a folder/);
    expect(await readFile(model, 'utf8')).toBe(before);
    expect(await runs()).toBe(started); // no emulator was started
  });

  it('refuses --qemu for the ESP32-P4 and a chip that differs from the build', async () => {
    await expect(benchCommand.run(['--qemu', '--chip', 'esp32p4', '--firmware', 'build', '--candidates', 'topk'], ctx(dir))).rejects.toThrow(/QEMU cannot emulate esp32p4/);
    await expect(benchCommand.run(['--qemu', '--chip', 'esp32', '--firmware', 'build', '--candidates', 'topk'], ctx(dir))).rejects.toThrow(/--chip esp32, but build was built for esp32s3/);
  });

  it('measures a pre-flashed board over a PTY and applies the latency gate', async () => {
    const pair = await startPtyPair();
    const emu = await DeviceEmulator.open(pair.device, { chip: 'esp32s3', elfSha256: createHash('sha256').update('ELF').digest('hex') });
    emu.model = { name: 'm', behaviour: 'ok', runsUs: [2000, 2500, 3000], bytes: 10, memory: { internal: 1, psram: 2 } };
    try {
      const args = ['--chip', 'esp32s3', '--firmware', 'build', '--candidates', 'topk/0001/model.espdl', '--port', pair.host, '--no-flash', '--lock-dir', path.join(dir, 'locks'), '--out', 'b.json'];
      expect(await benchCommand.run(args, ctx(dir))).toBe(0);
      const report = benchReport.parse(JSON.parse(await readFile(path.join(dir, 'b.json'), 'utf8')));
      expect(report.boards[0]).toMatchObject({ id: pair.host, status: 'ok', firmware_flashed: false });
      expect(report.candidates[0]).toMatchObject({ name: 'model', status: 'ok', latency_us: { median: 2500, p90: 2900 } });
      await expect(benchCommand.run([...args, '--max-latency-ms', '2'], ctx(dir))).rejects.toThrow(GateError);
      expect(await benchCommand.run([...args, '--max-latency-ms', '2.5'], ctx(dir))).toBe(0);
      // A run folder's record gets the board's median latency (ms) and memory.
      const run = path.join(dir, 'boardrun');
      await mkdir(path.join(run, '0001'), { recursive: true });
      await writeFile(path.join(run, '0001', 'model.espdl'), 'FAKE-MODEL');
      const rec = { index: 1, folder: 'run/0001', files: ['model.espdl'], strategy: {}, params: {}, score: 1.5 };
      for (const f of ['summary.json', 'candidates.json']) await writeFile(path.join(run, f), JSON.stringify([rec]));
      const runArgs = [...args.slice(0, args.indexOf('--candidates')), '--candidates', 'boardrun', ...args.slice(args.indexOf('--candidates') + 2, -2), '--out', 'b2.json'];
      expect(await benchCommand.run(runArgs, ctx(dir))).toBe(0);
      const measured = benchReport.parse(JSON.parse(await readFile(path.join(dir, 'b2.json'), 'utf8'))).candidates[0]!;
      expect(measured.name).toBe('0001');
      const [record] = JSON.parse(await readFile(path.join(run, 'candidates.json'), 'utf8')) as Record<string, unknown>[];
      expect(record).toEqual({
        ...rec, espdl_autoquant: {
          target: 'esp32s3',
          measured: { source: 'board', chip: 'esp32s3', status: 'ok', test: measured.test, latency_ms: 2.5, ram_bytes: 3, memory_bytes: measured.memory_bytes },
        },
      });
    } finally {
      await emu.close();
      await pair.stop();
    }
  });

  it('takes a folder of builds (the firmware workflow\'s artifacts): QEMU runs the esp32s3-qemu build with 8 MB quad PSRAM and the default eFuse', async () => {
    const set = path.join(dir, 'firmware-set');
    await writeBuild(path.join(set, 'espdl-bench-firmware-esp32s3-octal'), 'esp32s3', { ESPDL_BENCH_VARIANT: 'esp32s3-octal', SPIRAM: true, SPIRAM_MODE_OCT: true }, 'ELF octal');
    await writeBuild(path.join(set, 'espdl-bench-firmware-esp32s3-qemu'), 'esp32s3', { ESPDL_BENCH_VARIANT: 'esp32s3-qemu', SPIRAM: true, SPIRAM_MODE_QUAD: true }, 'ELF qemu');
    await writeBuild(path.join(set, 'espdl-bench-firmware-esp32p4-rev1'), 'esp32p4', { ESPDL_BENCH_VARIANT: 'esp32p4-rev1', SPIRAM: true, ESP32P4_SELECTS_REV_LESS_V3: true }, 'ELF p4');
    await rm(path.join(dir, 'qemu-args.log'), { force: true });
    const c = ctx(dir);
    expect(await benchCommand.run(['--qemu', '--chip', 'esp32s3', '--firmware', 'firmware-set', '--candidates', 'topk/0001/model.espdl', '--timeout', '60', '--out', 'set.json'], c)).toBe(0);
    expect((c.logger as ReturnType<typeof recordingLogger>).lines).toContainEqual({ level: 'info', message: 'qemu: firmware build esp32s3-qemu' });
    const args = (await readFile(path.join(dir, 'qemu-args.log'), 'utf8')).trim();
    expect(args).toMatch(/^-nographic -machine esp32s3 -m 8M -drive file=\S+,if=mtd,format=raw -drive file=\S+qemu_efuse\.bin,if=none,format=raw,id=efuse -global driver=nvram\.esp32s3\.efuse,property=drive,value=efuse -global driver=timer\.esp32s3\.timg,property=wdt_disable,value=true -icount shift=3 -no-reboot -serial mon:stdio$/);
    // --variant picks one build explicitly; an unknown one is refused with the names there are.
    await expect(benchCommand.run(['--qemu', '--chip', 'esp32s3', '--firmware', 'firmware-set', '--variant', 'esp32s3-quad', '--candidates', 'topk'], ctx(dir)))
      .rejects.toThrow(/--variant esp32s3-quad: no esp32s3 firmware build of that name \(have: esp32s3-octal, esp32s3-qemu\)/);
    await expect(benchCommand.run(['--qemu', '--chip', 'esp32', '--firmware', 'firmware-set', '--candidates', 'topk'], ctx(dir)))
      .rejects.toThrow(/--chip esp32, but firmware-set was built for esp32p4, esp32s3/);
  });
});
