/**
 * A search never destroys what is not a run's (issue 14): a fresh search refuses a folder that holds anything a
 * reset would delete or overwrite unless it is our run folder (marker) or an ESP-PPQ run folder (recognised by
 * its run files, each numbered folder an experiment); one search at a time per run folder (lock).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoQuantize, type AutoQuantInput } from '../../../src/autoquant/auto-quantize.js';
import { loadSettings } from '../../../src/autoquant/settings.js';
import { InputError } from '../../../src/errors.js';
import { fsRunStore } from '../../../src/node/run-folder.js';
import { RUN_FOLDER_LOCK, RUN_FOLDER_MARKER } from '../../../src/node/safe-paths.js';
import { syntheticEvaluator, syntheticRunner } from '../autoquant/synthetic.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'aq-safe-'));

function input(dir: string, over: Partial<AutoQuantInput> = {}, resume = false): AutoQuantInput {
  return {
    settings: loadSettings(undefined, 'test', { resume, refine_with: [] }), target: 'esp32p4', runner: syntheticRunner(),
    evaluator: syntheticEvaluator, store: fsRunStore(dir), onnxImportFile: 'm.onnx', espdlExportFile: 'model.espdl', ...over,
  };
}

/** What ESP-PPQ leaves: both run files, one folder per experiment with its config.json (no marker of ours). */
function espPpqRunFolder(dir: string, indices: number[]): void {
  const recs = indices.map((i) => ({ hash: `h${i}`, index: i, folder: `${dir}/${String(i).padStart(4, '0')}`, files: ['model.espdl'], score: 0.5 }));
  writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(recs, null, 4));
  writeFileSync(path.join(dir, 'candidates.json'), JSON.stringify(recs.slice(0, 1), null, 4));
  for (const i of indices) {
    const d = path.join(dir, String(i).padStart(4, '0'));
    mkdirSync(d);
    writeFileSync(path.join(d, 'config.json'), '{}');
    writeFileSync(path.join(d, 'model.espdl'), 'x');
  }
}

/** Every file under `dir` with its content (to prove nothing changed). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = readFileSync(path.join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

describe('a fresh search and the folder it is given', () => {
  it("refuses a user's folder with numbered subfolders and its own summary.json, and changes nothing", async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, '2024'));
    writeFileSync(path.join(dir, '2024', 'holiday.jpg'), 'photo');
    writeFileSync(path.join(dir, 'summary.json'), '{"quarter": "Q3"}');
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const before = snapshot(dir);
    const err = await autoQuantize(input(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/is not a search's run folder: a new search would delete or overwrite summary\.json \(not a run's list of records\), 2024\//);
    expect((err as Error).message).toMatch(/--resume/);
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(path.join(dir, RUN_FOLDER_LOCK))).toBe(false);
  });

  it('takes a folder where a reset loses nothing (new, empty, or only other files) and marks it', async () => {
    for (const setup of [(d: string) => path.join(d, 'new', 'run'), (d: string) => d, (d: string) => { writeFileSync(path.join(d, 'README'), 'x'); return d; }]) {
      const dir = setup(tmp());
      const res = await autoQuantize(input(dir, { maxExperiments: 1 }));
      expect(res.newExperiments).toBe(1);
      expect(JSON.parse(readFileSync(path.join(dir, RUN_FOLDER_MARKER), 'utf8'))).toEqual({ tool: 'espdl-autoquant', kind: 'run folder' });
      expect(existsSync(path.join(dir, RUN_FOLDER_LOCK))).toBe(false); // released
    }
  });

  it('resets an ESP-PPQ run folder (no marker) like ESP-PPQ does, and resumes one', async () => {
    const dir = tmp();
    espPpqRunFolder(dir, [0, 1, 2]);
    mkdirSync(path.join(dir, '0003')); // an empty orphan
    const resumed = await autoQuantize(input(dir, { maxExperiments: 1 }, true));
    expect([resumed.skipped, resumed.newExperiments]).toEqual([0, 1]);
    expect(existsSync(path.join(dir, RUN_FOLDER_MARKER))).toBe(true); // recognised, so now marked
    const other = tmp();
    espPpqRunFolder(other, [0, 1]);
    writeFileSync(path.join(other, 'keep.txt'), 'not touched');
    const fresh = await autoQuantize(input(other, { maxExperiments: 2 }));
    expect(fresh.newExperiments).toBe(2);
    expect(readdirSync(other).filter((n) => /^\d+$/.test(n)).sort()).toEqual(['0000', '0001']);
    expect(readFileSync(path.join(other, '0000', 'model.espdl'), 'utf8')).not.toBe('x'); // a new experiment's
    expect(readFileSync(path.join(other, 'keep.txt'), 'utf8')).toBe('not touched');
  });

  it('refuses an ESP-PPQ-looking folder whose numbered folder is not an experiment of it', async () => {
    const dir = tmp();
    espPpqRunFolder(dir, [0]);
    mkdirSync(path.join(dir, '0007'));
    writeFileSync(path.join(dir, '0007', 'thesis.tex'), 'years of work');
    const before = snapshot(dir);
    await expect(autoQuantize(input(dir))).rejects.toThrow(/0007\/ \(not an experiment of this run\)/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a folder with only one of the two run files', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'candidates.json'), '[]');
    await expect(autoQuantize(input(dir))).rejects.toThrow(/candidates\.json \(without its partner summary\.json\)/);
  });
});

describe('one search per run folder', () => {
  it('a second search on the same folder at the same time is refused, naming the holder; the first completes', async () => {
    const dir = tmp();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const slow = syntheticRunner();
    const first = autoQuantize(input(dir, { maxExperiments: 2, runner: { ...slow, run: async (req, sig) => { await gate; return slow.run(req, sig); } } }));
    await new Promise((r) => setTimeout(r, 50)); // let the first take the folder
    const second = await autoQuantize(input(dir, {}, true)).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(InputError);
    expect((second as Error).message).toMatch(new RegExp(`run folder .* is in use by a search \\(pid ${process.pid} on host ${os.hostname()} since `));
    release();
    expect((await first).newExperiments).toBe(2);
    expect(existsSync(path.join(dir, RUN_FOLDER_LOCK))).toBe(false);
  });

  it('a lock left by a killed search is taken over; one of a live process elsewhere is refused', async () => {
    const dir = tmp();
    await autoQuantize(input(dir, { maxExperiments: 1 }));
    const lock = path.join(dir, RUN_FOLDER_LOCK);
    // pid 2^22 + 1 is above Linux's pid_max default: no such process.
    writeFileSync(lock, JSON.stringify({ pid: 4194305, host: os.hostname(), since: '2026-01-01T00:00:00Z', purpose: 'a search' }));
    expect((await autoQuantize(input(dir, { maxExperiments: 1 }, true))).newExperiments).toBe(1);
    // Our parent process is alive and is not us.
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: os.hostname(), since: '2026-01-01T00:00:00Z', purpose: 'a search' }));
    await expect(autoQuantize(input(dir, {}, true))).rejects.toThrow(new RegExp(`in use by a search \\(pid ${process.ppid} `));
    writeFileSync(lock, JSON.stringify({ pid: 1, host: 'build-box-7', since: '2026-01-01T00:00:00Z', purpose: 'a search' }));
    await expect(autoQuantize(input(dir, {}, true))).rejects.toThrow(/on host build-box-7 .*delete .*\.espdl-autoquant-run\.lock if nothing runs there/);
  });
});
