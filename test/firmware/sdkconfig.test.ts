/**
 * Configuration checks without a board or ESP-IDF: each firmware build's settings, as ESP-IDF assembles them
 * from runner/firmware/ (sdkconfig.defaults, sdkconfig.defaults.<target>, variants/<variant>.defaults), hold
 * what a first board needs (runner/README.md, "Firmware builds"). Each block names the defect it guards.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PARTITION_TYPES } from '../../src/board/partition-table.js';
import { partitionTableFromCsv } from '../helpers/partition-table.js';
import { chosen, FIRMWARE_DIR, firmwareVariants, flashSizeBytes, targetOf, variantConfig } from '../helpers/sdkconfig.js';

const MB = 1024 * 1024;
const VARIANTS = firmwareVariants();
const cfg = (v: string) => variantConfig(v);

describe('firmware builds (runner/firmware/variants)', () => {
  it('are the builds runner/README.md documents, each naming itself', () => {
    expect(VARIANTS).toEqual([
      'esp32-nopsram', 'esp32-psram', 'esp32p4-rev1', 'esp32p4-rev3', 'esp32s3-nopsram', 'esp32s3-octal', 'esp32s3-qemu', 'esp32s3-quad',
    ]);
    const readme = readFileSync(path.join(FIRMWARE_DIR, '../README.md'), 'utf8');
    for (const v of VARIANTS) {
      expect(cfg(v).get('CONFIG_ESPDL_BENCH_VARIANT')).toBe(v);
      expect(readme).toContain(`\`${v}\``);
    }
  });

  it('every build reports its full ELF SHA-256 (defect 5: a 9-digit SHA made every run re-flash)', () => {
    for (const v of VARIANTS) expect(cfg(v).get('CONFIG_APP_RETRIEVE_LEN_ELF_SHA'), v).toBe('64');
  });

  it('every build: custom partition table, -O2, watchdogs off, 1 kHz tick, 115200 baud console', () => {
    for (const v of VARIANTS) {
      const c = cfg(v);
      expect(chosen(c, 'CONFIG_PARTITION_TABLE_'), v).toBe('CUSTOM');
      expect(c.get('CONFIG_COMPILER_OPTIMIZATION_PERF'), v).toBe('y');
      expect(c.get('CONFIG_ESP_TASK_WDT_EN'), v).toBe(false);
      expect(c.get('CONFIG_ESP_INT_WDT'), v).toBe(false);
      expect(c.get('CONFIG_FREERTOS_HZ'), v).toBe('1000');
      expect(c.get('CONFIG_ESP_CONSOLE_UART_BAUDRATE'), v).toBe('115200');
    }
  });

  it('ESP32-P4: one build per silicon family (defect 1: from ESP-IDF 5.5.4 v1.x chips refuse the default build)', () => {
    const v1 = cfg('esp32p4-rev1');
    expect(v1.get('CONFIG_ESP32P4_SELECTS_REV_LESS_V3')).toBe('y');
    expect(chosen(v1, 'CONFIG_ESP32P4_REV_MIN_')).toBe('0');
    const v3 = cfg('esp32p4-rev3');
    expect(v3.get('CONFIG_ESP32P4_SELECTS_REV_LESS_V3')).toBe(false);
    expect(chosen(v3, 'CONFIG_ESP32P4_REV_MIN_')).toBe('300');
    for (const c of [v1, v3]) {
      // ESP-DL's published P4 conditions.
      expect(c.get('CONFIG_SPIRAM')).toBe('y');
      expect(chosen(c, 'CONFIG_SPIRAM_SPEED_')).toBe('200M');
      expect(chosen(c, 'CONFIG_ESPTOOLPY_FLASHMODE_')).toBe('QIO');
      expect(chosen(c, 'CONFIG_CACHE_L2_CACHE_')).toBe('256KB');
      expect(c.get('CONFIG_IDF_EXPERIMENTAL_FEATURES')).toBe('y');
    }
  });

  it('ESP32-S3: octal, quad and no PSRAM builds; QIO flash on boards (defect 2: octal PSRAM was forced, flash was DIO)', () => {
    const octal = cfg('esp32s3-octal');
    const quad = cfg('esp32s3-quad');
    const none = cfg('esp32s3-nopsram');
    expect(chosen(octal, 'CONFIG_SPIRAM_MODE_')).toBe('OCT');
    expect(chosen(quad, 'CONFIG_SPIRAM_MODE_')).toBe('QUAD');
    expect(none.get('CONFIG_SPIRAM')).toBe(false);
    for (const c of [octal, quad]) {
      expect(c.get('CONFIG_SPIRAM')).toBe('y');
      // A PSRAM build on a board without that PSRAM boots and says so (hello.psram 0) instead of aborting.
      expect(c.get('CONFIG_SPIRAM_IGNORE_NOTFOUND')).toBe('y');
      expect(chosen(c, 'CONFIG_SPIRAM_SPEED_')).toBe('80M');
    }
    for (const c of [octal, quad, none]) {
      expect(chosen(c, 'CONFIG_ESPTOOLPY_FLASHMODE_')).toBe('QIO');
      expect(chosen(c, 'CONFIG_ESPTOOLPY_FLASHFREQ_')).toBe('80M');
      expect(chosen(c, 'CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ_')).toBe('240');
      expect(c.get('CONFIG_ESP32S3_DATA_CACHE_64KB')).toBe('y');
    }
  });

  it('ESP32-S3 in QEMU: quad PSRAM and DIO flash (defect 7: octal PSRAM is not detected by QEMU)', () => {
    const q = cfg('esp32s3-qemu');
    expect(q.get('CONFIG_SPIRAM')).toBe('y');
    expect(chosen(q, 'CONFIG_SPIRAM_MODE_')).toBe('QUAD');
    expect(chosen(q, 'CONFIG_ESPTOOLPY_FLASHMODE_')).toBe('DIO');
  });

  it('ESP32: with and without PSRAM, DIO flash, 4 MB (defect 3)', () => {
    expect(cfg('esp32-psram').get('CONFIG_SPIRAM')).toBe('y');
    expect(cfg('esp32-psram').get('CONFIG_SPIRAM_IGNORE_NOTFOUND')).toBe('y');
    expect(cfg('esp32-nopsram').get('CONFIG_SPIRAM')).toBe(false);
    for (const v of ['esp32-psram', 'esp32-nopsram']) {
      expect(chosen(cfg(v), 'CONFIG_ESPTOOLPY_FLASHMODE_'), v).toBe('DIO');
      expect(flashSizeBytes(cfg(v)), v).toBe(4 * MB);
    }
  });

  it('no build without PSRAM copies weights to RAM (defect 3: param_copy into internal RAM fails for nearly every model)', () => {
    for (const v of VARIANTS) {
      const c = cfg(v);
      if (c.get('CONFIG_SPIRAM') !== 'y') expect(c.get('CONFIG_ESPDL_BENCH_PARAM_COPY'), v).toBe(false);
      else expect(c.get('CONFIG_ESPDL_BENCH_PARAM_COPY'), v).toBe('y');
    }
  });

  it('every partition table fits its flash, with a 2 MB app and a model partition (defect 3: 1536 K may not hold the app)', () => {
    for (const v of VARIANTS) {
      const c = cfg(v);
      const csvName = c.get('CONFIG_PARTITION_TABLE_CUSTOM_FILENAME') as string;
      const table = partitionTableFromCsv(readFileSync(path.join(FIRMWARE_DIR, csvName), 'utf8'), Number(c.get('CONFIG_PARTITION_TABLE_OFFSET')));
      const end = Math.max(...table.map((p) => p.offset + p.size));
      expect(end, `${v}: ${csvName}`).toBeLessThanOrEqual(flashSizeBytes(c));
      const app = table.find((p) => p.type === PARTITION_TYPES.app);
      expect(app, v).toMatchObject({ name: 'factory', offset: 0x10000, size: 2 * MB });
      const model = table.find((p) => p.name === 'model');
      expect(model?.type, v).toBe(PARTITION_TYPES.data);
      expect(model?.size, v).toBeGreaterThanOrEqual(targetOf(v) === 'esp32' ? 1984 * 1024 : 5 * MB);
    }
  });

  it('ESP-DL is pinned to releases that read what we export (defect 6: ^3.3.0 admitted releases without PDL3)', () => {
    const manifest = parseYaml(readFileSync(path.join(FIRMWARE_DIR, 'main/idf_component.yml'), 'utf8')) as { dependencies: Record<string, string> };
    const spec = manifest.dependencies['espressif/esp-dl'];
    expect(spec).toBe('>=3.3.9,<3.4.0');
    // The lower bound is the release whose sources the host test compiles (test/firmware/esp-dl/PROVENANCE.md).
    expect(readFileSync(path.join(FIRMWARE_DIR, '../../test/firmware/esp-dl/PROVENANCE.md'), 'utf8')).toContain('v3.3.9');
  });
});
