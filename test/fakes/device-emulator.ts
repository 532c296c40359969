/**
 * A stand-in for an ESP32 running the benchmark firmware, on the far end of a real pseudo-terminal pair
 * (socat). It prints what a board prints — ROM banner, coloured ESP-IDF log lines, the protocol records of
 * runner/PROTOCOL.md — in small chunks that split lines and escape sequences, and it obeys the protocol's
 * `restart` command (PTYs carry no DTR/RTS). Each "flashed" model picks a behaviour: normal, failing test,
 * panic, spontaneous reboot or hang; a board can also be unplugged mid-run (`disconnectOn`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { SerialPort } from 'serialport';
import { formatRecord } from '../../src/board/protocol-records.js';
import { parseCommand } from '../../src/board/commands.js';

export type Behaviour = 'ok' | 'test-fail' | 'panic' | 'reboot' | 'hang';

export interface EmulatedModel {
  readonly name: string;
  readonly behaviour: Behaviour;
  /** Timed runs, µs (warm-up is printed in addition). */
  readonly runsUs: readonly number[];
  readonly bytes: number;
  readonly memory: { readonly internal: number; readonly psram: number };
}

export interface EmulatorOptions {
  readonly chip: string;
  /** What `hello.app_elf_sha256` reports until the firmware is "flashed". */
  readonly elfSha256: string;
  /** Never print anything (a dead board). */
  readonly silent?: boolean;
  /** Unplug (call `unplug`, e.g. kill socat) while running the model of this name. */
  readonly disconnectOn?: string;
  readonly unplug?: () => unknown;
}

/** A socat PTY pair: `host` is for the code under test, `device` for the emulator. */
export interface PtyPair {
  readonly host: string;
  readonly device: string;
  readonly socat: ChildProcess;
  /** Kills socat (the "unplug"); resolves once it has exited and removed its PTYs and links. */
  stop(): Promise<void>;
}

/** Starts socat; with `links`, the two ends also get those stable symlink paths (kept across restarts). */
export async function startPtyPair(links?: { host: string; device: string }): Promise<PtyPair> {
  const end = (link?: string): string => `pty,raw,echo=0${link ? `,link=${link}` : ''}`;
  const socat = spawn('socat', ['-d', '-d', end(links?.host), end(links?.device)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const paths = await new Promise<string[]>((resolve, reject) => {
    let err = '';
    socat.once('error', reject);
    socat.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (/starting data transfer loop/.test(err)) resolve([...err.matchAll(/PTY is (\S+)/g)].map((m) => m[1]));
    });
  });
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  const stop = (): Promise<void> => {
    if (socat.exitCode === null && socat.signalCode === null) socat.kill();
    return exited;
  };
  return { host: links?.host ?? paths[0], device: links?.device ?? paths[1], socat, stop };
}

const ANSI = { green: '\x1b[0;32m', yellow: '\x1b[0;33m', reset: '\x1b[0m' };
// Chunk sizes cycle through these, so lines, UTF-8 and escape sequences are cut at varied places.
const CHUNKS = [5, 17, 3, 29, 11, 1, 23];

export class DeviceEmulator {
  /** The model currently in the "model partition" (set by the test's flasher). */
  model: EmulatedModel | undefined;
  elfSha256: string;
  boots = 0;
  private port: SerialPort;
  private rx = '';
  private chunk = 0;
  private generation = 0;

  private constructor(port: SerialPort, private readonly opts: EmulatorOptions) {
    this.port = port;
    this.elfSha256 = opts.elfSha256;
    port.on('data', (d: Buffer) => this.onData(d.toString('latin1')));
    port.on('error', () => undefined);
  }

  static async open(devicePath: string, opts: EmulatorOptions): Promise<DeviceEmulator> {
    const port = new SerialPort({ path: devicePath, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    return new DeviceEmulator(port, opts);
  }

  async close(): Promise<void> {
    this.generation++;
    if (this.port.isOpen) await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }

  private onData(text: string): void {
    this.rx += text;
    let nl = this.rx.indexOf('\n');
    while (nl >= 0) {
      const line = this.rx.slice(0, nl);
      this.rx = this.rx.slice(nl + 1);
      if (parseCommand(line) === 'restart' && !this.opts.silent) void this.boot();
      nl = this.rx.indexOf('\n');
    }
  }

  /** Writes text in uneven chunks with a pause between them; stops if a newer boot started. */
  private async send(text: string, gen: number): Promise<boolean> {
    const bytes = Buffer.from(text, 'utf8');
    for (let at = 0; at < bytes.length; ) {
      if (gen !== this.generation || !this.port.isOpen) return false;
      const n = CHUNKS[this.chunk++ % CHUNKS.length];
      this.port.write(bytes.subarray(at, at + n));
      at += n;
      await new Promise((r) => setTimeout(r, 1));
    }
    return gen === this.generation;
  }

  /** One boot: banner, log noise, then the firmware's records for the flashed model. */
  async boot(): Promise<void> {
    const gen = ++this.generation;
    this.boots++;
    // Like a chip, a boot runs what the flash holds when it starts, even if it is re-flashed meanwhile.
    const m = this.model;
    const banner = `ESP-ROM:${this.opts.chip}-20210327\r\nrst:0xc (SW_CPU_RESET),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n` +
      `${ANSI.green}I (31) boot: ESP-IDF v5.5.4 2nd stage bootloader${ANSI.reset}\r\nI esp_psram: Found 8MB PSRAM device\r\n` +
      `${ANSI.green}I (412) main_task: Calling app_main()${ANSI.reset}\r\n`;
    if (!(await this.send(banner, gen))) return;
    const hello = { type: 'hello' as const, protocol: 1, chip: this.opts.chip, idf: 'v5.5.4', esp_dl: '3.3.9', app_elf_sha256: this.elfSha256, cpu_mhz: 240, runs: m?.runsUs.length ?? 3, warmup: 1 };
    if (!(await this.send(formatRecord(hello), gen))) return;
    if (!m) {
      await this.send(formatRecord({ type: 'error', code: 'no-model', message: 'partition "model" holds no EDL2/PDL3 data' }) + formatRecord({ type: 'done', models: 0, errors: 1 }), gen);
      return;
    }
    await this.runModel(m, gen);
  }

  private async runModel(m: EmulatedModel, gen: number): Promise<void> {
    const s = (t: string): Promise<boolean> => this.send(t, gen);
    if (!(await s(formatRecord({ type: 'model', index: 0, name: m.name, bytes: m.bytes, count: 1 })))) return;
    if (!(await s(`${ANSI.yellow}W (2274) FbsLoader: CONFIG_SPIRAM_XIP_FROM_PSRAM option is on, fbs model is copied to PSRAM.${ANSI.reset}\r\n`))) return;
    if (this.opts.disconnectOn === m.name) {
      this.generation++;
      void this.opts.unplug?.();
      return;
    }
    if (!(await s(formatRecord({ type: 'memory', index: 0, internal: m.memory.internal, psram: m.memory.psram, flash: 0 })))) return;
    if (m.behaviour === 'hang') return; // output just stops, as a deadlocked firmware would
    if (!(await s(formatRecord({ type: 'test', index: 0, result: m.behaviour === 'test-fail' ? 'fail' : 'pass' })))) return;
    if (!(await s(formatRecord({ type: 'run', index: 0, i: 0, us: m.runsUs[0] + 500, warmup: true })))) return;
    for (const [i, us] of m.runsUs.entries()) {
      if (i === 1 && m.behaviour === 'panic') {
        await s("Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.\r\n\r\nCore  0 register dump:\r\nPC      : 0x4200a1b2\r\n\r\nRebooting...\r\n");
        return;
      }
      if (i === 1 && m.behaviour === 'reboot') {
        // A spontaneous reset (e.g. power glitch) prints a fresh ROM banner with no panic message.
        await s(`ESP-ROM:${this.opts.chip}-20210327\r\nrst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n`);
        return;
      }
      if (!(await s(formatRecord({ type: 'run', index: 0, i, us, warmup: false })))) return;
    }
    await s(formatRecord({ type: 'latency', index: 0, warmup: 1, runs_us: [...m.runsUs] }) + formatRecord({ type: 'done', models: 1, errors: 0 }));
  }
}
