/**
 * The benchmark firmware's configuration as ESP-IDF would assemble it from runner/firmware/: sdkconfig.defaults,
 * then sdkconfig.defaults.<target>, then variants/<variant>.defaults (later files win; ESP-IDF build system,
 * "Custom Sdkconfig Defaults": https://docs.espressif.com/projects/esp-idf/en/v5.5/esp32/api-guides/build-system.html),
 * on top of the defaults of the firmware's own Kconfig options (main/Kconfig.projbuild). Used by the config
 * checks and to generate the host build's sdkconfig.h. Options whose ESP-IDF default matters to a test are listed
 * in IDF_DEFAULTS; anything else ESP-IDF would set is simply absent here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

export const FIRMWARE_DIR = path.join(REPO_ROOT, 'runner/firmware');

/** A value as written in an sdkconfig file: 'y', a number or hex as text, a quoted string unquoted; false = "is not set" / =n. */
export type SdkValue = string | false;
export type SdkConfig = Map<string, SdkValue>;

/**
 * ESP-IDF v5.5 defaults the firmware's behaviour depends on, for options the project files may leave unset:
 * APP_RETRIEVE_LEN_ELF_SHA (components/esp_app_format/Kconfig.projbuild: default 9, range 8-64).
 */
export const IDF_DEFAULTS: ReadonlyMap<string, string> = new Map([['CONFIG_APP_RETRIEVE_LEN_ELF_SHA', '9']]);

/** The firmware builds: one per file in runner/firmware/variants/. */
export function firmwareVariants(): string[] {
  return readdirSync(path.join(FIRMWARE_DIR, 'variants')).filter((f) => f.endsWith('.defaults')).map((f) => f.replace(/\.defaults$/, '')).sort();
}

/** The IDF target a variant builds for: the part of its name before the first dash. */
export const targetOf = (variant: string): string => variant.split('-')[0];

/** Parses `CONFIG_X=value` and `# CONFIG_X is not set` lines; throws on anything else that is not a comment. */
export function parseSdkconfig(text: string, file: string): SdkConfig {
  const out: SdkConfig = new Map();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    const unset = /^# (CONFIG_\w+) is not set$/.exec(line);
    if (unset) {
      out.set(unset[1], false);
      return;
    }
    if (line === '' || line.startsWith('#')) return;
    const m = /^(CONFIG_\w+)=(.*)$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: not an sdkconfig line: ${line}`);
    const value = m[2].startsWith('"') ? JSON.parse(m[2]) as string : m[2];
    out.set(m[1], value === 'n' ? false : value);
  });
  return out;
}

/** Defaults of the firmware's own options (`config X` … `default V` in main/Kconfig.projbuild). */
export function kconfigDefaults(): SdkConfig {
  const text = readFileSync(path.join(FIRMWARE_DIR, 'main/Kconfig.projbuild'), 'utf8');
  const out: SdkConfig = new Map();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const config = /^\s*config (\w+)/.exec(line);
    if (config) current = `CONFIG_${config[1]}`;
    const dflt = /^\s*default (.+)$/.exec(line);
    if (current && dflt) {
      const v = dflt[1].trim();
      out.set(current, v.startsWith('"') ? JSON.parse(v) as string : v === 'n' ? false : v);
      current = undefined;
    }
  }
  return out;
}

/** The files a variant's build reads, in order (those that exist). */
export function defaultsFiles(variant: string): string[] {
  const candidates = ['sdkconfig.defaults', `sdkconfig.defaults.${targetOf(variant)}`, `variants/${variant}.defaults`];
  return candidates.filter((f) => {
    try {
      readFileSync(path.join(FIRMWARE_DIR, f));
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Kconfig `choice` groups the firmware's files set: selecting one member (=y) deselects the others, so a later
 * file's choice replaces an earlier one's (e.g. the QEMU build's DIO flash over the S3 files' QIO).
 */
const CHOICES = [
  'CONFIG_ESPTOOLPY_FLASHMODE_', 'CONFIG_ESPTOOLPY_FLASHSIZE_', 'CONFIG_ESPTOOLPY_FLASHFREQ_', 'CONFIG_SPIRAM_MODE_',
  'CONFIG_SPIRAM_SPEED_', 'CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ_', 'CONFIG_CACHE_L2_CACHE_', 'CONFIG_PARTITION_TABLE_',
];
const choiceOf = (key: string): string | undefined =>
  /^CONFIG_ESP32P4_REV_MIN_\d+$/.test(key) ? 'CONFIG_ESP32P4_REV_MIN_'
    : CHOICES.find((c) => key.startsWith(c) && /^[0-9A-Z]+$/.test(key.slice(c.length)) && !/(FILENAME|OFFSET)$/.test(key));

/** The merged configuration of a variant (Kconfig defaults < IDF defaults < the defaults files, in order). */
export function variantConfig(variant: string): SdkConfig {
  const merged: SdkConfig = new Map([...IDF_DEFAULTS, ...kconfigDefaults()]);
  merged.set('CONFIG_IDF_TARGET', targetOf(variant));
  for (const f of defaultsFiles(variant)) {
    for (const [k, v] of parseSdkconfig(readFileSync(path.join(FIRMWARE_DIR, f), 'utf8'), f)) {
      const group = choiceOf(k);
      if (group && v === 'y') {
        for (const other of [...merged.keys()]) if (other !== k && choiceOf(other) === group) merged.delete(other);
      }
      merged.set(k, v);
    }
  }
  return merged;
}

/** The selected member of a choice group, e.g. chosen(config, 'CONFIG_ESPTOOLPY_FLASHMODE_') → 'QIO'. */
export function chosen(config: SdkConfig, group: string): string | undefined {
  const picked = [...config].filter(([k, v]) => v === 'y' && choiceOf(k) === group).map(([k]) => k.slice(group.length));
  if (picked.length > 1) throw new Error(`${group}*: ${picked.join(', ')} all selected`);
  return picked[0];
}

/** The flash size a configuration selects (CONFIG_ESPTOOLPY_FLASHSIZE_<n>MB=y). */
export function flashSizeBytes(config: SdkConfig): number {
  const size = chosen(config, 'CONFIG_ESPTOOLPY_FLASHSIZE_');
  if (!size || !/^\d+MB$/.test(size)) throw new Error(`no CONFIG_ESPTOOLPY_FLASHSIZE_<n>MB set (${size ?? 'none'})`);
  return Number(size.slice(0, -2)) * 1024 * 1024;
}

/**
 * sdkconfig.h for the host build: what ESP-IDF's confgen writes (bools as 1, strings quoted, numbers as they are,
 * unset options absent), without the CONFIG_IDF_TARGET_<CHIP> switches, which would select ESP-DL's SIMD code.
 */
export function sdkconfigHeader(config: SdkConfig): string {
  const lines = ['/* Generated by test/helpers/sdkconfig.ts for the host build of the firmware. */', '#pragma once'];
  for (const [k, v] of config) {
    if (v === false) continue;
    const isNumber = /^(0x[0-9a-fA-F]+|-?\d+)$/.test(v);
    const value = v === 'y' ? '1' : isNumber ? v : JSON.stringify(v);
    lines.push(`#define ${k} ${value}`);
  }
  const cpu = chosen(config, 'CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ_');
  if (cpu) lines.push(`#define CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ ${cpu}`);
  return `${lines.join('\n')}\n`;
}
