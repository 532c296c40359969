/** src/node/serial-link.ts over socat PTYs: queued reads, aborts, disconnect, and reopening after re-enumeration. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { describe, expect, it } from 'vitest';
import { BoardDisconnectedError, SignalsUnsupportedError } from '../../../src/board/link.js';
import { serialLink } from '../../../src/node/serial-link.js';
import { startPtyPair } from '../../fakes/device-emulator.js';

const openPort = async (p: string): Promise<SerialPort> => {
  const port = new SerialPort({ path: p, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  return port;
};
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('serialLink', () => {
  it('keeps bytes queued across an aborted read, refuses DTR/RTS on a PTY, reports a disconnect', async () => {
    const pair = await startPtyPair();
    const dev = await openPort(pair.device);
    const link = serialLink(pair.host);
    await link.open();
    const ctrl = new AbortController();
    const pending = link.read(ctrl.signal);
    ctrl.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    dev.write('abc\n');
    expect(text(await link.read())).toBe('abc\n');
    await expect(link.setSignals({ rts: true })).rejects.toThrow(SignalsUnsupportedError);
    await link.write('ESPDL-BENCH restart\n');
    const got = await new Promise<Buffer>((resolve) => dev.once('data', resolve));
    expect(got.toString()).toBe('ESPDL-BENCH restart\n');
    const waiting = link.read();
    void pair.stop();
    await expect(waiting).rejects.toThrow(BoardDisconnectedError);
    await link.close();
  });

  it('reopens the same path when the device comes back within reconnectMs', { timeout: 20_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ptys-'));
    const links = { host: path.join(dir, 'ttyACM0'), device: path.join(dir, 'dev') };
    let pair = await startPtyPair(links);
    const link = serialLink(links.host, { reconnectMs: 10_000 }); // generous: socat restarts slowly on a loaded machine
    try {
      await link.open();
      const waiting = link.read();
      await pair.stop();
      pair = await startPtyPair(links); // the "re-enumerated" device, same path
      const dev = await openPort(links.device);
      // The link reopens on its own schedule (100 ms polls): keep "booting" until the host sees a line.
      let got: string | undefined;
      void waiting.then((b) => (got = text(b)), () => undefined);
      for (let i = 0; i < 100 && got === undefined; i++) {
        dev.write('ESP-ROM:esp32s3-20210327\n');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(got).toMatch(/^ESP-ROM:esp32s3-20210327\n/);
      await new Promise<void>((resolve) => dev.close(() => resolve()));
    } finally {
      await link.close();
      await pair.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
