import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../../src/errors.js';
import { benchInEmulator, instructionsFromVirtualUs } from '../../../src/board/qemu-bench.js';
import { partitionTableFromCsv } from '../../helpers/partition-table.js';
import { recordingLogger } from '../../fakes/recording-logger.js';
import { defaultEfuseImage, qemuCommand, qemuRunner, runConsoleProcess, type QemuCommand } from '../../../src/node/qemu.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const FAKE = path.join(REPO_ROOT, 'test/fakes/fake-qemu.mjs');
const viaFake = (c: QemuCommand): QemuCommand => ({ command: process.execPath, args: [FAKE, ...c.args] });

describe('qemuCommand', () => {
  it('esp32: xtensa, 4 MB PSRAM, esp32 TIMG watchdog off, icount, no reboot, console on stdio', () => {
    expect(qemuCommand({ chip: 'esp32', flashImage: '/tmp/f.bin' })).toEqual({
      command: 'qemu-system-xtensa',
      args: ['-nographic', '-machine', 'esp32', '-m', '4M', '-drive', 'file=/tmp/f.bin,if=mtd,format=raw',
        '-global', 'driver=timer.esp32.timg,property=wdt_disable,value=true', '-icount', 'shift=3', '-no-reboot', '-serial', 'mon:stdio'],
    });
  });
  it('esp32s3: 8 MB quad PSRAM (32 MB would leave no MMU room for the model partition), its own TIMG, eFuse image, TCP console', () => {
    expect(qemuCommand({ chip: 'esp32s3', flashImage: 'f.bin', efuseImage: 'e.bin', serial: { tcpPort: 5555 }, icountShift: 2, binDir: '/opt/qemu/bin' })).toEqual({
      command: '/opt/qemu/bin/qemu-system-xtensa',
      args: ['-nographic', '-machine', 'esp32s3', '-m', '8M',
        '-drive', 'file=f.bin,if=mtd,format=raw', '-drive', 'file=e.bin,if=none,format=raw,id=efuse',
        '-global', 'driver=nvram.esp32s3.efuse,property=drive,value=efuse', '-global', 'driver=timer.esp32s3.timg,property=wdt_disable,value=true',
        '-icount', 'shift=2', '-no-reboot', '-serial', 'tcp::5555,server,nowait'],
    });
    // Octal only for a build that drives octal PSRAM (as idf.py qemu decides from CONFIG_SPIRAM_MODE_OCT).
    expect(qemuCommand({ chip: 'esp32s3', flashImage: 'f.bin', octalPsram: true }).args).toContain('driver=ssi_psram,property=is_octal,value=true');
  });

  it('writes the eFuse image idf.py qemu writes: chip revision 3 on esp32, 0.3 on esp32s3', () => {
    const e32 = defaultEfuseImage('esp32');
    expect(e32.length).toBe(124);
    expect([...e32.entries()].filter(([, b]) => b !== 0)).toEqual([[13, 0x80], [22, 0x10]]);
    const s3 = defaultEfuseImage('esp32s3');
    expect(s3.length).toBe(1024);
    expect([...s3.entries()].filter(([, b]) => b !== 0)).toEqual([[38, 0x0c]]);
  });
  it('esp32c3: riscv32, no PSRAM', () => {
    expect(qemuCommand({ chip: 'esp32c3', flashImage: 'f.bin' })).toEqual({
      command: 'qemu-system-riscv32',
      args: ['-nographic', '-machine', 'esp32c3', '-drive', 'file=f.bin,if=mtd,format=raw',
        '-global', 'driver=timer.esp32c3.timg,property=wdt_disable,value=true', '-icount', 'shift=3', '-no-reboot', '-serial', 'mon:stdio'],
    });
  });
  it('refuses the ESP32-P4 with a clear message', () => {
    expect(() => qemuCommand({ chip: 'esp32p4', flashImage: 'f' })).toThrow(UnsupportedError);
    expect(() => qemuCommand({ chip: 'esp32p4', flashImage: 'f' })).toThrow(/cannot emulate esp32p4 .*real board/);
  });
});

describe('runConsoleProcess with a stand-in QEMU', () => {
  const table = partitionTableFromCsv('nvs, data, nvs, , 0x6000\nphy_init, data, phy, , 0x1000\nfactory, app, factory, , 2M\nmodel, data, spiffs, , 5M\n');
  const base = [
    { name: 'bootloader', offset: 0x1000, data: new Uint8Array([0xe9]) },
    { name: 'app', offset: 0x10000, data: new Uint8Array([0xe9, 1]) },
  ];
  const cand = (name: string, spec: string) => ({ name, file: `${name}.espdl`, bytes: new TextEncoder().encode(`FAKE-MODEL ${spec}`) });

  it('runs images to done / crash / timeout / failed exit and reports icount, not latency', async () => {
    const report = await benchInEmulator({
      candidates: [cand('a', 'ok 8000,8800,8400'), cand('b', 'panic 1'), cand('d', 'fail 1'), { name: 'big', file: null, bytes: new Uint8Array(6 * 1024 * 1024) }],
      chip: 'esp32s3', baseParts: base, partitionTable: table, icountShift: 3,
      // Generous: these end on their own; only a loaded machine's process start-up would reach it.
      run: qemuRunner({ chip: 'esp32s3' }, 30_000, viaFake), logger: recordingLogger(), created: 'now',
    });
    const [a, b, d, big] = report.candidates;
    // The hanging one is killed at the wall-clock limit (kept short: it never finishes).
    const [c] = (await benchInEmulator({
      candidates: [cand('c', 'hang 1')], chip: 'esp32s3', baseParts: base, partitionTable: table, icountShift: 3,
      run: qemuRunner({ chip: 'esp32s3' }, 1500, viaFake), logger: recordingLogger(), created: 'now',
    })).candidates;
    expect(report.mode).toBe('qemu');
    // 8000 µs of virtual time at shift 3 (8 ns per instruction) = 1 000 000 instructions
    expect(a).toMatchObject({ status: 'ok', test: 'pass', latency_us: null, board: 'qemu' });
    expect(a.icount).toEqual({ shift: 3, runs: [1_000_000, 1_100_000, 1_050_000], min: 1_000_000, median: 1_050_000, mean: 1_050_000, p90: 1_090_000, max: 1_100_000 });
    expect(b).toMatchObject({ status: 'crashed', reason: "guru-meditation: Guru Meditation Error: Core  0 panic'ed (IllegalInstruction). Exception was unhandled." });
    expect(c.status).toBe('error');
    expect(c.reason).toMatch(/^qemu: no done record within \d+ ms \(wall clock\); killed$/);
    expect(d.status).toBe('error');
    expect(d.reason).toMatch(/^qemu exited \(code 1\) before the done record: qemu-system-xtensa: -drive file=\S+,if=mtd,format=raw: Could not open backing file$/);
    expect(big).toMatchObject({ status: 'error', reason: 'big: 6291456 bytes do not fit the "model" partition (5242880 bytes at 0x210000)' });
  });

  it('reports a QEMU Model::test() result as advisory: a failure keeps the candidate ok, with the reason', async () => {
    const report = await benchInEmulator({
      candidates: [cand('e', 'testfail 800')], chip: 'esp32s3', baseParts: base, partitionTable: table, icountShift: 3,
      run: qemuRunner({ chip: 'esp32s3' }, 30_000, viaFake), logger: recordingLogger(), created: 'now',
    });
    expect(report.test_advisory).toMatch(/^Model::test\(\) in QEMU is advisory: .*espressif\/qemu#161.*QEMU has no ESP32-P4\.$/);
    expect(report.candidates[0]).toMatchObject({ status: 'ok', test: 'fail', reason: 'Model::test() failed in QEMU (advisory: it may be an emulator bug; confirm on a board)' });
  });

  it('reads the console from a TCP port when QEMU serves it there', async () => {
    const file = path.join(os.tmpdir(), `fake-flash-${process.pid}.bin`);
    await writeFile(file, 'FAKE-MODEL ok 800,800,800');
    const port = 20000 + (process.pid % 20000);
    const cmd = qemuCommand({ chip: 'esp32', flashImage: file, serial: { tcpPort: port } });
    const run = await runConsoleProcess(viaFake(cmd), { timeoutMs: 3000, tcpPort: port });
    await rm(file, { force: true });
    expect(run.end).toEqual({ kind: 'done' });
    expect(run.records.find((r) => r.type === 'latency')).toEqual({ type: 'latency', index: 0, warmup: 1, runs_us: [800, 800, 800] });
  });

  it('reports a missing executable as an exit with the reason', async () => {
    const run = await runConsoleProcess({ command: '/nonexistent/qemu-system-xtensa', args: [] }, { timeoutMs: 1000 });
    expect(run.end).toEqual({ kind: 'exit', code: null, signal: null, detail: 'cannot start /nonexistent/qemu-system-xtensa: spawn /nonexistent/qemu-system-xtensa ENOENT' });
  });

  it('converts virtual µs to instructions', () => {
    expect(instructionsFromVirtualUs(1, 3)).toBe(125);
    expect(instructionsFromVirtualUs(1, 0)).toBe(1000);
  });
});
