import { describe, expect, it } from 'vitest';
import { composeFlashImage, parseFlashSize, partitionPart, MB } from '../../../src/board/flash-image.js';
import { parseFlasherArgs } from '../../../src/board/flasher-args.js';
import { partitionTableFromCsv } from '../../helpers/partition-table.js';

// The shape ESP-IDF 5.x writes to build/flasher_args.json for an esp32p4 project with a `model` partition
// flashed through esptool_py_flash_to_partition (offsets as in ESP-DL's P4 log: bootloader 0x2000).
const FLASHER_ARGS = JSON.stringify({
  write_flash_args: ['--flash_mode', 'dio', '--flash_size', '16MB', '--flash_freq', '80m'],
  flash_settings: { flash_mode: 'dio', flash_size: '16MB', flash_freq: '80m' },
  flash_files: { '0x2000': 'bootloader/bootloader.bin', '0x10000': 'espdl_bench.bin', '0x8000': 'partition_table/partition-table.bin', '0x210000': 'espdl_models/models.espdl' },
  bootloader: { offset: '0x2000', file: 'bootloader/bootloader.bin', encrypted: 'false' },
  app: { offset: '0x10000', file: 'espdl_bench.bin', encrypted: 'false' },
  'partition-table': { offset: '0x8000', file: 'partition_table/partition-table.bin', encrypted: 'false' },
  model: { offset: '0x210000', file: 'espdl_models/models.espdl', encrypted: 'false' },
  extra_esptool_args: { after: 'hard_reset', before: 'default_reset', stub: true, chip: 'esp32p4' },
});

describe('flasher_args.json', () => {
  it('gives offsets, chip, flash settings and partition entries', () => {
    const a = parseFlasherArgs(FLASHER_ARGS);
    expect(a.chip).toBe('esp32p4');
    expect(a.flashSize).toBe('16MB');
    expect(a.files.map((f) => f.offset)).toEqual([0x2000, 0x8000, 0x10000, 0x210000]);
    expect(a.bootloader).toEqual({ offset: 0x2000, file: 'bootloader/bootloader.bin' });
    expect(a.partitionTable?.offset).toBe(0x8000);
    expect(a.partitions).toEqual({ model: { offset: 0x210000, file: 'espdl_models/models.espdl' } });
  });
  it('names the bad field', () => {
    expect(() => parseFlasherArgs('{"flash_files":{}}')).toThrow(/flasher_args.json: flash_settings/);
    expect(() => parseFlasherArgs('nope')).toThrow(/not JSON/);
  });
});

describe('composeFlashImage', () => {
  const table = partitionTableFromCsv('nvs, data, nvs, , 0x6000\nphy_init, data, phy, , 0x1000\nfactory, app, factory, , 2M\nmodel, data, spiffs, , 5M\n');
  it('places parts at their offsets, 0xFF elsewhere, smallest QEMU size that fits', () => {
    const model = partitionPart(table, 'model', new Uint8Array([0x45, 0x44, 0x4c, 0x32]), 'cand.espdl');
    const img = composeFlashImage([
      { name: 'bootloader', offset: 0x1000, data: new Uint8Array([1, 2, 3]) },
      { name: 'app', offset: 0x10000, data: new Uint8Array(100).fill(7) },
      model,
    ]);
    expect(img.length).toBe(4 * MB); // the model ends at 0x210004: above 2 MB, below 4 MB
    expect([...img.subarray(0xfff, 0x1004)]).toEqual([0xff, 1, 2, 3, 0xff]);
    expect(img[0x10000 + 99]).toBe(7);
    expect([...img.subarray(0x210000, 0x210005)]).toEqual([0x45, 0x44, 0x4c, 0x32, 0xff]);
    expect(img.every((b, i) => b === 0xff || (i >= 0x1000 && i < 0x1003) || (i >= 0x10000 && i < 0x10064) || (i >= 0x210000 && i < 0x210004))).toBe(true);
  });
  it('honours an explicit size and rejects overlaps, overflow and odd sizes', () => {
    expect(composeFlashImage([{ name: 'a', offset: 0, data: new Uint8Array(1) }], parseFlashSize('16MB')).length).toBe(16 * MB);
    expect(() => composeFlashImage([{ name: 'a', offset: 0, data: new Uint8Array(8) }, { name: 'b', offset: 4, data: new Uint8Array(1) }])).toThrow(/b at 0x4 overlaps a/);
    expect(() => composeFlashImage([{ name: 'a', offset: 3 * MB, data: new Uint8Array(1) }], 2 * MB)).toThrow(/beyond the 2 MB flash/);
    expect(() => composeFlashImage([], 3 * MB)).toThrow(/not 2, 4, 8 or 16 MB/);
    expect(parseFlashSize('keep')).toBeUndefined();
  });
  it('refuses a model larger than its partition', () => {
    expect(() => partitionPart(table, 'model', new Uint8Array(5 * MB + 1), 'big.espdl')).toThrow(/big.espdl: 5242881 bytes do not fit the "model" partition/);
  });
});
