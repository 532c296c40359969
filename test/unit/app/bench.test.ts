/** The bench use case's rules that do not need a board: which candidate the latency gate is about, reset mode. */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resetFor, topCandidateName } from '../../../src/app/bench.js';
import type { BenchCandidate } from '../../../src/board/bench.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bench-top-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const loaded = (...names: string[]): BenchCandidate[] => names.map((name) => ({ name, file: `${name}.espdl`, bytes: new Uint8Array() }));

describe('Top-1 candidate of a benchmark', () => {
  it('is the best of a run folder (candidates.json), not the first folder by name', async () => {
    mkdirSync(path.join(dir, 'topk'));
    // Top-K best first: experiment 7, then 1. bench.json lists candidates in folder order (0001, 0007).
    writeFileSync(path.join(dir, 'topk', 'candidates.json'), JSON.stringify([{ index: 7, score: 0.1 }, { index: 1, score: 0.2 }]));
    expect(await topCandidateName({ candidates: ['topk'], cwd: dir }, loaded('0001', '0007'))).toBe('0007');
  });
  it('is the first candidate given without a ranking', async () => {
    mkdirSync(path.join(dir, 'plain'));
    expect(await topCandidateName({ candidates: ['plain'], cwd: dir }, loaded('a', 'b'))).toBe('a');
    expect(await topCandidateName({ candidates: ['b.espdl', 'a.espdl'], cwd: dir }, loaded('b', 'a'))).toBe('b');
    expect(await topCandidateName({ candidates: ['plain'], cwd: dir }, [])).toBeUndefined();
  });
});

describe('reset mode', () => {
  it('auto picks usb-jtag for USB-Serial-JTAG ports and classic otherwise; a given mode wins', () => {
    expect(resetFor('auto', '/dev/ttyACM0')).toBe('usb-jtag');
    expect(resetFor('auto', '/dev/serial/by-id/usb-Espressif_USB_JTAG_serial_debug_unit-if00')).toBe('usb-jtag');
    expect(resetFor('auto', '/dev/ttyUSB0')).toBe('classic');
    expect(resetFor('none', '/dev/ttyACM0')).toBe('none');
  });
});
