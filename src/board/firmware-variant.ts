/**
 * Firmware variants: the benchmark firmware is built once per chip and board kind (runner/firmware/variants/,
 * runner/README.md "Firmware builds"), because one image cannot serve them all: ESP32-P4 silicon v1.x and
 * v3.x need mutually exclusive builds, an ESP32-S3 needs the PSRAM line mode of its module, and a board
 * without PSRAM must not copy weights into RAM. This module describes a build from its sdkconfig, compares the
 * firmware a board reports with a build, and decides which build a board should run next. Pure (no I/O).
 */
import { InputError } from '../errors.js';
import type { HelloRecord } from './protocol-records.js';

/** The PSRAM a build initialises: the line mode of the S3 module, P4's in-package hex PSRAM, or none. */
export type PsramKind = 'octal' | 'quad' | 'hex' | 'none' | 'unknown';

export interface FirmwareVariant {
  /** CONFIG_ESPDL_BENCH_VARIANT, e.g. 'esp32s3-octal' (what `hello.variant` reports). */
  readonly name: string;
  /** CONFIG_IDF_TARGET. */
  readonly chip: string;
  readonly psram: PsramKind;
  /** ESP32-P4 only: the silicon family the build runs on (v1 = revision < 3.0, v3 = revision ≥ 3.0). */
  readonly p4Family?: 'v1' | 'v3';
  /** Built for Espressif QEMU (never flashed to a board). */
  readonly qemu: boolean;
  /** SHA-256 (hex, 64 digits) of the build's app ELF. */
  readonly elfSha256?: string;
}

/**
 * Describes a build from its `config/sdkconfig.json` (ESP-IDF writes the options without the CONFIG_ prefix,
 * booleans as true/false). `fallbackName` names builds made without CONFIG_ESPDL_BENCH_VARIANT.
 */
export function variantFromSdkconfig(sdk: Readonly<Record<string, unknown>>, fallbackName: string, elfSha256?: string): FirmwareVariant {
  const chip = typeof sdk.IDF_TARGET === 'string' ? sdk.IDF_TARGET : undefined;
  if (!chip) throw new InputError(`${fallbackName}: sdkconfig.json has no IDF_TARGET`);
  const name = typeof sdk.ESPDL_BENCH_VARIANT === 'string' && sdk.ESPDL_BENCH_VARIANT !== '' && sdk.ESPDL_BENCH_VARIANT !== 'custom'
    ? sdk.ESPDL_BENCH_VARIANT : fallbackName;
  const psram: PsramKind = !('SPIRAM' in sdk) ? 'unknown' : sdk.SPIRAM !== true ? 'none'
    : sdk.SPIRAM_MODE_OCT === true ? 'octal'
      : sdk.SPIRAM_MODE_QUAD === true ? 'quad'
        : chip === 'esp32p4' ? 'hex'
          : chip === 'esp32' ? 'quad' : 'unknown';
  const p4Family = chip === 'esp32p4' ? (sdk.ESP32P4_SELECTS_REV_LESS_V3 === true ? 'v1' : 'v3') : undefined;
  return {
    name, chip, psram, qemu: /-qemu$/.test(name),
    ...(p4Family ? { p4Family } : {}), ...(elfSha256 ? { elfSha256 } : {}),
  };
}

/**
 * Whether the ELF SHA-256 a board reports is that of the build (`full`, 64 hex digits). ESP-IDF reports only
 * the first CONFIG_APP_RETRIEVE_LEN_ELF_SHA digits (default 9 or 16 by release, range 8-64; the firmware sets
 * 64), so a report of at least 8 digits matches when it is a prefix.
 */
export function sameFirmware(reported: string | undefined, full: string | undefined): boolean {
  if (!reported || !full) return false;
  const r = reported.toLowerCase();
  return r.length >= 8 && /^[0-9a-f]+$/.test(r) && full.toLowerCase().startsWith(r);
}

const PSRAM_PREFERENCE: Readonly<Record<PsramKind, number>> = { octal: 0, hex: 0, quad: 1, unknown: 2, none: 3 };

/**
 * The builds a board of `chip` may run, most likely first: no QEMU builds; the P4 family the board's revision
 * asks for (v1 first when unknown: most P4 boards in use carry v1.x silicon); PSRAM builds before the build
 * without PSRAM (a board without PSRAM boots a PSRAM build and says so); octal before quad (ESP-DL's
 * reference modules). `requested` (the --variant flag) narrows it to that one build.
 */
export function boardVariants(all: readonly FirmwareVariant[], chip: string, requested?: string): FirmwareVariant[] {
  const forChip = all.filter((v) => v.chip === chip);
  if (requested !== undefined) {
    const one = forChip.find((v) => v.name === requested);
    if (!one) throw new InputError(`--variant ${requested}: no ${chip} firmware build of that name (have: ${forChip.map((v) => v.name).join(', ') || 'none'})`);
    return [one];
  }
  const boards = forChip.filter((v) => !v.qemu);
  if (boards.length === 0) throw new InputError(`no firmware build for ${chip} boards (have: ${all.map((v) => `${v.name} (${v.chip})`).join(', ') || 'none'})`);
  const family = (v: FirmwareVariant): number => (v.p4Family === 'v3' ? 1 : 0);
  return [...boards].sort((a, b) => family(a) - family(b) || PSRAM_PREFERENCE[a.psram] - PSRAM_PREFERENCE[b.psram] || a.name.localeCompare(b.name));
}

/** The build QEMU runs for `chip`: a `-qemu` build, else the PSRAM build ESP32 QEMU boots (quad), else the only one. */
export function qemuVariant(all: readonly FirmwareVariant[], chip: string, requested?: string): FirmwareVariant {
  if (requested !== undefined) return boardVariantsOrAll(all, chip, requested);
  const forChip = all.filter((v) => v.chip === chip);
  const pick = forChip.find((v) => v.qemu) ?? forChip.find((v) => v.psram === 'quad') ?? (forChip.length === 1 ? forChip[0] : undefined);
  if (!pick) {
    throw new InputError(`no firmware build for ${chip} in QEMU among ${forChip.map((v) => v.name).join(', ') || 'none'}: ` +
      `build the ${chip === 'esp32s3' ? 'esp32s3-qemu' : 'esp32-psram'} variant (octal PSRAM does not work in QEMU)`);
  }
  return pick;
}

function boardVariantsOrAll(all: readonly FirmwareVariant[], chip: string, requested: string): FirmwareVariant {
  const one = all.find((v) => v.chip === chip && v.name === requested);
  if (!one) throw new InputError(`--variant ${requested}: no ${chip} firmware build of that name (have: ${all.filter((v) => v.chip === chip).map((v) => v.name).join(', ') || 'none'})`);
  return one;
}

/** What the bench should do with a board, given what it reported and which builds were already tried on it. */
export type VariantDecision =
  | { readonly kind: 'keep'; readonly variant: FirmwareVariant | undefined; readonly warning?: string }
  | { readonly kind: 'flash'; readonly variant: FirmwareVariant; readonly why: string };

/** The board runs `v` but `v`'s PSRAM was not found (the build boots anyway: CONFIG_SPIRAM_IGNORE_NOTFOUND). */
function psramMissing(hello: HelloRecord, v: FirmwareVariant): boolean {
  return (v.psram === 'octal' || v.psram === 'quad' || v.psram === 'hex') && hello.psram === 0;
}

function p4FamilyOf(hello: HelloRecord | undefined): 'v1' | 'v3' | undefined {
  if (hello?.chip !== 'esp32p4' || hello.chip_rev === undefined) return undefined;
  return hello.chip_rev >= 300 ? 'v3' : 'v1';
}

/**
 * Chooses the next step for a board. `options` is boardVariants(); `tried` the builds flashed (or refused by
 * esptool) on this board in this run. Keeps a board whose build is one of the options, is current and works
 * (its PSRAM was found, or it has none); otherwise flashes the first untried option that suits what the board
 * reported; when none is left, keeps what runs, with a warning.
 */
export function nextVariant(hello: HelloRecord | undefined, options: readonly FirmwareVariant[], tried: ReadonlySet<string>): VariantDecision {
  const running = hello?.variant === undefined ? undefined : options.find((v) => v.name === hello.variant);
  const family = p4FamilyOf(hello);
  const suits = (v: FirmwareVariant): boolean => family === undefined || v.p4Family === undefined || v.p4Family === family;
  // One build, and the board gives no name (older firmware) or runs that very ELF: the SHA tells.
  const only = options.length === 1 && hello && (hello.variant === undefined || sameFirmware(hello.app_elf_sha256, options[0].elfSha256))
    ? options[0] : undefined;
  const current = running ?? only;
  // A build without its ELF cannot be compared: take the board's word for it.
  if (hello && current && (current.elfSha256 === undefined || sameFirmware(hello.app_elf_sha256, current.elfSha256))) {
    if (!psramMissing(hello, current)) return { kind: 'keep', variant: current };
    const next = options.find((v) => !tried.has(v.name) && v !== current && suits(v));
    if (next) return { kind: 'flash', variant: next, why: `${current.name} found no ${current.psram} PSRAM on this board; trying ${next.name}` };
    return {
      kind: 'keep', variant: current,
      warning: `${current.name} found no PSRAM on this board and no other build is left to try: weights stay in flash (param_copy off)`,
    };
  }
  if (current && !tried.has(current.name) && suits(current)) {
    return { kind: 'flash', variant: current, why: hello ? `the board runs another build of ${current.name}` : 'no benchmark firmware answered' };
  }
  const next = options.find((v) => !tried.has(v.name) && suits(v));
  if (next) return { kind: 'flash', variant: next, why: hello ? `the board runs ${hello.variant ?? 'another firmware'}` : 'no benchmark firmware answered' };
  return { kind: 'keep', variant: running, warning: `no firmware build left to try (tried ${[...tried].join(', ') || 'none'})` };
}

/** esptool refuses an image built for another silicon revision (e.g. an ESP32-P4 v3 image on a v1.3 chip). */
export function isChipRevisionRefusal(message: string): boolean {
  return /requires chip revision in range/i.test(message);
}
