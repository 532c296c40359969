import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import {
  boardVariants, isChipRevisionRefusal, nextVariant, qemuVariant, sameFirmware, variantFromSdkconfig, type FirmwareVariant,
} from '../../../src/board/firmware-variant.js';
import type { HelloRecord } from '../../../src/board/protocol-records.js';

const sha = (name: string): string => createHash('sha256').update(name).digest('hex');
const v = (name: string, extra: Partial<FirmwareVariant> = {}): FirmwareVariant => ({
  name, chip: name.split('-')[0], qemu: name.endsWith('-qemu'), elfSha256: sha(name),
  psram: name.includes('nopsram') ? 'none' : name.includes('octal') ? 'octal' : name.startsWith('esp32p4') ? 'hex' : 'quad',
  ...(name.startsWith('esp32p4') ? { p4Family: name.endsWith('rev3') ? 'v3' as const : 'v1' as const } : {}), ...extra,
});
const hello = (fields: Partial<HelloRecord>): HelloRecord => ({ type: 'hello', protocol: 1, chip: 'esp32s3', runs: 10, warmup: 1, ...fields });

const S3 = ['esp32s3-quad', 'esp32s3-nopsram', 'esp32s3-qemu', 'esp32s3-octal'].map((n) => v(n));
const P4 = ['esp32p4-rev3', 'esp32p4-rev1'].map((n) => v(n));

describe('variantFromSdkconfig (config/sdkconfig.json of a build)', () => {
  it('reads chip, PSRAM kind and P4 family; falls back to the folder name', () => {
    expect(variantFromSdkconfig({ IDF_TARGET: 'esp32s3', ESPDL_BENCH_VARIANT: 'esp32s3-octal', SPIRAM: true, SPIRAM_MODE_OCT: true, SPIRAM_MODE_QUAD: false }, 'x', 'e'))
      .toEqual({ name: 'esp32s3-octal', chip: 'esp32s3', psram: 'octal', qemu: false, elfSha256: 'e' });
    expect(variantFromSdkconfig({ IDF_TARGET: 'esp32s3', ESPDL_BENCH_VARIANT: 'esp32s3-qemu', SPIRAM: true, SPIRAM_MODE_QUAD: true }, 'x'))
      .toEqual({ name: 'esp32s3-qemu', chip: 'esp32s3', psram: 'quad', qemu: true });
    expect(variantFromSdkconfig({ IDF_TARGET: 'esp32p4', ESPDL_BENCH_VARIANT: 'esp32p4-rev1', SPIRAM: true, ESP32P4_SELECTS_REV_LESS_V3: true }, 'x'))
      .toMatchObject({ psram: 'hex', p4Family: 'v1' });
    expect(variantFromSdkconfig({ IDF_TARGET: 'esp32p4', SPIRAM: true }, 'p4-build')).toMatchObject({ name: 'p4-build', p4Family: 'v3' });
    expect(variantFromSdkconfig({ IDF_TARGET: 'esp32', ESPDL_BENCH_VARIANT: 'custom', SPIRAM: false }, 'mine')).toMatchObject({ name: 'mine', psram: 'none' });
    expect(variantFromSdkconfig({ IDF_TARGET: 'esp32' }, 'old')).toMatchObject({ psram: 'unknown' });
    expect(() => variantFromSdkconfig({}, 'broken')).toThrow(InputError);
  });
});

describe('sameFirmware', () => {
  it('accepts the prefix ESP-IDF reports (8 to 64 hex digits) and nothing else', () => {
    const full = `0123456789abcdef${'0'.repeat(48)}`;
    expect(sameFirmware(full.slice(0, 9), full)).toBe(true);   // ESP-IDF's default length
    expect(sameFirmware(full.slice(0, 16), full)).toBe(true);
    expect(sameFirmware(full, full)).toBe(true);
    expect(sameFirmware(full.slice(0, 9).toUpperCase(), full)).toBe(true);
    expect(sameFirmware(full.slice(0, 7), full)).toBe(false);  // below ESP-IDF's minimum of 8
    expect(sameFirmware('123456789', full)).toBe(false);
    expect(sameFirmware('0123456z9', full)).toBe(false);
    expect(sameFirmware(undefined, full)).toBe(false);
    expect(sameFirmware(full.slice(0, 9), undefined)).toBe(false);
  });
});

describe('boardVariants / qemuVariant', () => {
  it('orders board builds: P4 v1 first, PSRAM before none, octal before quad; QEMU builds never go to a board', () => {
    expect(boardVariants(S3, 'esp32s3').map((x) => x.name)).toEqual(['esp32s3-octal', 'esp32s3-quad', 'esp32s3-nopsram']);
    expect(boardVariants(P4, 'esp32p4').map((x) => x.name)).toEqual(['esp32p4-rev1', 'esp32p4-rev3']);
    expect(boardVariants(S3, 'esp32s3', 'esp32s3-quad').map((x) => x.name)).toEqual(['esp32s3-quad']);
    expect(() => boardVariants(S3, 'esp32s3', 'esp32s3-r8')).toThrow(/--variant esp32s3-r8: no esp32s3 firmware build of that name \(have: esp32s3-quad, esp32s3-nopsram, esp32s3-qemu, esp32s3-octal\)/);
    expect(() => boardVariants([v('esp32s3-qemu')], 'esp32s3')).toThrow(/no firmware build for esp32s3 boards/);
  });

  it('QEMU takes the -qemu build (S3), the PSRAM build (ESP32) or the only one, never P4', () => {
    expect(qemuVariant(S3, 'esp32s3').name).toBe('esp32s3-qemu');
    expect(qemuVariant([v('esp32-nopsram'), v('esp32-psram')], 'esp32').name).toBe('esp32-psram');
    expect(qemuVariant([v('esp32s3-octal')], 'esp32s3').name).toBe('esp32s3-octal');
    expect(() => qemuVariant([v('esp32s3-octal'), v('esp32s3-nopsram')], 'esp32s3')).toThrow(/build the esp32s3-qemu variant \(octal PSRAM does not work in QEMU\)/);
  });
});

describe('nextVariant', () => {
  const s3 = boardVariants(S3, 'esp32s3');
  const octal = s3[0];

  it('keeps a board that runs a current build that works', () => {
    expect(nextVariant(hello({ variant: 'esp32s3-octal', app_elf_sha256: octal.elfSha256!.slice(0, 9), psram: 8 << 20 }), s3, new Set()))
      .toEqual({ kind: 'keep', variant: octal });
  });

  it('flashes a blank board with the most likely build, a stale one with its own build again', () => {
    expect(nextVariant(undefined, s3, new Set())).toMatchObject({ kind: 'flash', variant: { name: 'esp32s3-octal' }, why: 'no benchmark firmware answered' });
    expect(nextVariant(hello({ variant: 'esp32s3-quad', app_elf_sha256: '012345678', psram: 2 << 20 }), s3, new Set()))
      .toMatchObject({ kind: 'flash', variant: { name: 'esp32s3-quad' }, why: 'the board runs another build of esp32s3-quad' });
  });

  it('moves a board whose PSRAM the build did not find to the next build, and stops when none is left', () => {
    const quad = s3[1];
    const noPsram = s3[2];
    expect(nextVariant(hello({ variant: 'esp32s3-octal', app_elf_sha256: octal.elfSha256, psram: 0 }), s3, new Set(['esp32s3-octal'])))
      .toMatchObject({ kind: 'flash', variant: quad, why: 'esp32s3-octal found no octal PSRAM on this board; trying esp32s3-quad' });
    expect(nextVariant(hello({ variant: 'esp32s3-quad', app_elf_sha256: quad.elfSha256, psram: 0 }), s3, new Set(['esp32s3-octal', 'esp32s3-quad'])))
      .toMatchObject({ kind: 'flash', variant: noPsram });
    // A build without PSRAM works on any board: it stays.
    expect(nextVariant(hello({ variant: 'esp32s3-nopsram', app_elf_sha256: noPsram.elfSha256, psram: 0 }), s3, new Set())).toEqual({ kind: 'keep', variant: noPsram });
    // Only one build given and it finds no PSRAM: it is kept, with a warning.
    const only = boardVariants(S3, 'esp32s3', 'esp32s3-octal');
    expect(nextVariant(hello({ variant: 'esp32s3-octal', app_elf_sha256: octal.elfSha256, psram: 0 }), only, new Set(['esp32s3-octal'])))
      .toMatchObject({ kind: 'keep', variant: octal, warning: expect.stringMatching(/found no PSRAM on this board and no other build is left/) });
  });

  it('ESP32-P4: the silicon revision the board reports picks the family', () => {
    const p4 = boardVariants(P4, 'esp32p4');
    expect(nextVariant(hello({ chip: 'esp32p4', variant: 'other', chip_rev: 301 }), p4, new Set())).toMatchObject({ kind: 'flash', variant: { name: 'esp32p4-rev3' } });
    expect(nextVariant(hello({ chip: 'esp32p4', variant: 'other', chip_rev: 103 }), p4, new Set())).toMatchObject({ kind: 'flash', variant: { name: 'esp32p4-rev1' } });
    // Unknown revision (blank board): v1 first; esptool's refusal marks it tried, then v3.
    expect(nextVariant(undefined, p4, new Set(['esp32p4-rev1']))).toMatchObject({ kind: 'flash', variant: { name: 'esp32p4-rev3' } });
    expect(nextVariant(undefined, p4, new Set(['esp32p4-rev1', 'esp32p4-rev3']))).toMatchObject({ kind: 'keep', warning: 'no firmware build left to try (tried esp32p4-rev1, esp32p4-rev3)' });
  });

  it('one build, an older firmware without a name: the SHA decides; a build without its ELF is taken on trust', () => {
    const one = [v('esp32s3-octal')];
    expect(nextVariant(hello({ app_elf_sha256: one[0].elfSha256 }), one, new Set())).toEqual({ kind: 'keep', variant: one[0] });
    expect(nextVariant(hello({ app_elf_sha256: 'fedcba987' }), one, new Set())).toMatchObject({ kind: 'flash', variant: one[0] });
    const noElf = [v('esp32s3-octal', { elfSha256: undefined })];
    expect(nextVariant(hello({ app_elf_sha256: 'fedcba987', variant: 'esp32s3-octal' }), noElf, new Set())).toEqual({ kind: 'keep', variant: noElf[0] });
  });

  it('recognises esptool\'s refusal of an image for another silicon revision', () => {
    expect(isChipRevisionRefusal('A fatal error occurred: bootloader/bootloader.bin requires chip revision in range [v3.1 - v3.99] (this chip is revision v1.3). Use --force to flash anyway.')).toBe(true);
    expect(isChipRevisionRefusal('A fatal error occurred: Failed to connect to ESP32-P4: No serial data received.')).toBe(false);
  });
});
