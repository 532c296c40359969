/**
 * Driver for Espressif's QEMU fork (espressif/qemu; shipped in the espressif/idf Docker image): builds the
 * command line for esp32 / esp32s3 (qemu-system-xtensa) and esp32c3 (qemu-system-riscv32), runs a flash
 * image with a wall-clock timeout, reads the console from stdio or a TCP port, stops at the firmware's
 * `done` record or a crash, and kills the process. Flags follow ESP-IDF's `idf.py qemu`
 * (tools/idf_py_actions/qemu_ext.py, e.g. https://github.com/espressif/esp-idf/blob/018a4cd3d6392e0db51450bdb3de99e20300daac/tools/idf_py_actions/qemu_ext.py)
 * except where the benchmark needs otherwise (-m, -icount, -no-reboot; docs/esp-dl.md §4.2). There is no ESP32-P4 (or C6/C5/S31)
 * machine in QEMU. A Model::test() result in QEMU is advisory: Espressif QEMU has open bugs in the ESP32-S3
 * vector instructions ESP-DL's kernels use (espressif/qemu#161, #164, #165, #166).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UnsupportedError } from '../errors.js';
import { createProtocolParser } from '../board/protocol.js';
import type { BenchRecord } from '../board/protocol-records.js';
import type { EmulatorRun, EmulatorRunner } from '../board/qemu-bench.js';

export const QEMU_CHIPS = ['esp32', 'esp32s3', 'esp32c3'] as const;
export type QemuChip = (typeof QEMU_CHIPS)[number];

export interface QemuOptions {
  readonly chip: string;
  /** Path of the raw flash image (2/4/8/16 MB). */
  readonly flashImage: string;
  /** Console on the process's stdio (default) or on a TCP server port QEMU opens. */
  readonly serial?: 'stdio' | { readonly tcpPort: number };
  /** `-icount shift=N`: each instruction takes 2^N ns of virtual time (deterministic). Default 3. */
  readonly icountShift?: number;
  /**
   * PSRAM size in MB (esp32: 2 or 4; esp32s3: 2–32). Defaults: esp32 4, esp32s3 8. Not 32 on the S3 as
   * `idf.py qemu` passes: 32 MB of PSRAM fill the S3's 32 MB external address space, leaving no MMU pages to map
   * the 5 MB model partition.
   */
  readonly psramMb?: number;
  /**
   * esp32s3 only: emulate octal PSRAM, for a build with CONFIG_SPIRAM_MODE_OCT (as `idf.py qemu` decides).
   * Default false: octal PSRAM is not detected in QEMU (espressif/qemu#109, #137); use the esp32s3-qemu build.
   */
  readonly octalPsram?: boolean;
  /** eFuse image file; qemuRunner writes ESP-IDF's default one (defaultEfuseImage) when none is given. */
  readonly efuseImage?: string;
  /** Directory holding qemu-system-* (else they are looked up on PATH). */
  readonly binDir?: string;
  readonly extraArgs?: readonly string[];
}

export interface QemuCommand {
  readonly command: string;
  readonly args: string[];
}

/** Throws UnsupportedError for chips QEMU does not emulate, naming what to do instead. */
export function assertQemuChip(chip: string): asserts chip is QemuChip {
  if ((QEMU_CHIPS as readonly string[]).includes(chip)) return;
  throw new UnsupportedError(
    `Espressif QEMU cannot emulate ${chip} (only ${QEMU_CHIPS.join(', ')}); ` +
      (chip === 'esp32p4' ? 'benchmark the ESP32-P4 on a real board, or use `espdl-autoquant estimate` for a model-based figure' : 'use a real board'),
  );
}

/** The exact command line (no shell): binary and arguments. */
export function qemuCommand(opts: QemuOptions): QemuCommand {
  assertQemuChip(opts.chip);
  const chip = opts.chip;
  const bin = chip === 'esp32c3' ? 'qemu-system-riscv32' : 'qemu-system-xtensa';
  const args = ['-nographic', '-machine', chip];
  const psram = opts.psramMb ?? { esp32: 4, esp32s3: 8, esp32c3: 0 }[chip];
  if (psram > 0) {
    if (chip === 'esp32c3') throw new UnsupportedError('QEMU esp32c3 has no PSRAM');
    args.push('-m', `${psram}M`);
  }
  if (chip === 'esp32s3' && opts.octalPsram === true) args.push('-global', 'driver=ssi_psram,property=is_octal,value=true');
  args.push('-drive', `file=${opts.flashImage},if=mtd,format=raw`);
  if (opts.efuseImage) {
    args.push('-drive', `file=${opts.efuseImage},if=none,format=raw,id=efuse`, '-global', `driver=nvram.${chip}.efuse,property=drive,value=efuse`);
  }
  // The watchdog of the chip's own timer group (idf.py: driver=timer.<target>.timg).
  args.push('-global', `driver=timer.${chip}.timg,property=wdt_disable,value=true`);
  args.push('-icount', `shift=${opts.icountShift ?? 3}`);
  // A panic or esp_restart() ends the process instead of looping through reboots.
  args.push('-no-reboot');
  const serial = opts.serial ?? 'stdio';
  args.push('-serial', serial === 'stdio' ? 'mon:stdio' : `tcp::${serial.tcpPort},server,nowait`);
  args.push(...(opts.extraArgs ?? []));
  return { command: opts.binDir ? path.join(opts.binDir, bin) : bin, args };
}

export interface RunProcessOptions {
  /** Wall-clock limit; the process is killed (SIGTERM, then SIGKILL after 2 s) when it passes. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Read the console from this TCP port instead of stdout (QEMU `-serial tcp::PORT,server`). */
  readonly tcpPort?: number;
}

/**
 * Runs the command and parses its console. Ends at the `done` record or the first crash (then kills the
 * process), at the timeout (kills), or when the process exits.
 */
export async function runConsoleProcess(cmd: QemuCommand, opts: RunProcessOptions): Promise<EmulatorRun> {
  const child = spawn(cmd.command, cmd.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const parser = createProtocolParser();
  const records: BenchRecord[] = [];
  let stderr = '';
  const start = Date.now();
  return new Promise<EmulatorRun>((resolve) => {
    let settled = false;
    let socket: Socket | undefined;
    const finish = (end: EmulatorRun['end']): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket?.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 2000).unref();
      }
      resolve({ records, end });
    };
    const onData = (chunk: Buffer): void => {
      for (const ev of parser.push(new Uint8Array(chunk))) {
        if (ev.kind === 'record') records.push(ev.record);
        if (ev.kind === 'record' && ev.record.type === 'done') finish({ kind: 'done' });
        if (ev.kind === 'crash') finish({ kind: 'crash', reason: ev.reason, line: ev.line });
      }
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', afterMs: Date.now() - start }), opts.timeoutMs);
    const onAbort = (): void => finish({ kind: 'exit', code: null, signal: 'aborted', detail: 'cancelled' });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', (err) => finish({ kind: 'exit', code: null, signal: null, detail: `cannot start ${cmd.command}: ${err.message}` }));
    child.on('close', (code, sig) => {
      for (const ev of parser.end()) if (ev.kind === 'record') records.push(ev.record);
      finish({ kind: 'exit', code, signal: sig, detail: stderr.trim().split('\n').slice(-3).join(' | ') });
    });
    if (opts.tcpPort === undefined) child.stdout.on('data', onData);
    else connectWithRetry(opts.tcpPort, start + opts.timeoutMs, () => settled).then((s) => { socket = s; s?.on('data', onData); }, () => undefined);
  });
}

/** QEMU opens its TCP server a moment after start: retry the connection every 100 ms. */
async function connectWithRetry(port: number, deadline: number, stop: () => boolean): Promise<Socket | undefined> {
  while (!stop() && Date.now() < deadline) {
    const s = await new Promise<Socket | undefined>((resolve) => {
      const sock = connect({ port, host: '127.0.0.1' });
      sock.once('connect', () => resolve(sock));
      sock.once('error', () => resolve(undefined));
    });
    if (s) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

/**
 * The eFuse image `idf.py qemu` writes when there is none (qemu_ext.py, QEMU_TARGETS[…].default_efuse): zeros
 * except the chip revision — esp32: revision 3 (bytes 13 = 0x80 and 22 = 0x10 of 124); esp32s3 and esp32c3:
 * revision 0.3 (byte 38 = 0x0c of 1024). A blank image would read as revision 0.
 */
export function defaultEfuseImage(chip: QemuChip): Uint8Array {
  if (chip === 'esp32') {
    const e = new Uint8Array(124);
    e[13] = 0x80;
    e[22] = 0x10;
    return e;
  }
  const e = new Uint8Array(1024);
  e[38] = 0x0c;
  return e;
}

/**
 * An EmulatorRunner over QEMU: writes each image (and the default eFuse image unless one is given) to a temp
 * directory and runs it. `wrap` lets tests put a stand-in executable in front of the real arguments.
 */
export function qemuRunner(base: Omit<QemuOptions, 'flashImage'>, timeoutMs: number, wrap?: (c: QemuCommand) => QemuCommand): EmulatorRunner {
  return async (image, label, signal) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'espdl-qemu-'));
    try {
      const flashImage = path.join(dir, `${label.replace(/[^\w.-]/g, '_')}.bin`);
      await writeFile(flashImage, image);
      let efuseImage = base.efuseImage;
      if (efuseImage === undefined) {
        assertQemuChip(base.chip);
        efuseImage = path.join(dir, 'qemu_efuse.bin');
        await writeFile(efuseImage, defaultEfuseImage(base.chip));
      }
      const cmd = qemuCommand({ ...base, flashImage, efuseImage });
      const tcp = typeof base.serial === 'object' ? base.serial.tcpPort : undefined;
      return await runConsoleProcess(wrap ? wrap(cmd) : cmd, { timeoutMs, ...(signal ? { signal } : {}), ...(tcp !== undefined ? { tcpPort: tcp } : {}) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
