import { mkdtemp, mkdir, symlink, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listSerialPorts } from '../../../src/node/serial-link.js';

describe('listSerialPorts without udev', () => {
  const dirs: string[] = [];
  afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  it('scans by-id links, ttyUSB* and ttyACM* when the udev listing fails', async () => {
    const dev = await mkdtemp(path.join(os.tmpdir(), 'dev-'));
    dirs.push(dev);
    for (const n of ['ttyUSB0', 'ttyACM1', 'ttyS0', 'null']) await writeFile(path.join(dev, n), '');
    await mkdir(path.join(dev, 'serial/by-id'), { recursive: true });
    await symlink('../../ttyACM1', path.join(dev, 'serial/by-id/usb-Espressif_USB_JTAG_serial_debug_unit_F4:12:FA-if00'));
    const failing = async (): Promise<never> => { throw new Error('spawn udevadm ENOENT'); };
    const ports = await listSerialPorts(dev, failing);
    expect(ports).toEqual([
      { path: path.join(dev, 'serial/by-id/usb-Espressif_USB_JTAG_serial_debug_unit_F4:12:FA-if00'), device: path.join(dev, 'ttyACM1'), source: 'scan' },
      { path: path.join(dev, 'ttyUSB0'), device: path.join(dev, 'ttyUSB0'), source: 'scan' },
    ]);
  });

  it('uses the serialport listing when it works', async () => {
    const ports = await listSerialPorts('/nonexistent', async () => [{ path: '/dev/ttyUSB3', vendorId: '10c4', productId: 'ea60' }, { path: '/dev/ttyS0' }]);
    expect(ports).toEqual([{ path: '/dev/ttyUSB3', device: '/dev/ttyUSB3', vendorId: '10c4', productId: 'ea60', source: 'serialport' }]);
  });
});
