/**
 * BoardLink over the `serialport` package (loaded lazily: it is a native module and an optional
 * dependency), plus port discovery that works without udev.
 */
import { access, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { BoardDisconnectedError, SignalsUnsupportedError, type BoardLink, type ControlSignals } from '../board/link.js';

/** The subset of serialport's SerialPort this link uses (so a type import is enough). */
interface PortLike {
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

/**
 * Creates a link to `portPath` (not opened yet). Received bytes are queued until read; a read that is
 * aborted leaves the queue untouched. `hupcl` is off so closing the port does not toggle the reset lines.
 */
export function serialLink(portPath: string, opts: SerialLinkOptions = {}): BoardLink {
  let port: PortLike | undefined;
  let queue: Uint8Array[] = [];
  let waiters: Waiter[] = [];
  let gone: BoardDisconnectedError | undefined = new BoardDisconnectedError(`${portPath}: not open`);
  // serialport's set() fills unspecified lines with "asserted", so the link remembers both.
  let lines = { dtr: false, rts: false };
  let closedByUs = false;
  let stopWatch = (): void => undefined;

  const fail = (err: BoardDisconnectedError): void => {
    gone = err;
    const ws = waiters;
    waiters = [];
    for (const w of ws) w.reject(err);
  };

  const connect = async (): Promise<void> => {
    const SerialPort = await loadSerialPort();
    const p = new SerialPort({ path: portPath, baudRate: opts.baudRate ?? 115200, autoOpen: false, hupcl: false });
    await new Promise<void>((resolve, reject) => p.open((err) => (err ? reject(new BoardDisconnectedError(`${portPath}: cannot open: ${err.message}`, { cause: err })) : resolve())));
    port = p;
    gone = undefined;
    p.on('data', (data) => {
      const w = waiters.shift();
      if (w) w.resolve(new Uint8Array(data));
      else queue.push(new Uint8Array(data));
    });
    p.on('error', () => undefined); // surfaced through 'close' and failed calls
    // serialport reports a vanished device through 'close' (disconnected), but not reliably for every
    // device kind (a PTY whose master went away may stay silent): also watch the device node itself.
    const watch = setInterval(() => void access(portPath).catch(() => lost(p)), 500);
    watch.unref();
    stopWatch = () => clearInterval(watch);
    const lost = (q: PortLike): void => {
      clearInterval(watch);
      if (port !== q) return;
      port = undefined;
      if (q.isOpen) q.close();
      if ((opts.reconnectMs ?? 0) > 0) void reconnect(Date.now() + (opts.reconnectMs ?? 0));
      else fail(new BoardDisconnectedError(`${portPath}: device disconnected`));
    };
    p.on('close', (err) => {
      if (err?.disconnected) lost(p);
      else if (port === p) {
        clearInterval(watch);
        port = undefined;
        fail(new BoardDisconnectedError(`${portPath}: port closed`));
      }
    });
  };

  // USB devices may drop off the bus for a moment when the chip resets (re-enumeration): pending reads
  // keep waiting while the link tries to reopen the same path.
  const reconnect = async (deadline: number): Promise<void> => {
    while (Date.now() < deadline && !closedByUs) {
      await new Promise((r) => setTimeout(r, 100));
      if (closedByUs) return;
      try {
        await connect();
        return;
      } catch {
        // not back yet
      }
    }
    if (!closedByUs) fail(new BoardDisconnectedError(`${portPath}: device disconnected (not back within ${opts.reconnectMs} ms)`));
  };

  return {
    id: portPath,
    async open(signal) {
      signal?.throwIfAborted();
      if (port?.isOpen) return;
      closedByUs = false;
      queue = [];
      await connect();
    },
    async write(data, signal) {
      signal?.throwIfAborted();
      const p = port;
      if (!p || gone) throw gone ?? new BoardDisconnectedError(`${portPath}: not open`);
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
      await new Promise<void>((resolve, reject) => {
        p.write(buf, (err) => (err ? reject(new BoardDisconnectedError(`${portPath}: write failed: ${err.message}`)) : undefined));
        p.drain((err) => (err ? reject(new BoardDisconnectedError(`${portPath}: write failed: ${err.message}`)) : resolve()));
      });
    },
    read(signal) {
      const next = queue.shift();
      if (next) return Promise.resolve(next);
      if (gone) return Promise.reject(gone);
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<Uint8Array>((resolve, reject) => {
        const w: Waiter = {
          resolve: (b) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(b);
          },
          reject: (e) => {
            signal?.removeEventListener('abort', onAbort);
            reject(e);
          },
        };
        const onAbort = (): void => {
          waiters = waiters.filter((x) => x !== w);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(w);
      });
    },
    async setSignals(signals: ControlSignals) {
      const p = port;
      if (!p || gone) throw gone ?? new BoardDisconnectedError(`${portPath}: not open`);
      const next = { dtr: signals.dtr ?? lines.dtr, rts: signals.rts ?? lines.rts };
      await new Promise<void>((resolve, reject) =>
        p.set(next, (err) => {
          if (!err) resolve();
          else if (/ioctl|ENOTTY|EINVAL|not supported/i.test(err.message)) reject(new SignalsUnsupportedError(`${portPath}: cannot set DTR/RTS (${err.message})`));
          else if (/EIO|ENXIO|ENODEV|Input\/output error/i.test(err.message)) reject(new BoardDisconnectedError(`${portPath}: device disconnected (setting DTR/RTS failed: ${err.message})`));
          else reject(new BoardDisconnectedError(`${portPath}: setting DTR/RTS failed: ${err.message}`));
        }),
      );
      lines = next;
    },
    async close() {
      closedByUs = true;
      stopWatch();
      const p = port;
      port = undefined;
      fail(new BoardDisconnectedError(`${portPath}: port closed`));
      if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
    },
  };
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
