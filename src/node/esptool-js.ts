/**
 * The no-Python flashing path: esptool-js (built for the browser's Web Serial API) driven through a shim
 * that implements the six members esptool-js's Transport uses (open, close, readable, writable,
 * setSignals, getInfo; docs/esp-dl.md §5.2) on top of the `serialport` package.
 *
 * Tested here: the shim's byte streams through a socat PTY pair (test/integration/board/webserial-shim.test.ts).
 * NOT tested here (no chip on this machine): ESPLoader's sync/stub upload/writeFlash over the shim, and the
 * DTR/RTS timing of its reset through serialport (upstream notes that serialport may glitch EN/IO0 when
 * both lines change; espressif/esptool-js#117). Prefer Python esptool where available.
 */
import { InputError } from '../errors.js';
import type { BenchCandidate, BoardFlasher } from '../board/bench.js';
import { buildNamed, checkFits, type FirmwareBuild } from './esptool.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PortLike } from './serial-link.js';


/** The Web Serial `SerialPort` surface esptool-js needs, over a serial device path. */
export class NodeWebSerialPort {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  private port: PortLike | undefined;
  private lines = { dtr: false, rts: false };

  constructor(private readonly path: string, private readonly info: { usbVendorId?: number; usbProductId?: number } = {}) {}

  async open(options: { baudRate: number }): Promise<void> {
    const { SerialPort } = (await import('serialport')) as unknown as { SerialPort: new (o: object) => PortLike };
    const port = new SerialPort({ path: this.path, baudRate: options.baudRate, autoOpen: false, hupcl: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    this.port = port;
    this.readable = new ReadableStream<Uint8Array>({
      start(controller) {
        port.on('data', (d) => controller.enqueue(new Uint8Array(d)));
        port.on('close', () => {
          try {
            controller.close();
          } catch {
            // already closed or cancelled by the reader
          }
        });
      },
    });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => new Promise<void>((resolve, reject) => {
        port.write(Buffer.from(chunk), (e) => (e ? reject(e) : undefined));
        port.drain((e) => (e ? reject(e) : resolve()));
      }),
    });
  }

  async close(): Promise<void> {
    const p = this.port;
    this.port = undefined;
    this.readable = null;
    this.writable = null;
    if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
  }

  /** Web Serial names; serialport's set() needs both lines every time, so the shim remembers them. */
  async setSignals(s: { dataTerminalReady?: boolean; requestToSend?: boolean }): Promise<void> {
    const p = this.port;
    if (!p) throw new Error(`${this.path}: not open`);
    const next = { dtr: s.dataTerminalReady ?? this.lines.dtr, rts: s.requestToSend ?? this.lines.rts };
    await new Promise<void>((resolve, reject) => p.set(next, (e) => (e ? reject(e) : resolve())));
    this.lines = next;
  }

  getInfo(): { usbVendorId?: number; usbProductId?: number } {
    return this.info;
  }
}

/** A BoardFlasher over esptool-js + the shim (untested against a chip, see the file header). */
export function esptoolJsFlasher(builds: readonly FirmwareBuild[], baud = 460800): BoardFlasher {
  const write = async (port: string, build: FirmwareBuild, files: { data: Uint8Array; address: number }[]): Promise<void> => {
    const { ESPLoader, Transport } = await import('esptool-js');
    const device = new NodeWebSerialPort(port);
    const transport = new Transport(device as unknown as ConstructorParameters<typeof Transport>[0], false);
    const loader = new ESPLoader({ transport, baudrate: baud });
    try {
      const chip = await loader.main('default_reset');
      if (!chip.toLowerCase().replace(/[^a-z0-9]/g, '').startsWith(build.args.chip.replace(/[^a-z0-9]/g, ''))) {
        throw new InputError(`${port}: esptool-js found ${chip}, the firmware is built for ${build.args.chip}`);
      }
      await loader.writeFlash({ fileArray: files, flashMode: 'keep', flashFreq: 'keep', flashSize: 'keep', eraseAll: false, compress: true });
      await loader.after('hard_reset');
    } finally {
      await transport.disconnect().catch(() => undefined);
    }
  };
  return {
    flashFirmware: async (port, variant) => {
      const build = buildNamed(builds, variant);
      const files = build.args.files.filter((f) => f.offset !== build.model.offset);
      await write(port, build, await Promise.all(files.map(async (f) => ({ address: f.offset, data: new Uint8Array(await readFile(path.join(build.dir, f.file))) }))));
    },
    flashModel: async (port, c: BenchCandidate, variant) => {
      const build = buildNamed(builds, variant);
      checkFits(build, c);
      await write(port, build, [{ address: build.model.offset, data: c.bytes }]);
    },
  };
}
