/**
 * The benchmark firmware's own code (runner/firmware/main/*.cpp), compiled on the host against ESP-DL v3.3.9's
 * headers and its real FbsLoader, with stand-ins for ESP-IDF and for the parts of ESP-DL that need a chip
 * (test/firmware/host/). Each test boots it on a scenario (what the `model` partition holds, what the models do,
 * the board's PSRAM) and feeds its console output to the real protocol parser and result folding, as the bench
 * does with a board. The device emulator's output is checked against it, so the two cannot drift apart.
 *
 * Needs a C++20 compiler (g++; `.ci/run` installs it): the build fails with what to install when it is missing.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultFromRecords } from '../../src/board/candidate-result.js';
import { formatCommand } from '../../src/board/commands.js';
import { sameFirmware } from '../../src/board/firmware-variant.js';
import { createProtocolParser, type ProtocolEvent } from '../../src/board/protocol.js';
import type { BenchRecord } from '../../src/board/protocol-records.js';
import { parseContainer, writeEdl2 } from '../../src/espdl/container.js';
import { packPdl3 } from '../../src/espdl/pack.js';
import { firmwareTranscript, type EmulatedModel } from '../fakes/device-emulator.js';
import { buildHostFirmware, runHostFirmware, type HostFirmware, type HostScenario } from '../helpers/firmware-host.js';

const SHA = createHash('sha256').update('espdl_bench.elf of this build').digest('hex');
const model = (payloadBytes: number, encrypted = false): Uint8Array => writeEdl2(new Uint8Array(payloadBytes).fill(7), encrypted);

let s3: HostFirmware;            // variants/esp32s3-octal.defaults, as the firmware workflow builds it
let esp32: HostFirmware;         // variants/esp32-nopsram.defaults

beforeAll(async () => {
  [s3, esp32] = await Promise.all([buildHostFirmware('esp32s3-octal'), buildHostFirmware('esp32-nopsram')]);
}, 300_000);
afterAll(async () => {
  await Promise.all([s3, esp32].filter(Boolean).map((f) => f.dispose()));
});

interface Boot {
  readonly events: ProtocolEvent[];
  readonly records: BenchRecord[];
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

/** One boot of the host firmware, its console parsed exactly as the bench parses a board's. */
async function boot(fw: HostFirmware, s: HostScenario): Promise<Boot> {
  const run = await runHostFirmware(fw, { elfSha256: SHA, ...s });
  const parser = createProtocolParser();
  const events = [...parser.push(run.stdout), ...parser.end()];
  const records = events.flatMap((e) => (e.kind === 'record' ? [e.record] : []));
  return { ...run, events, records };
}

/** The console was clean protocol: a boot banner, no malformed record lines, no crash. */
function expectCleanRun(b: Boot): void {
  expect(b.code, b.stderr).toBe(0);
  expect(b.events[0]?.kind).toBe('boot');
  expect(b.events.filter((e) => e.kind === 'malformed' || e.kind === 'crash')).toEqual([]);
  expect(b.records.at(-1)?.type).toBe('done');
}

const logLines = (b: Boot): string[] => b.events.flatMap((e) => (e.kind === 'log' ? [e.line] : []));

describe('the benchmark firmware on the host (ESP-DL v3.3.9 headers and FbsLoader)', () => {
  it('a passing model: hello with the build, ESP-DL version and the full ELF SHA; memory, test, timed runs', async () => {
    const edl2 = model(64);
    const b = await boot(s3, { partition: edl2, models: 'pass@1200/1300/1100', chipRev: 2 });
    expectCleanRun(b);
    expect(b.records[0]).toEqual({
      type: 'hello', protocol: 1, chip: 'esp32s3', variant: 'esp32s3-octal', chip_rev: 2, idf: 'v5.5.4', esp_dl: '3.3.9',
      app_elf_sha256: SHA, cpu_mhz: 240, psram: 8 << 20, param_copy: true, runs: 10, warmup: 1,
    });
    // Run durations cycle 1200, 1300, 1100 µs from the first (warm-up) call on.
    const timed = [1300, 1100, 1200, 1300, 1100, 1200, 1300, 1100, 1200, 1300];
    expect(b.records.slice(1)).toEqual([
      { type: 'model', index: 0, name: 'model', bytes: 64, count: 1 },
      // The activation arena in internal RAM, the parameters copied to PSRAM, the FlatBuffer mapped from flash.
      { type: 'memory', index: 0, internal: 65536, psram: 64, flash: 64 },
      { type: 'test', index: 0, result: 'pass' },
      { type: 'run', index: 0, i: 0, us: 1200, warmup: true },
      ...timed.map((us, i) => ({ type: 'run', index: 0, i, us, warmup: false })),
      { type: 'latency', index: 0, warmup: 1, runs_us: timed },
      { type: 'done', models: 1, errors: 0 },
    ]);
    expect(logLines(b)).toContain('I (0) dl::Model: Test Pass!');
    // sorted 1100×3, 1200×3, 1300×4: median (1200+1200)/2, mean 12100/10, p90 at rank 8.1 → 1300.
    expect(resultFromRecords({ name: 'm', file: 'm.espdl' }, b.records)).toEqual({
      name: 'm', file: 'm.espdl', status: 'ok', reason: null, board: null, attempts: 0, test: 'pass', model_bytes: 64,
      latency_us: { warmup: 1, runs: timed, min: 1100, median: 1200, mean: 1210, p90: 1300, max: 1300 },
      icount: null, memory_bytes: { internal: 65536, psram: 64, flash: 64 }, layers: [],
    });
  });

  it('a PDL3 pack made by our packer: every model by index, with the pack\'s names and sizes', async () => {
    const pack = packPdl3([{ name: 'b.espdl', bytes: model(80) }, { name: 'a.espdl', bytes: model(32) }]);
    const b = await boot(s3, { partition: pack, models: 'pass@500,test-fail@700' });
    expectCleanRun(b);
    const models = b.records.filter((r) => r.type === 'model');
    const packed = parseContainer(pack).models;
    expect(models).toEqual(packed.map((m, index) => ({ type: 'model', index, name: m.name, bytes: m.header.length, count: 2 })));
    expect(models.map((m) => m.type === 'model' && [m.name, m.bytes])).toEqual([['a.espdl', 32], ['b.espdl', 80]]);
    expect(resultFromRecords({ name: 'a', file: null }, b.records, 0)).toMatchObject({ status: 'ok', test: 'pass', latency_us: { median: 500 } });
    expect(resultFromRecords({ name: 'b', file: null }, b.records, 1)).toMatchObject({ status: 'test-failed', test: 'fail', latency_us: { median: 700 } });
    expect(b.records.at(-1)).toEqual({ type: 'done', models: 2, errors: 0 });
  });

  it('an erased model partition: the no-model error, then done', async () => {
    const b = await boot(s3, { partition: new Uint8Array(0) });
    expectCleanRun(b);
    expect(b.records.slice(1)).toEqual([
      { type: 'error', code: 'no-model', message: 'the model partition is erased (no model was written to it)' },
      { type: 'done', models: 0, errors: 1 },
    ]);
    expect(resultFromRecords({ name: 'm', file: null }, b.records)).toMatchObject({ status: 'error', reason: 'firmware error no-model: the model partition is erased (no model was written to it)' });
  });

  it('a failing Model::test(): test fail, the latency still measured', async () => {
    const b = await boot(s3, { partition: model(48), models: 'test-fail@900' });
    expectCleanRun(b);
    expect(b.records.find((r) => r.type === 'test')).toEqual({ type: 'test', index: 0, result: 'fail' });
    expect(logLines(b)).toContain('E (0) dl::Model: Test output output does not match');
    expect(resultFromRecords({ name: 'm', file: null }, b.records)).toMatchObject({
      status: 'test-failed', test: 'fail', reason: 'Model::test() reported a mismatch on the device', latency_us: { median: 900 },
    });
  });

  it('a model ESP-DL cannot build (an operator it does not support): load-failed instead of a crash', async () => {
    const b = await boot(s3, { partition: model(48), models: 'unsupported-op' });
    expectCleanRun(b);
    expect(logLines(b)).toContain('E (0) dl::Model: Do not support HostOnlyOp, please implement and register it first.');
    const message = 'ESP-DL could not build the model: an operator is not supported by this ESP-DL version (see the dl::Model log line above)';
    expect(b.records.slice(1)).toEqual([
      { type: 'model', index: 0, name: 'model', bytes: 48, count: 1 },
      { type: 'error', index: 0, code: 'load-failed', message },
      { type: 'done', models: 1, errors: 1 },
    ]);
    expect(resultFromRecords({ name: 'm', file: null }, b.records)).toMatchObject({ status: 'error', reason: `firmware error load-failed: ${message}` });
  });

  it('an encrypted model: ESP-DL\'s loader refuses it without a key, the firmware says so', async () => {
    const b = await boot(s3, { partition: model(48, true) });
    expectCleanRun(b);
    expect(logLines(b)).toContain('E (0) FbsLoader: This is a cryptographic model, please enter the secret key!');
    expect(b.records.find((r) => r.type === 'error')).toEqual({
      type: 'error', index: 0, code: 'load-failed', message: 'the model is encrypted (EDL2 mode 1) and this firmware has no AES key',
    });
  });

  it('a model without test values: test none, not a failure', async () => {
    const b = await boot(s3, { partition: model(48), models: 'no-test-values@100' });
    expectCleanRun(b);
    expect(b.records.find((r) => r.type === 'test')).toEqual({
      type: 'test', index: 0, result: 'none', message: 'the model carries no test values (export with export_test_values=True)',
    });
    expect(resultFromRecords({ name: 'm', file: null }, b.records)).toMatchObject({ status: 'ok', test: 'none' });
  });

  it('what ESP-DL would stop the chip on is reported first: no partition, an unmappable one, garbage, an unknown mode', async () => {
    const errorOf = async (s: HostScenario): Promise<BenchRecord | undefined> => {
      const b = await boot(s3, s);
      expectCleanRun(b);
      return b.records.find((r) => r.type === 'error');
    };
    expect(await errorOf({})).toEqual({ type: 'error', code: 'no-partition', message: 'no data partition labelled "model" in the partition table' });
    expect(await errorOf({ partition: model(48), mmapFails: true })).toEqual({
      type: 'error', code: 'mmap-failed',
      message: 'cannot memory-map the 5120 KB model partition (error 257; 0 free 64 KB MMU pages): less PSRAM mapped or a smaller partition needed',
    });
    expect(await errorOf({ partition: new TextEncoder().encode('not a model at all') })).toMatchObject({ code: 'bad-format', message: 'the model partition holds neither EDL2 nor PDL3 data (unknown magic)' });
    const mode2 = model(48);
    mode2[4] = 2;
    expect(await errorOf({ partition: mode2 })).toMatchObject({ code: 'bad-format', message: 'model: EDL2 mode 2 (expected 0 = plain or 1 = encrypted)' });
  });

  it('without PSRAM the weights stay in flash: the ESP32 build, and a PSRAM build on a board whose PSRAM is missing', async () => {
    // 1 MB of weights, 320 KB of internal RAM: copying them (param_copy) could not work.
    const big = model(1 << 20);
    for (const [fw, s] of [[esp32, {}], [s3, { psramBytes: 0 }]] as const) {
      const b = await boot(fw, { partition: big, models: 'pass@40000', ...s });
      expectCleanRun(b);
      expect(b.records[0]).toMatchObject({ psram: 0, param_copy: false });
      expect(b.records.find((r) => r.type === 'memory')).toEqual({ type: 'memory', index: 0, internal: 65536, psram: 0, flash: 1 << 20 });
      expect(resultFromRecords({ name: 'm', file: null }, b.records)).toMatchObject({ status: 'ok', latency_us: { median: 40000 } });
    }
    expect((await boot(esp32, {})).records[0]).toMatchObject({ chip: 'esp32', variant: 'esp32-nopsram', cpu_mhz: 240 });
  });

  it('the ELF SHA: all 64 digits as configured; 9 from a build with ESP-IDF\'s default length (as the emulator prints); the host accepts both', async () => {
    const full = (await boot(s3, { partition: model(16) })).records[0];
    const short = firmwareTranscript({ board: { chip: 'esp32s3' }, variant: 'esp32s3-octal', elfSha256: SHA }, undefined)[0];
    expect(full).toMatchObject({ app_elf_sha256: SHA });
    expect(short).toMatchObject({ app_elf_sha256: SHA.slice(0, 9) });
    for (const r of [full, short]) {
      if (r?.type !== 'hello') throw new Error('no hello');
      expect(sameFirmware(r.app_elf_sha256, SHA)).toBe(true);
      expect(sameFirmware(r.app_elf_sha256, createHash('sha256').update('another build').digest('hex'))).toBe(false);
    }
  });

  it('obeys the host\'s restart command (the reset where DTR/RTS do not exist) and nothing else', async () => {
    const restarted = await runHostFirmware(s3, { partition: model(16), stdin: `noise\n${formatCommand('restart')}` });
    expect(restarted.code).toBe(0);
    expect(restarted.stderr).toContain('host: esp_restart()');
    const ignored = await runHostFirmware(s3, { partition: model(16), stdin: 'ESPDL-BENCH reboot\nrestart\n' });
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).not.toContain('esp_restart');
  });

  it('the device emulator prints records of the same shape as the firmware (ok, failing test, erased partition)', async () => {
    const shapes = (records: readonly BenchRecord[]): string[] => {
      const all = records.map((r) => `${r.type}{${Object.keys(r).sort().join(',')}}`);
      return all.filter((s, i) => s !== all[i - 1]); // runs repeat: one shape per stretch
    };
    const emulated = (m: EmulatedModel | undefined): BenchRecord[] =>
      firmwareTranscript({ board: { chip: 'esp32s3', psram: 'octal' }, variant: 'esp32s3-octal', elfSha256: SHA }, m);
    const mem = { internal: 65536, psram: 48 };
    const cases: [HostScenario, EmulatedModel | undefined][] = [
      [{ partition: model(48), models: 'pass@100' }, { name: 'model', behaviour: 'ok', runsUs: [100, 100, 100], bytes: 48, memory: mem }],
      [{ partition: model(48), models: 'test-fail@100' }, { name: 'model', behaviour: 'test-fail', runsUs: [100, 100, 100], bytes: 48, memory: mem }],
      [{ partition: new Uint8Array(0) }, undefined],
    ];
    for (const [scenario, m] of cases) {
      const real = (await boot(s3, scenario)).records;
      expect(shapes(emulated(m))).toEqual(shapes(real));
      // The records that are not measurements say the same thing.
      const same = (r: BenchRecord): boolean => r.type === 'model' || r.type === 'error' || r.type === 'test' || r.type === 'done';
      expect(emulated(m).filter(same)).toEqual(real.filter(same));
    }
  });
});
