/**
 * kill -9 at arbitrary moments of a real search process: after a resume, every experiment is in summary.json
 * exactly once, indices are contiguous, the Top-K equals an uninterrupted run's, and no file is ever torn.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { autoQuantize } from '../../../src/autoquant/auto-quantize.js';
import { parsePyJson } from '../../../src/autoquant/py-json.js';
import type { PyDict } from '../../../src/autoquant/py-value.js';
import { loadSettings } from '../../../src/autoquant/settings.js';
import { fsRunStore } from '../../../src/node/run-folder.js';
import { memoryStore } from '../../unit/autoquant/memory-store.js';
import { syntheticEvaluator, syntheticRunner } from '../../unit/autoquant/synthetic.js';

const work = mkdtempSync(path.join(tmpdir(), 'aq-kill9-'));
const child = path.join(work, 'child.cjs');

beforeAll(async () => {
  await build({ entryPoints: [fileURLToPath(new URL('./kill9-child.ts', import.meta.url))], bundle: true, platform: 'node', format: 'cjs', outfile: child, logLevel: 'error' });
});

/** Starts the child, kills it with SIGKILL `delayMs` after it reported `after` experiments. */
function runAndKill(dir: string, after: number, delayMs: number, resume: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, dir, resume ? 'resume' : 'fresh'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let lines = 0;
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      lines += d.split('\n').length - 1;
      if (lines >= after) setTimeout(() => p.kill('SIGKILL'), delayMs);
    });
    p.on('error', reject);
    p.on('close', () => resolve());
  });
}

const settings = (resume: boolean) => loadSettings(undefined, 'k', { resume, refine_with: [] });
const readJson = (f: string): PyDict[] => parsePyJson(readFileSync(f, 'utf8')) as PyDict[];

describe('kill -9 during a search', () => {
  it('loses at most the experiment in flight and never duplicates one', async () => {
    const dir = path.join(work, 'run');
    const kills: [number, number][] = [[2, 0], [3, 4], [2, 9], [1, 13]];
    for (const [i, [after, delay]] of kills.entries()) {
      await runAndKill(dir, after, delay, i > 0);
      const summary = readJson(path.join(dir, 'summary.json'));
      readJson(path.join(dir, 'candidates.json'));
      expect(new Set(summary.map((r) => r.hash)).size).toBe(summary.length);
      expect(summary.map((r) => r.index)).toEqual(summary.map((_, k) => k));
    }
    const store = fsRunStore(dir);
    const res = await autoQuantize({ settings: settings(true), target: 'esp32p4', runner: syntheticRunner(), evaluator: syntheticEvaluator,
      store, onnxImportFile: 'm.onnx', espdlExportFile: 'model.espdl' });
    expect(res.skipped + res.newExperiments).toBe(24);
    const summary = readJson(path.join(dir, 'summary.json'));
    expect(summary.map((r) => r.index)).toEqual(Array.from({ length: 24 }, (_, k) => k));
    const ref = memoryStore(dir);
    await autoQuantize({ settings: settings(false), target: 'esp32p4', evaluator: syntheticEvaluator, store: ref,
      runner: { ...syntheticRunner(), run: async () => ({ files: ['model.espdl', 'model.info'] }) }, onnxImportFile: 'm.onnx', espdlExportFile: 'model.espdl' });
    expect(summary.map((r) => r.hash)).toEqual((parsePyJson(ref.files.get('summary.json')!) as PyDict[]).map((r) => r.hash));
    expect(readFileSync(path.join(dir, 'candidates.json'), 'utf8')).toBe(ref.files.get('candidates.json'));
  });
});
