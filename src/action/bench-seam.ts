/**
 * The seam between the Action and the bench use case: the Action decides WHICH candidates (a downloaded Top-K
 * folder) and where bench.json goes; the bench decides HOW (boards, flashing, serial). The real implementation
 * (real-bench.ts) runs the CLI's `bench` command with its real serial and esptool adapters.
 */
import type { BenchReport } from '../board/bench-report.js';
import type { Logger } from '../log.js';

export interface BenchRunRequest {
  /** The boards' chip, e.g. 'esp32p4' (must match the firmware build). */
  chip: string;
  /** Absolute firmware build directory (flasher_args.json, *.bin, *.elf). */
  firmwareDir: string;
  /** Absolute folder of NNNN/ candidate folders with one .espdl each (a search artifact). */
  candidatesDir: string;
  /** Serial ports; empty: every port found. */
  ports: string[];
  /** Expected timed runs of the firmware (a mismatch is warned). */
  runs?: number;
  /** false: measure what the boards already hold (no flashing). */
  flash: boolean;
  /** Absolute path bench.json is written to. */
  out: string;
  /** Working directory for relative paths and the bench's lock files. */
  cwd: string;
  signal: AbortSignal;
  logger: Logger;
}

/** Runs the bench and returns the bench.json it wrote (already validated against the schema). */
export type BenchFn = (req: BenchRunRequest) => Promise<BenchReport>;
