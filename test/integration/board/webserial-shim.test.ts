/** The Web Serial shim esptool-js runs on, over a socat PTY pair: bytes both ways, close, and signals. */
import { describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import { NodeWebSerialPort } from '../../../src/node/esptool-js.js';
import { startPtyPair } from '../../fakes/device-emulator.js';

describe('NodeWebSerialPort', () => {
  it('moves bytes through readable/writable streams and reports unsupported DTR/RTS on a PTY', async () => {
    const pair = await startPtyPair();
    const device = new SerialPort({ path: pair.device, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => device.open((e) => (e ? reject(e) : resolve())));
    const shim = new NodeWebSerialPort(pair.host, { usbVendorId: 0x303a, usbProductId: 0x1001 });
    try {
      await shim.open({ baudRate: 115200 });
      const got = new Promise<Buffer>((resolve) => device.once('data', resolve));
      const writer = (shim.writable as WritableStream<Uint8Array>).getWriter();
      await writer.write(new Uint8Array([0xc0, 0x00, 0x08, 0xc0])); // a SLIP-framed byte sequence
      writer.releaseLock();
      expect([...(await got)]).toEqual([0xc0, 0x00, 0x08, 0xc0]);

      const reader = (shim.readable as ReadableStream<Uint8Array>).getReader();
      device.write(Buffer.from([1, 2, 3]));
      const chunk = await reader.read();
      expect([...(chunk.value ?? [])]).toEqual([1, 2, 3]);
      reader.releaseLock();

      await expect(shim.setSignals({ dataTerminalReady: false, requestToSend: true })).rejects.toThrow(/ioctl/i);
      expect(shim.getInfo()).toEqual({ usbVendorId: 0x303a, usbProductId: 0x1001 });
    } finally {
      await shim.close();
      await new Promise<void>((resolve) => device.close(() => resolve()));
      await pair.stop();
    }
  });
});
