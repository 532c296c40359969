import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoQuantize, type AutoQuantInput } from '../../../src/autoquant/auto-quantize.js';
import { parsePyJson } from '../../../src/autoquant/py-json.js';
import type { PyDict } from '../../../src/autoquant/py-value.js';
import { loadSettings } from '../../../src/autoquant/settings.js';
import { InputError } from '../../../src/errors.js';
import { fsRunStore } from '../../../src/node/run-folder.js';
import { fixture } from '../../helpers/paths.js';
import { fakeRunner, fixtureRun, replayEvaluator, settingsFrom } from './fixture-helpers.js';
import { memoryStore } from './memory-store.js';
import { syntheticEvaluator, syntheticRunner } from './synthetic.js';

/** The same experiments without touching the disk (reference runs). */
const memRunner = { ...syntheticRunner(), run: async () => ({ files: ['model.espdl', 'model.info'] }) };

const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'aq-run-'));
const readJson = (f: string): PyDict[] => parsePyJson(readFileSync(f, 'utf8')) as PyDict[];

function input(dir: string, over: Partial<AutoQuantInput> = {}, resume = false): AutoQuantInput {
  return {
    settings: loadSettings(undefined, 'test', { resume, refine_with: [] }), target: 'esp32p4', runner: syntheticRunner(),
    evaluator: syntheticEvaluator, store: fsRunStore(dir), onnxImportFile: 'm.onnx', espdlExportFile: 'out/model.espdl', ...over,
  };
}

describe('fs run folder', () => {
  it('writes ESP-PPQ layout; not resuming clears digit folders only', async () => {
    const dir = tmp();
    await autoQuantize(input(dir, { maxExperiments: 2 })); // a run folder of ours (marked)
    mkdirSync(path.join(dir, '0099'));
    writeFileSync(path.join(dir, '0099', 'model.espdl'), 'an orphan experiment');
    mkdirSync(path.join(dir, 'keep'));
    const res = await autoQuantize(input(dir));
    expect(res.newExperiments).toBe(24);
    const names = readdirSync(dir).sort();
    expect(names).toContain('keep');
    expect(names).not.toContain('0099');
    expect(names.filter((n) => /^\d+$/.test(n))).toHaveLength(24);
    expect(names.some((n) => n.endsWith('.tmp'))).toBe(false);
    const summary = readJson(path.join(dir, 'summary.json'));
    expect(Object.keys(summary[0])).toEqual(['hash', 'index', 'folder', 'files', 'strategy', 'params', 'score', 'top1']);
    expect(summary[3].folder).toBe(`${dir}/0003`);
    expect(readFileSync(path.join(dir, '0003', 'model.espdl'), 'utf8')).toBe(`model.espdl ${String(summary[3].hash)}\n`);
  });

  it('resumes a real ESP-PPQ run folder: every done experiment is skipped', async () => {
    const dir = tmp();
    cpSync(fixture('digits', 'autoquant_default'), dir, { recursive: true });
    const before = readFileSync(path.join(dir, 'summary.json'), 'utf8');
    const { meta } = fixtureRun('autoquant_default');
    const settings = { ...settingsFrom(meta), resume: true };
    const res = await autoQuantize({ ...input(dir), settings, runner: fakeRunner(),
      evaluator: async () => { throw new Error('must not run'); } });
    expect([res.newExperiments, res.skipped]).toEqual([0, 48]);
    expect(readFileSync(path.join(dir, 'summary.json'), 'utf8')).toBe(before);
    expect(existsSync(path.join(dir, '0047', 'model.espdl'))).toBe(true);
  });

  it('resume of an extended ESP-PPQ run continues at index 48', async () => {
    const dir = tmp();
    cpSync(fixture('digits', 'autoquant_default'), dir, { recursive: true });
    const { meta, summary } = fixtureRun('autoquant_default');
    const settings = { ...settingsFrom(meta), resume: true, early_stop_patience: 4 };
    const replay = replayEvaluator(summary);
    const res = await autoQuantize({ ...input(dir), settings, runner: fakeRunner(),
      evaluator: async (req, art, sig) => (req.index < 48 ? replay(req, art, sig) : { score: 1, extras: {} }) });
    expect(res.skipped).toBe(48);
    const after = readJson(path.join(dir, 'summary.json'));
    expect(after.slice(48).map((r) => r.index)).toEqual(Array.from({ length: res.newExperiments }, (_, i) => 48 + i));
    expect(res.newExperiments).toBeGreaterThan(0);
    expect(new Set(after.map((r) => r.hash)).size).toBe(after.length);
  });

  it('a crash while an experiment runs loses only that one; its orphan folder is reused on resume', async () => {
    const dir = tmp();
    const crash = syntheticRunner((i, d) => { if (i === 5) { writeFileSync(path.join(d, 'stale.bin'), 'x'); throw new Error('killed'); } });
    await expect(autoQuantize(input(dir, { runner: crash }))).rejects.toThrow('killed');
    expect(readJson(path.join(dir, 'summary.json'))).toHaveLength(5);
    expect(existsSync(path.join(dir, '0005', 'stale.bin'))).toBe(true);
    const res = await autoQuantize(input(dir, {}, true));
    expect([res.skipped, res.newExperiments]).toEqual([5, 19]);
    const summary = readJson(path.join(dir, 'summary.json'));
    expect(summary.map((r) => r.index)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(existsSync(path.join(dir, '0005', 'stale.bin'))).toBe(false);
    const full = memoryStore(dir);
    await autoQuantize(input(dir, { store: full, runner: memRunner }));
    expect(summary.map((r) => r.hash)).toEqual((parsePyJson(full.files.get('summary.json')!) as PyDict[]).map((r) => r.hash));
    expect(readFileSync(path.join(dir, 'candidates.json'), 'utf8')).toBe(full.files.get('candidates.json'));
  });

  it('a crash between summary and candidates never duplicates an experiment', async () => {
    const dir = tmp();
    const store = fsRunStore(dir);
    let n = 0;
    const crashing = { ...store, writeTextAtomic: async (name: string, text: string) => {
      if (name === 'candidates.json' && text !== '[]' && ++n === 3) throw new Error('killed');
      return store.writeTextAtomic(name, text);
    } };
    await expect(autoQuantize(input(dir, { store: crashing }))).rejects.toThrow('killed');
    expect(readJson(path.join(dir, 'summary.json'))).toHaveLength(3);
    expect(readJson(path.join(dir, 'candidates.json'))).toHaveLength(2);
    const res = await autoQuantize(input(dir, {}, true));
    expect([res.skipped, res.newExperiments]).toEqual([3, 21]);
    const hashes = readJson(path.join(dir, 'summary.json')).map((r) => r.hash);
    expect(new Set(hashes).size).toBe(24);
    const cand = readJson(path.join(dir, 'candidates.json'));
    expect(new Set(cand.map((r) => r.index)).size).toBe(cand.length);
    // the Top-K gap left by the crash is repaired on resume: same Top-K as an uninterrupted run
    const full = memoryStore(dir);
    await autoQuantize(input(dir, { store: full, runner: memRunner }));
    expect(readFileSync(path.join(dir, 'candidates.json'), 'utf8')).toBe(full.files.get('candidates.json'));
  });

  it.each([
    ['missing files', () => {}, /requires both resume files to exist: .*summary\.json, .*candidates\.json/],
    ['malformed JSON', (d: string) => { writeFileSync(path.join(d, 'summary.json'), '[{'); writeFileSync(path.join(d, 'candidates.json'), '[]'); }, /malformed JSON/],
    ['not lists', (d: string) => { writeFileSync(path.join(d, 'summary.json'), '{}'); writeFileSync(path.join(d, 'candidates.json'), '[]'); }, /must both be JSON lists/],
    ['non-object items', (d: string) => { writeFileSync(path.join(d, 'summary.json'), '[1]'); writeFileSync(path.join(d, 'candidates.json'), '[{}]'); }, /every item must be a JSON object/],
    ['inconsistent', (d: string) => { writeFileSync(path.join(d, 'summary.json'), '[{"hash": "x", "index": 0}]'); writeFileSync(path.join(d, 'candidates.json'), '[]'); }, /both empty or both non-empty/],
  ])('resume validation: %s', async (_n, prep, msg) => {
    const dir = tmp();
    prep(dir);
    const err = await autoQuantize(input(dir, {}, true)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(msg);
  });

  it('a done hash without a score fails like ESP-PPQ', async () => {
    const dir = tmp();
    await autoQuantize(input(dir, { maxExperiments: 1 }));
    const s = readJson(path.join(dir, 'summary.json'));
    writeFileSync(path.join(dir, 'summary.json'), JSON.stringify([{ hash: s[0].hash, index: 0 }]));
    await expect(autoQuantize(input(dir, {}, true))).rejects.toThrow(/exists in .*summary\.json but has no 'score' field/);
  });
});
