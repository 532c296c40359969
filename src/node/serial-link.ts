/**
 * BoardLink over the `serialport` package (loaded lazily: it is a native module and an optional
 * dependency), plus port discovery that works without udev.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { BoardDisconnectedError, SignalsUnsupportedError, type BoardLink, type ControlSignals } from '../board/link.js';

/** The subset of serialport's SerialPort our adapters use (so a type import is enough). */
export interface PortLike {
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  write(data: Buffer, cb?: (err: Error | null | undefined) => void): boolean;
  drain(cb?: (err: Error | null) => void): void;
  set(opts: { dtr: boolean; rts: boolean }, cb?: (err: Error | null) => void): void;
  on(event: 'data', cb: (data: Buffer) => void): void;
  on(event: 'close', cb: (err?: Error & { disconnected?: boolean }) => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  readonly isOpen: boolean;
}

export interface SerialLinkOptions {
  /** Console baud rate; default 115200 (ignored by USB-Serial-JTAG and PTYs). */
  readonly baudRate?: number;
  /**
   * When the device disappears, keep trying to reopen the same path for this long before reporting it
   * disconnected (USB re-enumeration on reset). Default 0: report at once.
   */
  readonly reconnectMs?: number;
}

async function loadSerialPort(): Promise<new (o: { path: string; baudRate: number; autoOpen: false; hupcl: boolean }) => PortLike> {
  try {
    const mod = (await import('serialport')) as unknown as { SerialPort: new (o: object) => PortLike };
    return mod.SerialPort;
  } catch (err) {
    throw new InputError(`the optional dependency "serialport" is not installed (npm install serialport): ${String(err)}`);
  }
}

type Waiter = { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void };

/** Creates a link to `portPath` (not opened yet). */
export function serialLink(portPath: string, opts: SerialLinkOptions = {}): BoardLink {
  return new SerialLink(portPath, opts);
}

/**
 * Received bytes are queued until read; a read that is aborted leaves the queue untouched. `hupcl` is off
 * so closing the port does not toggle the reset lines.
 */
class SerialLink implements BoardLink {
  private port: PortLike | undefined;
  private queue: Uint8Array[] = [];
  private waiters: Waiter[] = [];
  private gone: BoardDisconnectedError | undefined;
  // serialport's set() fills unspecified lines with "asserted", so the link remembers both.
  private lines = { dtr: false, rts: false };
  private closedByUs = false;
  private watch: ReturnType<typeof setInterval> | undefined;

  constructor(readonly id: string, private readonly opts: SerialLinkOptions) {
    this.gone = new BoardDisconnectedError(`${id}: not open`);
  }

  async open(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.port?.isOpen) return;
    this.closedByUs = false;
    this.queue = [];
    await this.connect();
  }

  async write(data: string | Uint8Array, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const p = this.live();
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    const failed = (err: Error): BoardDisconnectedError => new BoardDisconnectedError(`${this.id}: write failed: ${err.message}`);
    await new Promise<void>((resolve, reject) => {
      p.write(buf, (err) => (err ? reject(failed(err)) : undefined));
      p.drain((err) => (err ? reject(failed(err)) : resolve()));
    });
  }

  read(signal?: AbortSignal): Promise<Uint8Array> {
    const next = this.queue.shift();
    if (next) return Promise.resolve(next);
    if (this.gone) return Promise.reject(this.gone);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Uint8Array>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(signal?.reason);
      };
      const w: Waiter = {
        resolve: (b) => (signal?.removeEventListener('abort', onAbort), resolve(b)),
        reject: (e) => (signal?.removeEventListener('abort', onAbort), reject(e)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  async setSignals(signals: ControlSignals): Promise<void> {
    const p = this.live();
    const next = { dtr: signals.dtr ?? this.lines.dtr, rts: signals.rts ?? this.lines.rts };
    await new Promise<void>((resolve, reject) =>
      p.set(next, (err) => (err ? reject(this.signalError(err)) : resolve())),
    );
    this.lines = next;
  }

  async close(): Promise<void> {
    this.closedByUs = true;
    clearInterval(this.watch);
    const p = this.port;
    this.port = undefined;
    this.fail(new BoardDisconnectedError(`${this.id}: port closed`));
    if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
  }

  private live(): PortLike {
    if (!this.port || this.gone) throw this.gone ?? new BoardDisconnectedError(`${this.id}: not open`);
    return this.port;
  }

  private signalError(err: Error): Error {
    if (/ioctl|ENOTTY|EINVAL|not supported/i.test(err.message)) return new SignalsUnsupportedError(`${this.id}: cannot set DTR/RTS (${err.message})`);
    if (/EIO|ENXIO|ENODEV|Input\/output error/i.test(err.message)) return new BoardDisconnectedError(`${this.id}: device disconnected (setting DTR/RTS failed: ${err.message})`);
    return new BoardDisconnectedError(`${this.id}: setting DTR/RTS failed: ${err.message}`);
  }

  private fail(err: BoardDisconnectedError): void {
    this.gone = err;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.reject(err);
  }

  private async connect(): Promise<void> {
    const SerialPort = await loadSerialPort();
    const p = new SerialPort({ path: this.id, baudRate: this.opts.baudRate ?? 115200, autoOpen: false, hupcl: false });
    await new Promise<void>((resolve, reject) => p.open((err) => (err ? reject(new BoardDisconnectedError(`${this.id}: cannot open: ${err.message}`, { cause: err })) : resolve())));
    this.port = p;
    this.gone = undefined;
    p.on('data', (data) => {
      const w = this.waiters.shift();
      if (w) w.resolve(new Uint8Array(data));
      else this.queue.push(new Uint8Array(data));
    });
    p.on('error', () => undefined); // surfaced through 'close' and failed calls
    p.on('close', (err) => {
      if (err?.disconnected) this.lost(p);
      else if (this.port === p) {
        this.port = undefined;
        this.fail(new BoardDisconnectedError(`${this.id}: port closed`));
      }
    });
    // serialport reports a vanished device through 'close' (disconnected), but not reliably for every
    // device kind (a PTY whose master went away may stay silent): also watch the device node itself —
    // gone, or replaced by a new node under the same name (another inode / device number).
    const node = await stat(this.id);
    clearInterval(this.watch);
    this.watch = setInterval(() => {
      stat(this.id).then((now) => (now.ino !== node.ino || now.rdev !== node.rdev) && this.lost(p), () => this.lost(p));
    }, 250);
    this.watch.unref();
  }

  private lost(p: PortLike): void {
    if (this.port !== p) return; // a late event of a port already replaced
    clearInterval(this.watch);
    this.port = undefined;
    if (p.isOpen) p.close();
    if ((this.opts.reconnectMs ?? 0) > 0) void this.reconnect(Date.now() + (this.opts.reconnectMs ?? 0));
    else this.fail(new BoardDisconnectedError(`${this.id}: device disconnected`));
  }

  /** USB devices may drop off the bus for a moment when the chip resets: reads keep waiting meanwhile. */
  private async reconnect(deadline: number): Promise<void> {
    while (Date.now() < deadline && !this.closedByUs) {
      await new Promise((r) => setTimeout(r, 100));
      if (this.closedByUs) return;
      try {
        await this.connect();
        return;
      } catch {
        // not back yet
      }
    }
    if (!this.closedByUs) this.fail(new BoardDisconnectedError(`${this.id}: device disconnected (not back within ${this.opts.reconnectMs} ms)`));
  }
}

/** A serial port found on this machine. */
export interface FoundPort {
  /** The path to open: the /dev/serial/by-id link when there is one (stable across re-plugging). */
  readonly path: string;
  /** The device node it resolves to (/dev/ttyACM0). */
  readonly device: string;
  readonly vendorId?: string;
  readonly productId?: string;
  /** Where it was found: serialport's udev listing, or a directory scan (containers without udev). */
  readonly source: 'serialport' | 'scan';
}

/** Directories and name patterns scanned when udev is unavailable. */
const SCAN = [{ dir: 'serial/by-id', re: /.*/ }, { dir: '', re: /^tty(USB|ACM)\d+$/ }] as const;

/**
 * Lists serial ports. Tries serialport's list() (udev on Linux); where that fails — `spawn udevadm ENOENT`
 * in containers — scans `<devRoot>/serial/by-id`, `<devRoot>/ttyUSB*` and `<devRoot>/ttyACM*`.
 * `devRoot` is injectable for tests.
 */
export async function listSerialPorts(devRoot = '/dev', list?: () => Promise<{ path: string; vendorId?: string; productId?: string }[]>): Promise<FoundPort[]> {
  try {
    const lister = list ?? (async () => (await import('serialport')).SerialPort.list());
    const ports = await lister();
    const usb = ports.filter((p) => p.vendorId !== undefined || /tty(USB|ACM)/.test(p.path));
    if (usb.length > 0) return usb.map((p) => ({ path: p.path, device: p.path, vendorId: p.vendorId, productId: p.productId, source: 'serialport' as const }));
  } catch {
    // fall through to the scan: udev is missing (containers) or serialport is not installed
  }
  return scanDevices(devRoot);
}

async function scanDevices(devRoot: string): Promise<FoundPort[]> {
  const found = new Map<string, FoundPort>();
  for (const { dir, re } of SCAN) {
    const full = path.join(devRoot, dir);
    const names = await readdir(full).catch(() => [] as string[]);
    for (const name of names.filter((n) => re.test(n)).sort()) {
      const p = path.join(full, name);
      const device = await realpath(p).catch(() => p);
      if (!found.has(device)) found.set(device, { path: p, device, source: 'scan' });
    }
  }
  return [...found.values()];
}
