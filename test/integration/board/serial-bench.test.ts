/**
 * The bench use case over the REAL serial code (src/node/serial-link.ts on serialport) through a socat
 * pseudo-terminal pair, against the device emulator. PTYs have no DTR/RTS, so the `classic` reset falls
 * back to the protocol's restart command — that fallback is part of what is tested.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { benchOnBoards, type BenchCandidate, type BoardFlasher } from '../../../src/board/bench.js';
import { benchReport, type BenchReport } from '../../../src/board/bench-report.js';
import type { FirmwareVariant } from '../../../src/board/firmware-variant.js';
import { realClock } from '../../../src/board/link.js';
import { recordingLogger } from '../../fakes/recording-logger.js';
import { serialLink } from '../../../src/node/serial-link.js';
import { DeviceEmulator, startPtyPair, type EmulatedModel, type EmulatorOptions, type PtyPair } from '../../fakes/device-emulator.js';

const SHA_NEW = 'a'.repeat(64);
const SHA_OLD = 'b'.repeat(64);
const FIRMWARE: FirmwareVariant[] = [{ name: 'esp32s3-octal', chip: 'esp32s3', psram: 'octal', qemu: false, elfSha256: SHA_NEW }];
const MEM = { internal: 20480, psram: 1048576 };
const MODELS: Record<string, EmulatedModel> = {
  good: { name: 'good', behaviour: 'ok', runsUs: [1000, 1300, 1100, 1200, 1400], bytes: 7648, memory: MEM },
  wrong: { name: 'wrong', behaviour: 'test-fail', runsUs: [900, 900, 900], bytes: 7648, memory: MEM },
  panics: { name: 'panics', behaviour: 'panic', runsUs: [500, 500, 500], bytes: 100, memory: MEM },
  reboots: { name: 'reboots', behaviour: 'reboot', runsUs: [500, 500, 500], bytes: 100, memory: MEM },
  hangs: { name: 'hangs', behaviour: 'hang', runsUs: [500], bytes: 100, memory: MEM },
  second: { name: 'second', behaviour: 'ok', runsUs: [2000, 2000, 2000], bytes: 64, memory: MEM },
};
const candidate = (name: string): BenchCandidate => ({ name, file: `${name}.espdl`, bytes: new Uint8Array([1, 2, 3]) });

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function board(opts: Partial<EmulatorOptions> & { firmwareOk?: boolean }): Promise<{ pair: PtyPair; emu: DeviceEmulator }> {
  const pair = await startPtyPair();
  const emu = await DeviceEmulator.open(pair.device, {
    chip: 'esp32s3', elfSha256: opts.firmwareOk === false ? SHA_OLD : SHA_NEW, unplug: () => pair.stop(), ...opts,
  });
  cleanup.push(() => pair.stop(), () => emu.close());
  return { pair, emu };
}

/** The flasher stand-in (esptool is an outside effect): "flashing" changes what the emulator runs. */
function flasherFor(emus: Map<string, DeviceEmulator>, log: string[]): BoardFlasher {
  return {
    flashFirmware: async (id, variant) => {
      log.push(`firmware ${id} ${variant}`);
      const emu = emus.get(id) as DeviceEmulator;
      emu.elfSha256 = SHA_NEW;
      emu.variant = variant;
      emu.blank = false;
    },
    flashModel: async (id, c) => {
      log.push(`model ${id} ${c.name}`);
      (emus.get(id) as DeviceEmulator).model = MODELS[c.name];
    },
  };
}

async function run(boards: { pair: PtyPair; emu: DeviceEmulator }[], names: string[], flashLog: string[] = []): Promise<BenchReport> {
  const emus = new Map(boards.map((b) => [b.pair.host, b.emu]));
  const report = await benchOnBoards({
    boards: boards.map((b) => serialLink(b.pair.host)),
    candidates: names.map(candidate),
    chip: 'esp32s3',
    flasher: flasherFor(emus, flashLog),
    firmware: FIRMWARE,
    reset: 'classic',
    // Generous enough for a loaded 2-core CI machine; the hang and silent cases cost these per attempt.
    timeouts: { silenceMs: 1000, idleMs: 1000, attemptMs: 10_000 },
    retries: 1,
    clock: realClock,
    logger: recordingLogger(),
    created: '2026-11-27T00:00:00.000Z',
  });
  return benchReport.parse(report);
}

describe('bench over a socat PTY pair', () => {
  it('measures, and records a failing test, a panic, a spontaneous reboot and a hang', async () => {
    const b = await board({ firmwareOk: false });
    const flashLog: string[] = [];
    const report = await run([b], ['good', 'wrong', 'panics', 'reboots', 'hangs'], flashLog);
    const by = new Map(report.candidates.map((c) => [c.name, c]));

    // ESP-IDF keeps 9 hex digits of the ELF SHA-256 by default: a prefix of the build's is the same firmware.
    expect(report.boards).toEqual([{
      id: b.pair.host, status: 'ok', reason: null, chip: 'esp32s3', variant: 'esp32s3-octal', chip_rev: 0, app_elf_sha256: 'aaaaaaaaa', firmware_flashed: true,
    }]);
    expect(flashLog.filter((l) => l.startsWith('firmware'))).toEqual([`firmware ${b.pair.host} esp32s3-octal`]);

    const good = by.get('good');
    expect(good?.status).toBe('ok');
    expect(good?.test).toBe('pass');
    // runs 1000,1300,1100,1200,1400 µs: sorted 1000 1100 1200 1300 1400 → median 1200, mean 1200,
    // p90 at rank 0.9·4 = 3.6 → 1300 + 0.6·100 = 1360.
    expect(good?.latency_us).toEqual({ warmup: 1, runs: [1000, 1300, 1100, 1200, 1400], min: 1000, median: 1200, mean: 1200, p90: 1360, max: 1400 });
    expect(good?.memory_bytes).toEqual({ internal: 20480, psram: 1048576, flash: 7648 });
    expect(good?.model_bytes).toBe(7648);
    expect(good?.attempts).toBe(1);

    expect(by.get('wrong')).toMatchObject({ status: 'test-failed', test: 'fail' });
    expect(by.get('wrong')?.latency_us?.median).toBe(900);
    expect(by.get('panics')).toMatchObject({ status: 'crashed', test: 'pass', latency_us: null, attempts: 1 });
    expect(by.get('panics')?.reason).toMatch(/^guru-meditation: Guru Meditation Error: Core {2}0 panic'ed \(LoadProhibited\)/);
    expect(by.get('reboots')).toMatchObject({ status: 'crashed', reason: 'reboot: ESP-ROM:esp32s3-20210327' });
    expect(by.get('hangs')).toMatchObject({ status: 'error', attempts: 2, memory_bytes: { internal: 20480, psram: 1048576, flash: 100 } });
    expect(by.get('hangs')?.reason).toMatch(/^hang: output stopped after the memory record/);
  });

  it('drops a silent board after a retry and runs everything on the other one', async () => {
    const dead = await board({ silent: true });
    const live = await board({});
    const report = await run([dead, live], ['good', 'second']);
    expect(report.boards[0]).toMatchObject({ id: dead.pair.host, status: 'silent' });
    expect(report.boards[1]).toMatchObject({ id: live.pair.host, status: 'ok', firmware_flashed: false });
    expect(report.candidates.map((c) => [c.name, c.status, c.board])).toEqual([
      ['good', 'ok', live.pair.host],
      ['second', 'ok', live.pair.host],
    ]);
    // A silent board gets flashed (it may be blank), then probed again before it is given up.
    expect(dead.emu.boots).toBe(0);
  });

  it('moves the candidate of a board that is unplugged mid-run to the other board', async () => {
    const a = await board({ disconnectOn: 'good' });
    const b2 = await board({});
    const report = await run([a, b2], ['good', 'second']);
    expect(report.boards[0].status).toBe('disconnected');
    expect(report.boards[0].reason).toMatch(/disconnected/);
    const good = report.candidates.find((c) => c.name === 'good');
    expect(good).toMatchObject({ status: 'ok', board: b2.pair.host });
    expect(good?.latency_us?.median).toBe(1200);
    expect(report.candidates.find((c) => c.name === 'second')?.status).toBe('ok');
  });

  it('skips every candidate with the reason when the only board is gone', async () => {
    const a = await board({ disconnectOn: 'good' });
    const report = await run([a], ['good', 'second']);
    expect(report.candidates.map((c) => c.status)).toEqual(['skipped', 'skipped']);
    expect(report.candidates[0].reason).toMatch(new RegExp(`^no board left to run it \\(${a.pair.host}: .*disconnected`));
  });

  it('brings each board onto the build it needs: P4 silicon family by esptool refusal, S3 PSRAM by what the board reports', async () => {
    const sha = (v: string): string => createHash('sha256').update(v).digest('hex');
    const builds: FirmwareVariant[] = [
      { name: 'esp32p4-rev1', chip: 'esp32p4', psram: 'hex', p4Family: 'v1', qemu: false, elfSha256: sha('esp32p4-rev1') },
      { name: 'esp32p4-rev3', chip: 'esp32p4', psram: 'hex', p4Family: 'v3', qemu: false, elfSha256: sha('esp32p4-rev3') },
    ];
    const p4 = await board({ chip: 'esp32p4', psram: 'hex', chipRev: 301, blank: true });
    const log: string[] = [];
    const flasher: BoardFlasher = {
      // esptool checks the image's revision range against the chip before writing (the message of ESP-IDF 5.5.4).
      flashFirmware: async (id, variant) => {
        log.push(variant);
        if (variant === 'esp32p4-rev1') throw new Error(`esptool failed on ${id}: A fatal error occurred: bootloader/bootloader.bin requires chip revision in range [v0.0 - v1.99] (this chip is revision v3.1). Use --force to flash anyway.`);
        Object.assign(p4.emu, { blank: false, variant, elfSha256: sha(variant) });
      },
      flashModel: async (_id, c) => { p4.emu.model = MODELS[c.name]; },
    };
    const report = await benchOnBoards({
      boards: [serialLink(p4.pair.host)], candidates: [candidate('good')], chip: 'esp32p4', flasher, firmware: builds,
      reset: 'classic', timeouts: { silenceMs: 1000, idleMs: 1000, attemptMs: 10_000 }, retries: 1,
      clock: realClock, logger: recordingLogger(), created: 'now',
    });
    expect(log).toEqual(['esp32p4-rev1', 'esp32p4-rev3']);
    expect(report.boards[0]).toMatchObject({ status: 'ok', variant: 'esp32p4-rev3', chip_rev: 301, firmware_flashed: true });
    expect(report.candidates[0]).toMatchObject({ status: 'ok', test: 'pass' });

    // An ESP32-S3 module with quad PSRAM: the octal build boots without PSRAM (hello.psram 0), the quad one finds it;
    // on the next run the board keeps the quad build without any flashing.
    const s3builds: FirmwareVariant[] = ['esp32s3-nopsram', 'esp32s3-octal', 'esp32s3-qemu', 'esp32s3-quad'].map((name) => ({
      name, chip: 'esp32s3', psram: name.endsWith('octal') ? 'octal' : name.endsWith('nopsram') ? 'none' : 'quad', qemu: name.endsWith('qemu'), elfSha256: sha(name),
    }));
    const s3 = await board({ chip: 'esp32s3', psram: 'quad', blank: true });
    const s3log: string[] = [];
    const s3flasher: BoardFlasher = {
      flashFirmware: async (_id, variant) => {
        s3log.push(variant);
        Object.assign(s3.emu, { blank: false, variant, elfSha256: sha(variant) });
      },
      flashModel: async (_id, c) => { s3.emu.model = MODELS[c.name]; },
    };
    const s3run = (): Promise<BenchReport> => benchOnBoards({
      boards: [serialLink(s3.pair.host)], candidates: [candidate('second')], chip: 'esp32s3', flasher: s3flasher, firmware: s3builds,
      reset: 'classic', timeouts: { silenceMs: 1000, idleMs: 1000, attemptMs: 10_000 }, retries: 1,
      clock: realClock, logger: recordingLogger(), created: 'now',
    });
    const first = await s3run();
    expect(s3log).toEqual(['esp32s3-octal', 'esp32s3-quad']);
    expect(first.boards[0]).toMatchObject({ status: 'ok', variant: 'esp32s3-quad', firmware_flashed: true });
    const second = await s3run();
    expect(s3log).toEqual(['esp32s3-octal', 'esp32s3-quad']);
    expect(second.boards[0]).toMatchObject({ status: 'ok', variant: 'esp32s3-quad', firmware_flashed: false });
    expect(second.candidates[0]).toMatchObject({ status: 'ok', latency_us: { median: 2000 } });
  });
});
