import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parseFlasherArgs } from '../../../src/board/flasher-args.js';
import { detectEsptool, esptoolFlasher, writeFlashArgs, type FirmwareBuild } from '../../../src/node/esptool.js';

const build: FirmwareBuild = {
  dir: '/b',
  args: parseFlasherArgs(JSON.stringify({
    flash_settings: { flash_mode: 'dio', flash_size: '8MB', flash_freq: '80m' },
    flash_files: { '0x0': 'bootloader/bootloader.bin', '0x8000': 'partition_table/partition-table.bin', '0x10000': 'app.bin', '0x210000': 'espdl_models/models.espdl' },
    extra_esptool_args: { chip: 'esp32s3' },
  })),
  partitions: [],
  model: { name: 'model', type: 1, subtype: 0x82, offset: 0x210000, size: 16, encrypted: false, readonly: false },
  elfSha256: undefined,
  variant: { name: 'esp32s3-octal', chip: 'esp32s3', psram: 'octal', qemu: false },
};

describe('esptool', () => {
  it('builds the write_flash command line', () => {
    expect(writeFlashArgs({ port: '/dev/ttyACM0', chip: 'esp32p4', files: [{ offset: 0x2000, path: 'bl.bin' }], flash: { mode: 'dio', freq: '80m', size: '16MB' } })).toEqual([
      '--chip', 'esp32p4', '-p', '/dev/ttyACM0', '-b', '460800', '--before', 'default_reset', '--after', 'hard_reset', 'write_flash',
      '--flash_mode', 'dio', '--flash_freq', '80m', '--flash_size', '16MB', '0x2000', 'bl.bin',
    ]);
  });

  it('detects the first esptool form that answers', async () => {
    const tried: string[] = [];
    const found = await detectEsptool(async (cmd, args) => {
      tried.push([cmd, ...args].join(' '));
      if (cmd !== 'esptool.py') throw new Error('ENOENT');
      return { stdout: 'esptool.py v4.8.1', stderr: '' };
    });
    expect(found).toEqual({ command: 'esptool.py', prefix: [] });
    expect(tried).toEqual(['python3 -m esptool version', 'python -m esptool version', 'esptool.py version']);
    expect(await detectEsptool(async () => { throw new Error('ENOENT'); })).toBeUndefined();
  });

  it('flashes the firmware without the model partition entry, the model at its partition offset', async () => {
    const calls: string[][] = [];
    const f = esptoolFlasher({ command: 'python3', prefix: ['-m', 'esptool'] }, [build], { exec: async (cmd, args) => { calls.push([cmd, ...args]); return { stdout: '', stderr: '' }; } });
    await f.flashFirmware('/dev/ttyUSB0', 'esp32s3-octal');
    expect(calls[0].slice(-6)).toEqual(['0x0', '/b/bootloader/bootloader.bin', '0x8000', '/b/partition_table/partition-table.bin', '0x10000', '/b/app.bin']);
    await f.flashModel('/dev/ttyUSB0', { name: 'c', file: 'c.espdl', bytes: new Uint8Array(8) }, 'esp32s3-octal');
    expect(calls[1].slice(-2)[0]).toBe('0x210000');
    await expect(f.flashModel('/dev/ttyUSB0', { name: 'c', file: 'c.espdl', bytes: new Uint8Array(17) }, 'esp32s3-octal')).rejects.toThrow(InputError);
    await expect(f.flashFirmware('/dev/ttyUSB0', 'esp32s3-quad')).rejects.toThrow(/no firmware build esp32s3-quad \(have: esp32s3-octal\)/);
  });

  it('reports esptool failures with the last lines of its output', async () => {
    const f = esptoolFlasher({ command: 'esptool', prefix: [] }, [build], { exec: async () => { throw Object.assign(new Error('exit 2'), { stdout: 'Connecting......\nA fatal error occurred: Failed to connect to ESP32-S3: No serial data received.', stderr: '' }); } });
    await expect(f.flashFirmware('/dev/ttyUSB0', 'esp32s3-octal')).rejects.toThrow(/esptool failed on \/dev\/ttyUSB0: Connecting\.\.\.\.\.\. \| A fatal error occurred: Failed to connect/);
  });
});
