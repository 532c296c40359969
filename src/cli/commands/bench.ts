/**
 * `espdl-autoquant bench`: runs candidate `.espdl` files on ESP32 boards (or Espressif QEMU) with the
 * benchmark firmware (runner/firmware) and writes bench.json (src/board/bench-report.ts). Parses the flags
 * into a request for the bench use case (src/app/bench.ts) and prints its result.
 */
import { BENCH_DEFAULTS, runBench, type BenchRequest, type FlashMethod } from '../../app/bench.js';
import { RESET_STRATEGIES, type ResetStrategy } from '../../board/reset.js';
import { GateError, InputError } from '../../errors.js';
import { DEFAULT_LOCK_DIR } from '../../node/board-lock.js';
import { benchResultLines } from '../../report/bench.js';
import { parsePositiveInt, splitList, parseFlags } from '../args.js';
import { defineCommand, type CliContext, type Command } from '../command.js';

const usage = `Usage: espdl-autoquant bench --chip CHIP --firmware DIR --candidates DIR|FILE,... [options]

Flashes each candidate .espdl into the "model" partition of boards running the benchmark firmware
(runner/firmware, built per chip and board kind by examples/workflows/firmware.yml), resets them, reads the
firmware's result lines (runner/PROTOCOL.md) and writes bench.json: per candidate the on-device
Model::test() result, latency min/median/mean/p90 over the firmware's timed runs (µs) and memory. Each board
gets the firmware build it needs (ESP32-P4 silicon v1.x or v3.x, the PSRAM of an ESP32-S3 or ESP32 module),
chosen from what the board reports, and is (re)flashed when it runs another build (ELF SHA-256). Several
boards of one chip share the candidates; a silent board is retried, then dropped with the reason recorded;
crashes are caught. See runner/README.md, "First board". When --candidates is a search run folder, its
summary.json and candidates.json also get each measurement beside the latency estimate (docs/reports.md).

Options:
  --chip CHIP          esp32p4 | esp32s3 | esp32 | esp32c3 … (must match the firmware build) (required)
  --firmware DIR       a firmware build directory (flasher_args.json, *.bin, *.elf, config/sdkconfig.json),
                       or a folder of them (one per variant, as firmware.yml's artifacts) (required)
  --variant NAME       use this firmware build for every board (e.g. esp32p4-rev1, esp32s3-quad) instead of
                       choosing per board
  --candidates PATHS   a directory of .espdl files (or of NNNN/ folders with one .espdl each, as a
                       search run's Top-K), or a comma-separated list of files (required)
  --port PATH          a board's serial port; repeat or comma-separate for several boards
                       (default: every /dev/serial/by-id, ttyUSB*, ttyACM* found; works without udev)
  --reset MODE         auto | ${RESET_STRATEGIES.join(' | ')} (default auto: usb-jtag for ttyACM /
                       USB-Serial-JTAG ports, classic otherwise; falls back to the protocol's restart
                       command where the port has no DTR/RTS)
  --runs N             the timed runs the firmware was built with (CONFIG_ESPDL_BENCH_RUNS); a board
                       reporting another number is flagged in the log (default: accept the firmware's)
  --timeout S          seconds per candidate attempt (default 900); --idle S without output (default 120)
  --retries N          extra attempts for a silent board or a hang (default 1)
  --esptool MODE       auto | python | js: flash with Python esptool, or esptool-js (untested on chips)
  --baud N             flashing baud rate (default 460800)
  --no-flash           boards already carry firmware and model: measure what is there
  --qemu               run in Espressif QEMU instead of boards (esp32, esp32s3, esp32c3 only; there is no
                       ESP32-P4 in QEMU): instruction counts (-icount), never latency; Model::test()
                       results are advisory (QEMU has open bugs in S3 vector instructions)
  --icount-shift N     QEMU: 2^N ns per instruction (default 3)
  --max-latency-ms MS  exit 1 when the Top-1 candidate (the best of a run folder's candidates.json, else the
                       first candidate given) has no measured median ≤ MS
  --lock-dir DIR       where per-port lock files live (default ${DEFAULT_LOCK_DIR})
  --out FILE           bench.json path (default bench.json)
  -h, --help           this help

Exit codes: 0 done, 1 latency gate failed, 2 bad input, 3 internal error.`;

export const benchCommand: Command = defineCommand({
  name: 'bench',
  summary: 'benchmark candidates on ESP32 boards or QEMU',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const res = await runBench(benchRequest(parse(argv), ctx));
    for (const line of benchResultLines(res.report)) ctx.stderr(`${line}\n`);
    if (res.recordedIn) ctx.stderr(`Measurements recorded in ${res.recordedIn}'s candidates.json and summary.json (espdl-autoquant report shows them).\n`);
    ctx.stdout(`${res.outFile}\n`);
    if (!res.gate.passed) throw new GateError(`latency gate: ${res.gate.failures.join('; ')}`);
    return 0;
  },
});

type Values = ReturnType<typeof parse>;

function parse(argv: string[]) {
  return parseFlags('bench', {
    args: argv, allowPositionals: false,
    options: {
      chip: { type: 'string' }, firmware: { type: 'string' }, variant: { type: 'string' }, candidates: { type: 'string' }, port: { type: 'string', multiple: true },
      reset: { type: 'string' }, runs: { type: 'string' }, timeout: { type: 'string' }, idle: { type: 'string' }, retries: { type: 'string' },
      esptool: { type: 'string' }, baud: { type: 'string' }, 'no-flash': { type: 'boolean' }, qemu: { type: 'boolean' },
      'icount-shift': { type: 'string' }, 'max-latency-ms': { type: 'string' }, 'lock-dir': { type: 'string' }, out: { type: 'string' },
    },
  }).values;
}

function resetMode(mode: string | undefined): BenchRequest['reset'] {
  if (mode === undefined || mode === 'auto') return 'auto';
  if ((RESET_STRATEGIES as readonly string[]).includes(mode)) return mode as ResetStrategy;
  throw new InputError(`--reset ${mode}: expected auto or one of ${RESET_STRATEGIES.join(', ')}`);
}

function flashMethod(v: Values): FlashMethod {
  if (v['no-flash']) return 'none';
  const mode = v.esptool ?? 'auto';
  if (mode !== 'auto' && mode !== 'python' && mode !== 'js') throw new InputError(`--esptool ${mode}: expected auto, python or js`);
  return mode;
}

function latencyLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Number(text);
  if (!(ms > 0)) throw new InputError(`--max-latency-ms ${text}: expected a positive number`);
  return ms;
}

/** The flags as a bench request (InputError naming the flag). */
function benchRequest(v: Values, ctx: CliContext): BenchRequest {
  if (!v.chip || !v.firmware || !v.candidates) throw new InputError(`bench: --chip, --firmware and --candidates are required\n\n${usage}`);
  const runs = v.runs === undefined ? undefined : parsePositiveInt(v.runs, '--runs', 1);
  const maxLatencyMs = latencyLimit(v['max-latency-ms']);
  return {
    chip: v.chip, firmware: v.firmware, ...(v.variant ? { variant: v.variant } : {}), candidates: splitList(v.candidates),
    ports: (v.port ?? []).flatMap((p) => splitList(p)),
    reset: resetMode(v.reset), timeoutS: parsePositiveInt(v.timeout, '--timeout', BENCH_DEFAULTS.timeoutS),
    idleS: parsePositiveInt(v.idle, '--idle', BENCH_DEFAULTS.idleS),
    retries: v.retries === undefined ? BENCH_DEFAULTS.retries : Number(v.retries), flash: flashMethod(v),
    baud: parsePositiveInt(v.baud, '--baud', BENCH_DEFAULTS.baud),
    ...(v.qemu ? { qemu: { icountShift: v['icount-shift'] === undefined ? 3 : Number(v['icount-shift']) } } : {}),
    ...(runs !== undefined ? { runs } : {}), ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}),
    lockDir: v['lock-dir'] ?? DEFAULT_LOCK_DIR, out: v.out ?? 'bench.json', cwd: ctx.cwd, logger: ctx.logger, signal: ctx.signal,
  };
}
