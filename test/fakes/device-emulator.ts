/**
 * A stand-in for an ESP32 running the benchmark firmware, on the far end of a real pseudo-terminal pair
 * (socat). It prints what a board prints — ROM banner, coloured ESP-IDF log lines, the protocol records of
 * runner/PROTOCOL.md — in small chunks that split lines and escape sequences, and it obeys the protocol's
 * `restart` command (PTYs carry no DTR/RTS). Each "flashed" model picks a behaviour: normal, failing test,
 * panic, spontaneous reboot or hang; a board can also be unplugged mid-run (`disconnectOn`).
 *
 * What it prints for a normal, failing or absent model is checked against the real firmware compiled on the
 * host (test/firmware/host-firmware.test.ts, `firmwareTranscript`), so the two cannot drift apart. Like the
 * real firmware with ESP-IDF's default CONFIG_APP_RETRIEVE_LEN_ELF_SHA, it reports only the first 9 hex digits
 * of the ELF SHA-256 unless told otherwise (`elfShaDigits`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { SerialPort } from 'serialport';
import { formatRecord, type BenchRecord } from '../../src/board/protocol-records.js';
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

/** The board the emulator pretends to be; what the firmware it "runs" reports depends on it. */
export interface EmulatedBoard {
  readonly chip: string;
  /** esp_chip_info().revision (major × 100 + minor). Default 0. */
  readonly chipRev?: number;
  /** The PSRAM on the module; a build for another kind finds none (hello.psram 0). Default: P4 hex, S3 octal, ESP32 quad. */
  readonly psram?: 'octal' | 'quad' | 'hex' | 'none';
}

export interface EmulatorOptions extends EmulatedBoard {
  /** The full (64-digit) SHA-256 of the firmware the board runs until it is "flashed". */
  readonly elfSha256: string;
  /** The firmware build the board runs (hello.variant). Default esp32p4-rev1, esp32s3-octal, esp32-psram. */
  readonly variant?: string;
  /** How many hex digits of the SHA the firmware reports (CONFIG_APP_RETRIEVE_LEN_ELF_SHA). Default 9 (ESP-IDF's). */
  readonly elfShaDigits?: number;
  /** Never print anything (a dead board). */
  readonly silent?: boolean;
  /** No firmware yet: the ROM prints its banner and complains about the empty flash until a firmware is flashed. */
  readonly blank?: boolean;
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
const PSRAM_BYTES = { octal: 8 << 20, quad: 2 << 20, hex: 32 << 20, none: 0 } as const;

/** What the firmware build `variant` finds on `board`: its PSRAM only when the line mode matches. */
const DEFAULT_PSRAM: Readonly<Record<string, 'octal' | 'quad' | 'hex'>> = { esp32p4: 'hex', esp32s3: 'octal', esp32: 'quad' };
const DEFAULT_VARIANT: Readonly<Record<string, string>> = { esp32p4: 'esp32p4-rev1', esp32s3: 'esp32s3-octal', esp32: 'esp32-psram' };

export function psramFound(board: EmulatedBoard, variant: string): number {
  const kind = board.psram ?? DEFAULT_PSRAM[board.chip] ?? 'none';
  const wants = /nopsram/.test(variant) ? 'none' : board.chip === 'esp32p4' ? 'hex' : /quad|qemu/.test(variant) || board.chip === 'esp32' ? 'quad' : 'octal';
  return wants === kind ? PSRAM_BYTES[kind] : 0;
}

/** The records the firmware prints for one boot: hello, then the model's records (or the empty-partition error). */
export function firmwareTranscript(o: { board: EmulatedBoard; variant: string; elfSha256: string; elfShaDigits?: number }, m: EmulatedModel | undefined): BenchRecord[] {
  const psram = psramFound(o.board, o.variant);
  const hello: BenchRecord = {
    type: 'hello', protocol: 1, chip: o.board.chip, variant: o.variant, chip_rev: o.board.chipRev ?? 0, idf: 'v5.5.4', esp_dl: '3.3.9',
    app_elf_sha256: o.elfSha256.slice(0, o.elfShaDigits ?? 9), cpu_mhz: 240, psram, param_copy: psram > 0,
    runs: m?.runsUs.length ?? 3, warmup: 1,
  };
  if (!m) {
    return [hello, { type: 'error', code: 'no-model', message: 'the model partition is erased (no model was written to it)' }, { type: 'done', models: 0, errors: 1 }];
  }
  return [
    hello,
    { type: 'model', index: 0, name: m.name, bytes: m.bytes, count: 1 },
    { type: 'memory', index: 0, internal: m.memory.internal, psram: m.memory.psram, flash: m.bytes },
    { type: 'test', index: 0, result: m.behaviour === 'test-fail' ? 'fail' : 'pass' },
    { type: 'run', index: 0, i: 0, us: m.runsUs[0] + 500, warmup: true },
    ...m.runsUs.map((us, i): BenchRecord => ({ type: 'run', index: 0, i, us, warmup: false })),
    { type: 'latency', index: 0, warmup: 1, runs_us: [...m.runsUs] },
    { type: 'done', models: 1, errors: 0 },
  ];
}

export class DeviceEmulator {
  /** The model currently in the "model partition" (set by the test's flasher). */
  model: EmulatedModel | undefined;
  elfSha256: string;
  variant: string;
  /** Erased flash (no app): set false by the test's flasher when it "writes" a firmware. */
  blank: boolean;
  boots = 0;
  private port: SerialPort;
  private rx = '';
  private chunk = 0;
  private generation = 0;

  private constructor(port: SerialPort, private readonly opts: EmulatorOptions) {
    this.port = port;
    this.elfSha256 = opts.elfSha256;
    this.variant = opts.variant ?? DEFAULT_VARIANT[opts.chip] ?? `${opts.chip}-custom`;
    this.blank = opts.blank ?? false;
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
    const records = firmwareTranscript({ board: this.opts, variant: this.variant, elfSha256: this.elfSha256, elfShaDigits: this.opts.elfShaDigits }, m);
    if (this.blank) {
      await this.send(`ESP-ROM:${this.opts.chip}-20210327\r\nrst:0xc (SW_CPU_RESET),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\ninvalid header: 0xffffffff\r\n`, gen);
      return;
    }
    const banner = `ESP-ROM:${this.opts.chip}-20210327\r\nrst:0xc (SW_CPU_RESET),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n` +
      `${ANSI.green}I (31) boot: ESP-IDF v5.5.4 2nd stage bootloader${ANSI.reset}\r\nI esp_psram: Found 8MB PSRAM device\r\n` +
      `${ANSI.green}I (412) main_task: Calling app_main()${ANSI.reset}\r\n`;
    if (!(await this.send(banner, gen))) return;
    if (!m) {
      await this.send(records.map(formatRecord).join(''), gen);
      return;
    }
    await this.runModel(m, records, gen);
  }

  /** Prints the transcript record by record, with the misbehaviours of `m` cut in where they happen. */
  private async runModel(m: EmulatedModel, records: readonly BenchRecord[], gen: number): Promise<void> {
    const s = (t: string): Promise<boolean> => this.send(t, gen);
    for (const r of records) {
      if (r.type === 'run' && !r.warmup && r.i === 1 && m.behaviour === 'panic') {
        await s("Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.\r\n\r\nCore  0 register dump:\r\nPC      : 0x4200a1b2\r\n\r\nRebooting...\r\n");
        return;
      }
      if (r.type === 'run' && !r.warmup && r.i === 1 && m.behaviour === 'reboot') {
        // A spontaneous reset (e.g. power glitch) prints a fresh ROM banner with no panic message.
        await s(`ESP-ROM:${this.opts.chip}-20210327\r\nrst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n`);
        return;
      }
      if (!(await s(formatRecord(r)))) return;
      if (r.type === 'model') {
        if (!(await s(`${ANSI.green}I (2274) FbsLoader: The partition size is 5120 KB${ANSI.reset}\r\n`))) return;
        if (this.opts.disconnectOn === m.name) {
          this.generation++;
          void this.opts.unplug?.();
          return;
        }
      }
      if (r.type === 'memory' && m.behaviour === 'hang') return; // output just stops, as a deadlocked firmware would
    }
  }
}
