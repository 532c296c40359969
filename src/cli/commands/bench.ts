/**
 * `espdl-autoquant bench`: runs candidate `.espdl` files on ESP32 boards (or Espressif QEMU) with the
 * benchmark firmware (runner/firmware) and writes bench.json (src/board/bench-report.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GateError, InputError } from '../../errors.js';
import { benchOnBoards, type BenchCandidate, type BoardFlasher } from '../../board/bench.js';
import type { BenchReport } from '../../board/bench-report.js';
import { realClock } from '../../board/link.js';
import { benchInEmulator } from '../../board/qemu-bench.js';
import { parseFlashSize } from '../../board/flash-image.js';
import { RESET_STRATEGIES, type ResetStrategy } from '../../board/reset.js';
import { parseContainer } from '../../espdl/container.js';
import { readEspdlModel } from '../../espdl/read.js';
import { writeFileAtomic } from '../../node/atomic-write.js';
import { lockBoard, DEFAULT_LOCK_DIR, type BoardLock } from '../../node/board-lock.js';
import { detectEsptool, esptoolFlasher, firmwareParts, loadFirmwareBuild, type FirmwareBuild } from '../../node/esptool.js';
import { esptoolJsFlasher } from '../../node/esptool-js.js';
import { assertQemuChip, qemuRunner } from '../../node/qemu.js';
import { listSerialPorts, serialLink } from '../../node/serial-link.js';
import { parsePositiveInt, splitList } from '../args.js';
import type { CliContext, Command } from '../command.js';

const usage = `Usage: espdl-autoquant bench --chip CHIP --firmware BUILD_DIR --candidates DIR|FILE,... [options]

Flashes each candidate .espdl into the "model" partition of boards running the benchmark firmware
(runner/firmware, built per chip by examples/workflows/firmware.yml), resets them, reads the firmware's
result lines (runner/PROTOCOL.md) and writes bench.json: per candidate the on-device Model::test() result,
latency min/median/mean/p90 over the firmware's timed runs (µs) and memory. The firmware itself is
(re)flashed when a board reports another build (ELF SHA-256). Several boards of one chip share the
candidates; a silent board is retried, then dropped with the reason recorded; crashes are caught.

Options:
  --chip CHIP          esp32p4 | esp32s3 | esp32 | esp32c3 … (must match the firmware build) (required)
  --firmware DIR       the firmware's ESP-IDF build directory (flasher_args.json, *.bin, *.elf) (required)
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
  --qemu               run in Espressif QEMU instead of boards (esp32, esp32s3, esp32c3 only): reports
                       correctness and instruction counts (-icount), never latency
  --icount-shift N     QEMU: 2^N ns per instruction (default 3)
  --max-latency-ms MS  exit 1 when the first candidate (the Top-1) has no measured median ≤ MS
  --lock-dir DIR       where per-port lock files live (default ${DEFAULT_LOCK_DIR})
  --out FILE           bench.json path (default bench.json)
  -h, --help           this help

Exit codes: 0 done, 1 latency gate failed, 2 bad input, 3 internal error.`;

export const benchCommand: Command = {
  name: 'bench',
  summary: 'benchmark candidates on ESP32 boards or QEMU',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const v = parse(argv);
    if (v.help) {
      ctx.stdout(`${usage}\n`);
      return 0;
    }
    if (!v.chip || !v.firmware || !v.candidates) throw new InputError(`bench: --chip, --firmware and --candidates are required\n\n${usage}`);
    if (v.qemu) assertQemuChip(v.chip);
    const build = await loadFirmwareBuild(path.resolve(ctx.cwd, v.firmware));
    if (build.args.chip !== v.chip) throw new InputError(`--chip ${v.chip}, but ${v.firmware} was built for ${build.args.chip}`);
    const candidates = await loadCandidates(v.candidates, ctx.cwd);
    const report = v.qemu ? await runQemu(v, build, candidates, ctx) : await runBoards(v, build, candidates, ctx);
    const out = path.resolve(ctx.cwd, v.out ?? 'bench.json');
    await writeFileAtomic(out, `${JSON.stringify(report, null, 2)}\n`);
    for (const c of report.candidates) {
      const lat = c.latency_us ? `median ${(c.latency_us.median / 1000).toFixed(2)} ms` : c.icount ? `median ${c.icount.median} instructions` : '';
      ctx.stderr(`${c.name}: ${c.status}${c.test ? ` test=${c.test}` : ''} ${lat}${c.reason ? ` (${c.reason})` : ''}\n`);
    }
    ctx.stdout(`${out}\n`);
    return gate(report, v['max-latency-ms']);
  },
};

type Values = ReturnType<typeof parse>;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv, allowPositionals: false,
      options: {
        chip: { type: 'string' }, firmware: { type: 'string' }, candidates: { type: 'string' }, port: { type: 'string', multiple: true },
        reset: { type: 'string' }, runs: { type: 'string' }, timeout: { type: 'string' }, idle: { type: 'string' }, retries: { type: 'string' },
        esptool: { type: 'string' }, baud: { type: 'string' }, 'no-flash': { type: 'boolean' }, qemu: { type: 'boolean' },
        'icount-shift': { type: 'string' }, 'max-latency-ms': { type: 'string' }, 'lock-dir': { type: 'string' }, out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new InputError(`bench: ${(err as Error).message}\n\n${usage}`);
  }
}

/** A directory of .espdl files, a directory of NNNN/ folders holding one .espdl each, or a file list. */
export async function loadCandidates(spec: string, cwd: string): Promise<BenchCandidate[]> {
  const read = async (file: string, name: string): Promise<BenchCandidate> => {
    const bytes = new Uint8Array(await readFile(file));
    const hasTestValues = testValuesIn(bytes);
    return { name, file, bytes, ...(hasTestValues === undefined ? {} : { hasTestValues }) };
  };
  const paths = splitList(spec).map((p) => path.resolve(cwd, p));
  if (paths.length === 1 && !paths[0].endsWith('.espdl')) {
    const dir = paths[0];
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
      throw new InputError(`--candidates ${spec}: not a readable directory`);
    });
    const files = entries.filter((e) => e.isFile() && e.name.endsWith('.espdl')).map((e) => e.name).sort();
    if (files.length > 0) return Promise.all(files.map((f) => read(path.join(dir, f), f.replace(/\.espdl$/, ''))));
    const out: BenchCandidate[] = [];
    for (const d of entries.filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
      const inner = (await readdir(path.join(dir, d))).filter((f) => f.endsWith('.espdl'));
      if (inner.length === 1) out.push(await read(path.join(dir, d, inner[0]), d));
    }
    if (out.length === 0) throw new InputError(`--candidates ${spec}: no .espdl files found (directly or one per sub-folder)`);
    return out;
  }
  return Promise.all(paths.map((p) => read(p, path.basename(p).replace(/\.espdl$/, ''))));
}

/** Whether a single-model .espdl embeds test inputs; undefined when it cannot be read (encrypted, pack…). */
function testValuesIn(bytes: Uint8Array): boolean | undefined {
  try {
    const c = parseContainer(bytes);
    if (c.models.length !== 1 || c.models[0].header.mode !== 0) return undefined;
    return readEspdlModel(c.models[0].payload).graph.testInputs.length > 0;
  } catch {
    return undefined;
  }
}

function resetFor(mode: string | undefined, port: string): ResetStrategy {
  if (mode === undefined || mode === 'auto') return /ttyACM|USB_JTAG|usbmodem/i.test(port) ? 'usb-jtag' : 'classic';
  if ((RESET_STRATEGIES as readonly string[]).includes(mode)) return mode as ResetStrategy;
  throw new InputError(`--reset ${mode}: expected auto or one of ${RESET_STRATEGIES.join(', ')}`);
}

async function chooseFlasher(v: Values, build: FirmwareBuild, ctx: CliContext): Promise<BoardFlasher | undefined> {
  if (v['no-flash']) return undefined;
  const baud = parsePositiveInt(v.baud, '--baud', 460800);
  const mode = v.esptool ?? 'auto';
  if (mode !== 'auto' && mode !== 'python' && mode !== 'js') throw new InputError(`--esptool ${mode}: expected auto, python or js`);
  const py = mode === 'js' ? undefined : await detectEsptool();
  if (py) return esptoolFlasher(py, build, { baud });
  if (mode === 'python') throw new InputError('--esptool python: no esptool found (pip install esptool)');
  ctx.logger.warn('Python esptool not found: flashing with esptool-js over serialport (not validated on every board; `pip install esptool` is the tested path)');
  return esptoolJsFlasher(build, baud);
}

async function runBoards(v: Values, build: FirmwareBuild, candidates: BenchCandidate[], ctx: CliContext): Promise<BenchReport> {
  const ports = (v.port ?? []).flatMap((p) => splitList(p));
  const found = ports.length > 0 ? ports : (await listSerialPorts()).map((p) => p.path);
  if (found.length === 0) throw new InputError('bench: no serial ports found; pass --port /dev/ttyUSB0 (or use --qemu)');
  const locks: BoardLock[] = [];
  try {
    for (const p of found) locks.push(await lockBoard(p, v['lock-dir'] ?? DEFAULT_LOCK_DIR));
    const flasher = await chooseFlasher(v, build, ctx);
    const report = await benchOnBoards({
      // USB-Serial-JTAG / CDC ports may re-enumerate when the chip resets: allow 5 s to come back.
      boards: found.map((p) => serialLink(p, { reconnectMs: 5000 })), candidates, chip: v.chip as string,
      ...(flasher ? { flasher } : {}), ...(build.elfSha256 ? { firmwareElfSha256: build.elfSha256 } : {}),
      reset: resetFor(v.reset, found[0]),
      timeouts: { attemptMs: parsePositiveInt(v.timeout, '--timeout', 900) * 1000, idleMs: parsePositiveInt(v.idle, '--idle', 120) * 1000 },
      retries: v.retries === undefined ? 1 : Number(v.retries),
      clock: realClock, logger: ctx.logger, signal: ctx.signal, created: new Date().toISOString(),
    });
    const runs = v.runs === undefined ? undefined : parsePositiveInt(v.runs, '--runs', 1);
    if (runs !== undefined && report.runs !== runs) ctx.logger.warn(`--runs ${runs}, but the firmware reports ${report.runs} timed runs (rebuild it with CONFIG_ESPDL_BENCH_RUNS=${runs})`);
    return report;
  } finally {
    for (const l of locks) await l.release();
  }
}

async function runQemu(v: Values, build: FirmwareBuild, candidates: BenchCandidate[], ctx: CliContext): Promise<BenchReport> {
  assertQemuChip(v.chip as string);
  const shift = v['icount-shift'] === undefined ? 3 : Number(v['icount-shift']);
  return benchInEmulator({
    candidates, chip: v.chip as string, baseParts: await firmwareParts(build), partitionTable: build.partitions,
    flashSize: parseFlashSize(build.args.flashSize), icountShift: shift,
    run: qemuRunner({ chip: v.chip as string, icountShift: shift }, parsePositiveInt(v.timeout, '--timeout', 900) * 1000),
    logger: ctx.logger, signal: ctx.signal, created: new Date().toISOString(),
  });
}

/** Exit code: 1 (GateError) when the Top-1 candidate has no measured median within the limit. */
function gate(report: BenchReport, limit: string | undefined): number {
  if (limit === undefined) return 0;
  const ms = Number(limit);
  if (!(ms > 0)) throw new InputError(`--max-latency-ms ${limit}: expected a positive number`);
  const top = report.candidates[0];
  const median = top?.latency_us ? top.latency_us.median / 1000 : undefined;
  if (median === undefined) throw new GateError(`latency gate: ${top?.name ?? 'no candidate'} has no measured latency (${top?.reason ?? top?.status ?? 'none'})`);
  if (median > ms) throw new GateError(`latency gate: ${top.name} median ${median.toFixed(2)} ms > --max-latency-ms ${ms}`);
  return 0;
}
