/**
 * The bench use case: run candidate `.espdl` files on ESP32 boards with the benchmark firmware (or in
 * Espressif QEMU), write bench.json and apply the latency gate to the Top-1 candidate. The CLI `bench` and
 * the Action's mode benchmark both call runBench; boards, flashing and serial come from src/node.
 */
import path from 'node:path';
import { withMeasurements } from '../autoquant/deployment-cost.js';
import { CANDIDATES, dumpIndented, folderName, readRun, SUMMARY } from '../autoquant/run-folder.js';
import { parsePyJson } from '../autoquant/py-json.js';
import { isPyDict, num } from '../autoquant/py-value.js';
import { benchOnBoards, type BenchCandidate, type BoardFlasher } from '../board/bench.js';
import type { BenchReport } from '../board/bench-report.js';
import { parseFlashSize } from '../board/flash-image.js';
import { realClock } from '../board/link.js';
import { qemuVariant } from '../board/firmware-variant.js';
import { measurementsByIndex } from '../board/measured-cost.js';
import { benchInEmulator } from '../board/qemu-bench.js';
import type { ResetStrategy } from '../board/reset.js';
import { InputError } from '../errors.js';
import type { Logger } from '../log.js';
import { acquireFileLock, type FileLock } from '../node/file-lock.js';
import { checkOutputs, resolveOutput, RUN_FOLDER_LOCK, runFolderFiles, writeFileAtomic } from '../node/safe-paths.js';
import { lockBoard, DEFAULT_LOCK_DIR, type BoardLock } from '../node/board-lock.js';
import { loadBenchCandidates } from '../node/candidate-files.js';
import { buildNamed, detectEsptool, esptoolFlasher, firmwareParts, loadFirmwareSet, type FirmwareBuild } from '../node/esptool.js';
import { esptoolJsFlasher } from '../node/esptool-js.js';
import { assertQemuChip, qemuRunner } from '../node/qemu.js';
import { fsRunStore } from '../node/run-folder.js';
import { listSerialPorts, serialLink } from '../node/serial-link.js';
import { evaluateLatencyGate, type LatencyGateResult } from './latency-gate.js';

/** How to flash: Python esptool, esptool-js, the first found (auto), or not at all (boards hold firmware and model). */
export type FlashMethod = 'auto' | 'python' | 'js' | 'none';

export interface BenchRequest {
  /** The boards' chip, e.g. 'esp32p4' (must match the firmware build). */
  chip: string;
  /**
   * The firmware's ESP-IDF build directory (flasher_args.json, *.bin, *.elf, config/sdkconfig.json), or a folder
   * of them, one per variant (runner/README.md); relative to `cwd`. Each board gets the build it needs.
   */
  firmware: string;
  /** Use this firmware build (variant name, e.g. esp32p4-rev1) for every board instead of choosing per board. */
  variant?: string;
  /**
   * Relative to `cwd`: one directory (of .espdl files, or of NNNN/ folders with one .espdl each, as a search
   * run folder or its Top-K artifact), or a list of .espdl files.
   */
  candidates: string[];
  /** Serial ports; empty: every port found. */
  ports: string[];
  /** Reset strategy; auto: usb-jtag for ttyACM / USB-Serial-JTAG ports, classic otherwise. */
  reset: 'auto' | ResetStrategy;
  /** The timed runs the firmware was built with (a mismatch is warned). */
  runs?: number;
  /** Seconds per candidate attempt and without output. */
  timeoutS: number;
  idleS: number;
  /** Extra attempts for a silent board or a hang. */
  retries: number;
  flash: FlashMethod;
  /** Flashing baud rate. */
  baud: number;
  /** Run in QEMU (esp32, esp32s3, esp32c3) with 2^icountShift ns per instruction instead of on boards. */
  qemu?: { icountShift: number };
  /** Where per-port lock files live. */
  lockDir: string;
  /** bench.json is written here (relative to `cwd`), atomically; omitted: not written. */
  out?: string;
  /** The latency gate: the Top-1 candidate's median must be at most this (ms). */
  maxLatencyMs?: number;
  cwd: string;
  logger: Logger;
  signal: AbortSignal;
}

export interface BenchResult {
  report: BenchReport;
  /** Absolute path bench.json was written to. */
  outFile?: string;
  /** Name (in bench.json) of the candidate the latency gate is about. */
  top?: string;
  /** Absolute run folder whose summary.json/candidates.json now carry the measurements (candidates = a run folder). */
  recordedIn?: string;
  gate: LatencyGateResult;
}

/** The defaults of the optional settings (the CLI's and the Action's). */
export const BENCH_DEFAULTS = {
  reset: 'auto', timeoutS: 900, idleS: 120, retries: 1, flash: 'auto', baud: 460800, lockDir: DEFAULT_LOCK_DIR,
} as const satisfies Partial<BenchRequest>;

/** usb-jtag for ttyACM / USB-Serial-JTAG ports (they reset over USB), classic DTR/RTS otherwise. */
export function resetFor(mode: BenchRequest['reset'], port: string): ResetStrategy {
  if (mode !== 'auto') return mode;
  return /ttyACM|USB_JTAG|usbmodem/i.test(port) ? 'usb-jtag' : 'classic';
}

/**
 * The Top-1 candidate: the best of the Top-K when the candidates are a run folder (candidates.json, best
 * first), else the first candidate given.
 */
export async function topCandidateName(req: Pick<BenchRequest, 'candidates' | 'cwd'>, candidates: readonly BenchCandidate[]): Promise<string | undefined> {
  if (req.candidates.length === 1 && !req.candidates[0].endsWith('.espdl')) {
    const store = fsRunStore(req.candidates[0], req.cwd);
    const text = await store.readText(CANDIDATES);
    if (text !== undefined) {
      const list = parsePyJson(text, store.resolve(CANDIDATES));
      const best = Array.isArray(list) ? list[0] : undefined;
      if (isPyDict(best) && best.index !== undefined) return folderName(num(best.index));
    }
  }
  return candidates[0]?.name;
}

async function chooseFlasher(req: BenchRequest, builds: readonly FirmwareBuild[]): Promise<BoardFlasher | undefined> {
  if (req.flash === 'none') return undefined;
  const py = req.flash === 'js' ? undefined : await detectEsptool();
  if (py) return esptoolFlasher(py, builds, { baud: req.baud });
  if (req.flash === 'python') throw new InputError('--esptool python: no esptool found (pip install esptool)');
  req.logger.warn('Python esptool not found: flashing with esptool-js over serialport (not validated on every board; `pip install esptool` is the tested path)');
  return esptoolJsFlasher(builds, req.baud);
}

async function onBoards(req: BenchRequest, builds: readonly FirmwareBuild[], candidates: BenchCandidate[]): Promise<BenchReport> {
  const found = req.ports.length > 0 ? req.ports : (await listSerialPorts()).map((p) => p.path);
  if (found.length === 0) throw new InputError('bench: no serial ports found; pass --port /dev/ttyUSB0 (or use --qemu)');
  const locks: BoardLock[] = [];
  try {
    for (const p of found) locks.push(await lockBoard(p, req.lockDir));
    const flasher = await chooseFlasher(req, builds);
    const report = await benchOnBoards({
      // USB-Serial-JTAG / CDC ports may re-enumerate when the chip resets: allow 5 s to come back.
      boards: found.map((p) => serialLink(p, { reconnectMs: 5000 })), candidates, chip: req.chip,
      ...(flasher ? { flasher } : {}), firmware: builds.map((b) => b.variant), ...(req.variant ? { variant: req.variant } : {}),
      reset: resetFor(req.reset, found[0]),
      timeouts: { attemptMs: req.timeoutS * 1000, idleMs: req.idleS * 1000 }, retries: req.retries,
      clock: realClock, logger: req.logger, signal: req.signal, created: new Date().toISOString(),
    });
    if (req.runs !== undefined && report.runs !== req.runs) {
      req.logger.warn(`--runs ${req.runs}, but the firmware reports ${report.runs} timed runs (rebuild it with CONFIG_ESPDL_BENCH_RUNS=${req.runs})`);
    }
    return report;
  } finally {
    for (const l of locks) await l.release();
  }
}

async function inEmulator(req: BenchRequest, icountShift: number, builds: readonly FirmwareBuild[], candidates: BenchCandidate[]): Promise<BenchReport> {
  assertQemuChip(req.chip);
  const build = buildNamed(builds, qemuVariant(builds.map((b) => b.variant), req.chip, req.variant).name);
  // Like `idf.py qemu`: octal PSRAM emulation only for a build that drives it (which QEMU then does not detect).
  const octalPsram = build.variant.psram === 'octal';
  if (octalPsram) req.logger.warn(`${build.variant.name} drives octal PSRAM, which QEMU does not detect (espressif/qemu#137): use the ${req.chip}-qemu build`);
  req.logger.info(`qemu: firmware build ${build.variant.name}`);
  return benchInEmulator({
    candidates, chip: req.chip, baseParts: await firmwareParts(build), partitionTable: build.partitions,
    flashSize: parseFlashSize(build.args.flashSize), icountShift,
    run: qemuRunner({ chip: req.chip, icountShift, octalPsram }, req.timeoutS * 1000),
    logger: req.logger, signal: req.signal, created: new Date().toISOString(),
  });
}

/** Benchmarks the candidates, writes bench.json (when `out` is set) and gates the Top-1 on `maxLatencyMs`. */
export async function runBench(req: BenchRequest): Promise<BenchResult> {
  if (req.qemu) assertQemuChip(req.chip);
  const all = await loadFirmwareSet(path.resolve(req.cwd, req.firmware));
  const builds = all.filter((b) => b.args.chip === req.chip);
  if (builds.length === 0) throw new InputError(`--chip ${req.chip}, but ${req.firmware} was built for ${[...new Set(all.map((b) => b.args.chip))].join(', ')}`);
  const candidates = await loadBenchCandidates(req.candidates, req.cwd, req.candidates.join(','));
  const outFile = req.out === undefined ? undefined : resolveOutput(req.cwd, req.out, '--out');
  // Before the (long) benchmark: bench.json may not replace a candidate or land on a folder after the work.
  if (outFile !== undefined) {
    const inputs = candidates.flatMap((c) => (c.file === null ? [] : [{ file: c.file, what: `candidate ${c.name}` }]));
    // A run folder given as the candidates gets the measurements recorded in its run files: those are inputs too.
    if (req.candidates.length === 1) inputs.push(...(await runFolderFiles(path.resolve(req.cwd, req.candidates[0]!))));
    await checkOutputs([{ file: outFile, what: '--out' }], inputs);
  }
  // The run folder's records are read, extended and written back after the benchmark: a search on the same
  // folder meanwhile would lose its records (or ours). Taken before any board starts, so a busy folder costs nothing.
  const folderLock = await lockRunFolderForBench(req);
  try {
    const report = req.qemu ? await inEmulator(req, req.qemu.icountShift, builds, candidates) : await onBoards(req, builds, candidates);
    if (outFile !== undefined) await writeFileAtomic(outFile, `${JSON.stringify(report, null, 2)}\n`);
    const top = await topCandidateName(req, candidates);
    const gate = evaluateLatencyGate(top ?? 'none', report.candidates.find((c) => c.name === top), req.maxLatencyMs);
    const recordedIn = await recordMeasurements(req, report);
    return { report, ...(outFile !== undefined ? { outFile } : {}), ...(top !== undefined ? { top } : {}), gate, ...(recordedIn ? { recordedIn } : {}) };
  } finally {
    await folderLock?.release();
  }
}

/** The candidates' run folder's lock (the one a search holds), when the candidates are a run folder with records. */
async function lockRunFolderForBench(req: Pick<BenchRequest, 'candidates' | 'cwd'>): Promise<FileLock | undefined> {
  if (req.candidates.length !== 1 || req.candidates[0].endsWith('.espdl')) return undefined;
  const store = fsRunStore(req.candidates[0], req.cwd);
  if ((await store.readText(SUMMARY)) === undefined || (await store.readText(CANDIDATES)) === undefined) return undefined;
  return acquireFileLock(store.resolve(RUN_FOLDER_LOCK), `run folder ${store.resolve('')}`, 'a benchmark');
}

/**
 * When the candidates are a run folder (or its Top-K artifact), its records get what was measured (extras key
 * espdl_autoquant), so the reports show it beside the estimate. Returns the folder, or undefined when there is none.
 */
async function recordMeasurements(req: Pick<BenchRequest, 'candidates' | 'cwd'>, report: BenchReport): Promise<string | undefined> {
  if (req.candidates.length !== 1 || req.candidates[0].endsWith('.espdl')) return undefined;
  const store = fsRunStore(req.candidates[0], req.cwd);
  if ((await store.readText(SUMMARY)) === undefined || (await store.readText(CANDIDATES)) === undefined) return undefined;
  const measured = measurementsByIndex(report);
  const { summary, candidates } = await readRun(store);
  // Candidates first: the report's Top-K reads them; summary.json carries the same figures for the chart.
  await store.writeTextAtomic(CANDIDATES, dumpIndented(withMeasurements(candidates, measured)));
  await store.writeTextAtomic(SUMMARY, dumpIndented(withMeasurements(summary, measured)));
  return store.resolve('');
}
