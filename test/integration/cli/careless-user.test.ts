/**
 * The CLI against careless input (issue 14): every case is bad input, so exit 2 with one line naming the file,
 * never a hang (FIFO), a native abort (.npy header), an internal error (exit 3), a stray file, or an input
 * overwritten by an output. Runs the real CLI entry in-process on the bundled example model.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeModel } from '../../../src/onnx/write.js';
import { runCli } from '../../helpers/cli.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { model, node, vi } from '../../unit/onnx/graph-builder.js';

const EX = path.join(REPO_ROOT, 'examples', 'digits');
const MODEL = path.join(EX, 'model.onnx');
const CALIB = path.join(EX, 'calib.npy');
let dir: string;
let fifo: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'careless-'));
  fifo = path.join(dir, 'pipe.npy');
  try {
    execFileSync('mkfifo', [fifo]);
  } catch {
    throw new Error('these tests need mkfifo (coreutils): apt-get install coreutils');
  }
});

/** Runs the CLI and checks: exit 2, one line on stderr matching `message`. */
async function expectInputError(argv: string[], message: RegExp): Promise<string> {
  const r = await runCli(argv, { cwd: dir });
  expect(r.code, r.stderr).toBe(2);
  // Progress lines may come first (the front end says what it folded); the error is one line, the last.
  const errors = r.stderr.trim().split('\n').filter((l) => l.startsWith('espdl-autoquant '));
  expect(errors, r.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  expect(r.stderr.trim().endsWith(errors[0]!)).toBe(true);
  return errors[0]!;
}

const q = (...extra: string[]) => ['quantize', '--model', MODEL, '--calib', CALIB, '--target', 'esp32p4', '--calib-steps', '1', ...extra];

describe('files that are not regular files', () => {
  it('a FIFO given as a file is refused at once (no hang), wherever a file is read', async () => {
    await expectInputError(['quantize', '--model', MODEL, '--calib', fifo, '--target', 'esp32p4', '--out', path.join(dir, 'f1', 'm.espdl')], /pipe\.npy is a FIFO \(named pipe\); expected a file or a folder/);
    await expectInputError(['quantize', '--model', fifo, '--calib', CALIB, '--target', 'esp32p4', '--out', path.join(dir, 'f2', 'm.espdl')], /model file .*pipe\.npy is a FIFO/);
    await expectInputError(['inspect', fifo], /pipe\.npy is a FIFO/);
    await expectInputError(['pack', fifo, '-o', path.join(dir, 'p.espdl')], /pipe\.npy is a FIFO/);
    await expectInputError(['estimate', fifo, '--target', 'esp32p4'], /pipe\.npy is a FIFO/);
    await expectInputError(['search', '--config', fifo, '--dry-run'], /settings file .*pipe\.npy is a FIFO/);
    expect(existsSync(path.join(dir, 'f1'))).toBe(false);
  });

  it('a folder given as a file is exit 2, not an internal error', async () => {
    await expectInputError(['quantize', '--model', EX, '--calib', CALIB, '--target', 'esp32p4', '--out', path.join(dir, 'f3', 'm.espdl')], /model file .*digits is a folder; expected a regular file/);
    await expectInputError(['inspect', EX], /digits is a folder/);
    await expectInputError(['search', '--config', EX, '--dry-run'], /settings file .*digits is a folder/);
  });
});

describe('outputs', () => {
  it('--out naming a folder is refused before any work, leaving no stray file', async () => {
    const out = path.join(dir, 'outdir');
    mkdirSync(out);
    await expectInputError(q('--out', out), /--out .*outdir is a folder; give a file name, e.g\. .*outdir\/model\.espdl/);
    await expectInputError(q('--out', `${out}/`), /outdir\/ names a folder/);
    await expectInputError(q('--out', path.join(dir, 'not-yet') + '/'), /not-yet\/ names a folder/);
    expect(readdirSync(dir).filter((n) => n.startsWith('outdir'))).toEqual(['outdir']);
    expect(readdirSync(out)).toEqual([]);
  });

  it('quantize never writes over its model or its data, whatever path names them', async () => {
    const m = path.join(dir, 'own.onnx');
    writeFileSync(m, readFileSync(MODEL));
    linkSync(m, path.join(dir, 'alias.espdl'));
    const before = readFileSync(m);
    await expectInputError(['quantize', '--model', m, '--calib', CALIB, '--target', 'esp32p4', '--out', path.join(dir, 'alias.espdl')], /--out .*alias\.espdl is the same file as --model .*own\.onnx/);
    // model.qdq.onnx beside --out would be the model itself:
    writeFileSync(path.join(dir, 'net.qdq.onnx'), before);
    await expectInputError(['quantize', '--model', path.join(dir, 'net.qdq.onnx'), '--calib', CALIB, '--target', 'esp32p4', '--out', path.join(dir, 'net.espdl')], /net\.qdq\.onnx is the same file as --model/);
    const calib = path.join(dir, 'calib.npy');
    writeFileSync(calib, readFileSync(CALIB));
    await expectInputError(['quantize', '--model', MODEL, '--calib', calib, '--target', 'esp32p4', '--calib-steps', '1', '--out', path.join(dir, 'calib.npy')], /is the same file as data file .*calib\.npy/);
    expect(readFileSync(m).equals(before)).toBe(true);
    expect(readFileSync(calib).equals(readFileSync(CALIB))).toBe(true);
  });

  it('pack refuses -o equal to an input and replaces its output atomically', async () => {
    const a = path.join(dir, 'a.espdl');
    const b = path.join(dir, 'b.espdl');
    const built = await runCli(q('--out', a));
    expect(built.code, built.stderr).toBe(0);
    writeFileSync(b, readFileSync(a));
    const original = readFileSync(a);
    await expectInputError(['pack', a, b, '-o', a], /-o .*a\.espdl is the same file as .*a\.espdl/);
    expect(readFileSync(a).equals(original)).toBe(true);
    // The old output is replaced, not rewritten in place: a hard link to it keeps the old bytes.
    const out = path.join(dir, 'models.espdl');
    writeFileSync(out, 'previous package');
    linkSync(out, path.join(dir, 'previous.espdl'));
    expect((await runCli(['pack', a, b, '-o', out], { cwd: dir })).code).toBe(0);
    expect(readFileSync(path.join(dir, 'previous.espdl'), 'utf8')).toBe('previous package');
    expect(readFileSync(out).subarray(0, 4).toString()).toBe('PDL3');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('run folders and reports', () => {
  it('search --run-dir naming a file (or a path through one) is exit 2 and leaves the file alone', async () => {
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'my notes');
    const search = (runDir: string) => ['search', '--model', MODEL, '--calib', CALIB, '--target', 'esp32p4', '--run-dir', runDir, '--max-experiments', '1'];
    await expectInputError(search(file), /run folder .*notes\.txt is a file, not a folder/);
    await expectInputError([...search(file), '--resume'], /run folder .*notes\.txt is a file, not a folder/);
    await expectInputError(search(path.join(file, 'run')), /notes\.txt\/run: a part of the path is a file, not a folder/);
    expect(readFileSync(file, 'utf8')).toBe('my notes');
  });

  it("report --out never replaces one of the run's own files; a report beside them is fine", async () => {
    const run = path.join(dir, 'reported-run');
    cpSync(path.join(REPO_ROOT, 'test/fixtures/digits/autoquant_top1'), run, { recursive: true });
    const summary = readFileSync(path.join(run, 'summary.json'));
    await expectInputError(['report', '--run-dir', run, '--out', path.join(run, 'summary.json')], /--out .*summary\.json is the same file as run file .*summary\.json/);
    const config = path.join(run, '0004', 'config.json');
    await expectInputError(['report', '--run-dir', run, '--out', config], /is the same file as experiment file .*0004\/config\.json/);
    await expectInputError(['report', '--run-dir', run, '--out', path.join(run, '0004')], /--out .*0004 is a folder/);
    expect(readFileSync(path.join(run, 'summary.json')).equals(summary)).toBe(true);
    for (let i = 0; i < 2; i++) expect((await runCli(['report', '--run-dir', run, '--out', path.join(run, 'report.md')], { cwd: dir })).code).toBe(0);
    expect(readFileSync(path.join(run, 'report.md'), 'utf8')).toMatch(/^# AutoQuant search report/);
  });
});

describe('bad data and models', () => {
  it('a 14-byte .npy whose header length is 2^31 is an InputError, not a native abort', async () => {
    const npy = path.join(dir, 'evil.npy');
    writeFileSync(npy, Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([2, 0, 0, 0, 0, 0x80]), Buffer.from('ab')]));
    await expectInputError(['quantize', '--model', MODEL, '--calib', npy, '--target', 'esp32p4', '--out', path.join(dir, 'e', 'm.espdl')], /evil\.npy declares a \.npy header of 2147483660 bytes/);
    writeFileSync(npy, Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, 0xff, 0xff]), Buffer.from('ab')]));
    await expectInputError(['quantize', '--model', MODEL, '--calib', npy, '--target', 'esp32p4', '--out', path.join(dir, 'e', 'm.espdl')], /evil\.npy is truncated inside its \.npy header/);
  });

  it('a model whose graph has a cycle is exit 2 naming the nodes', async () => {
    const cyc = path.join(dir, 'cycle.onnx');
    writeFileSync(cyc, encodeModel(model({
      nodes: [node('Relu', 'first', ['x', 'b'], ['a']), node('Relu', 'second', ['a'], ['b'])],
      inputs: [vi('x', [1, 4])], outputs: [vi('b', [1, 4])],
    })));
    await expectInputError(['quantize', '--model', cyc, '--calib', CALIB, '--target', 'esp32p4', '--out', path.join(dir, 'c', 'm.espdl')], /cycle\.onnx is not a valid ONNX model: its graph has a cycle through nodes 'first', 'second'/);
    await expectInputError(['estimate', cyc, '--target', 'esp32p4'], /cycle through nodes 'first', 'second'/);
  });

  it('an unknown flag is a usage error (exit 2)', async () => {
    await expectInputError(['quantize', '--modle', MODEL], /Unknown option '--modle'/);
  });
});

describe('--encrypt-key', () => {
  it('is checked before anything is loaded, names the flag and never echoes the key', async () => {
    const out = path.join(dir, 'enc', 'm.espdl');
    const secretish = '00112233445566778899aabbccddee'; // 30 digits: a near miss of a real key
    const err = await expectInputError(['quantize', '--model', MODEL, '--calib', path.join(dir, 'missing.npy'), '--target', 'esp32p4',
      '--encrypt-key', secretish, '--out', out], /--encrypt-key must be an AES-128 key of 16 bytes written as 32 hex digits; the value given has 30 hex digits/);
    expect(err).not.toContain(secretish);
    expect(err).not.toMatch(/--key /);
    expect(existsSync(path.dirname(out))).toBe(false);
  });
});
