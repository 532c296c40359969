/**
 * Property-based fuzzing of every reader of user files (issue 14): .npy, .npz, ONNX, .espdl and settings.
 * For any input — random bytes, or a valid file with random mutations — a reader either succeeds or throws a
 * typed user-facing error (InputError / UnsupportedError), never a TypeError, RangeError, a hang or a crash.
 * Fixed seeds and bounded runs keep `npm test` deterministic and short; raise FUZZ_RUNS to search longer.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/autoquant/settings.js';
import { expandStrategies } from '../../../src/autoquant/space.js';
import { estimateEspdlFile } from '../../../src/cost/estimate.js';
import { parseNpy } from '../../../src/data/npy.js';
import { encodeNpy } from '../../helpers/npy.js';
import { parseNpz } from '../../../src/data/npz.js';
import { InputError, UnsupportedError } from '../../../src/errors.js';
import { canonicalView } from '../../../src/espdl/canonical.js';
import { formatInfo } from '../../../src/espdl/info.js';
import { inspectJson } from '../../../src/espdl/inspect-json.js';
import { readContainerModel } from '../../../src/espdl/open-model.js';
import { parseContainer } from '../../../src/espdl/container.js';
import { decodeModel } from '../../../src/onnx/read.js';
import { openDataSource } from '../../../src/node/data-files.js';
import { runCli } from '../../helpers/cli.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { tmpdir } from 'node:os';

// Longer searches: FUZZ_RUNS=20000 FUZZ_SEED=7 npx vitest run test/unit/fuzz --testTimeout=3600000
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 0) || undefined;
const SEED = Number(process.env['FUZZ_SEED'] ?? 1414);
const budget = (numRuns: number) => ({ seed: SEED, numRuns: RUNS ?? numRuns, endOnFailure: true });

/** Runs `read`; an error must be one of ours for bad input. Returns a label of the outcome (for coverage checks). */
function typedOutcome(read: () => unknown): 'ok' | 'input-error' {
  try {
    read();
    return 'ok';
  } catch (err) {
    if (err instanceof InputError || err instanceof UnsupportedError) return 'input-error';
    throw err;
  }
}

async function typedOutcomeAsync(read: () => Promise<unknown>): Promise<'ok' | 'input-error'> {
  try {
    await read();
    return 'ok';
  } catch (err) {
    if (err instanceof InputError || err instanceof UnsupportedError) return 'input-error';
    throw err;
  }
}

/** Random edits of a valid file: bit flips, byte sets, inserts, deletes and a truncation, at random places. */
function mutated(seedFile: () => Uint8Array): fc.Arbitrary<Uint8Array> {
  const edit = fc.record({
    op: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate', 'u32'),
    at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), big: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff),
  });
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let b = Array.from(seedFile());
    for (const e of edits) {
      const at = b.length === 0 ? 0 : e.at % b.length;
      if (e.op === 'flip' && b.length) b[at] = b[at]! ^ (1 << (e.value % 8));
      else if (e.op === 'set' && b.length) b[at] = e.value;
      else if (e.op === 'insert') b.splice(at, 0, e.value);
      else if (e.op === 'delete') b.splice(at, 1);
      else if (e.op === 'truncate') b = b.slice(0, at);
      else if (e.op === 'u32' && b.length >= 4) {
        const p = Math.min(at, b.length - 4);
        for (let k = 0; k < 4; k++) b[p + k] = (e.big >>> (8 * k)) & 0xff;
      }
    }
    return Uint8Array.from(b);
  });
}

const anyBytes = fc.uint8Array({ maxLength: 512 });
const npySeed = () => encodeNpy({ dtype: 'float32', dims: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
const npzSeed = () => zipSync({ 'x.npy': [npySeed(), { level: 6 }], 'y.npy': [npySeed(), { level: 0 }] });
const onnx = readFileSync(path.join(REPO_ROOT, 'examples', 'digits', 'model.onnx'));
let espdl: Uint8Array;

beforeAll(async () => {
  // A real .espdl of the bundled example, made by the CLI (the reader's seed).
  const dir = mkdtempSync(path.join(tmpdir(), 'fuzz-espdl-'));
  const out = path.join(dir, 'model.espdl');
  const r = await runCli(['quantize', '--model', path.join(REPO_ROOT, 'examples', 'digits', 'model.onnx'), '--calib',
    path.join(REPO_ROOT, 'examples', 'digits', 'calib.npy'), '--target', 'esp32p4', '--calib-steps', '1', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  espdl = new Uint8Array(readFileSync(out));
});

describe('fuzz: .npy', () => {
  it('random bytes and mutated files give a tensor or an InputError', () => {
    fc.assert(fc.property(fc.oneof(anyBytes, mutated(npySeed)), (bytes) => { typedOutcome(() => parseNpy(bytes, 'f.npy')); }), budget(3000));
  });
});

describe('fuzz: data files on disk (range reads)', () => {
  it('mutated .npy and .npz files open and stream, or give an InputError', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fuzz-data-'));
    const inputs = [{ name: 'x', dims: [1, 3] }];
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.oneof(mutated(npySeed).map((b) => ['npy', b] as const), mutated(npzSeed).map((b) => ['npz', b] as const)), async ([ext, bytes]) => {
      const file = path.join(dir, `f${n++}.${ext}`);
      writeFileSync(file, bytes);
      await typedOutcomeAsync(async () => {
        const src = await openDataSource(file, inputs);
        for await (const _ of src.batches(2)) { /* read every sample */ }
      });
    }), budget(400));
  });
});

describe('fuzz: .npz', () => {
  it('random bytes and mutated archives give arrays or an InputError', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(anyBytes, mutated(npzSeed)), async (bytes) => { await typedOutcomeAsync(() => parseNpz(bytes, 'f.npz')); }), budget(1500));
  });
});

describe('fuzz: ONNX', () => {
  it('mutated models decode or give an InputError', () => {
    const outcomes = new Set<string>();
    fc.assert(fc.property(fc.oneof({ arbitrary: anyBytes, weight: 1 }, { arbitrary: mutated(() => onnx), weight: 4 }), (bytes) => {
      outcomes.add(typedOutcome(() => decodeModel(bytes, { source: 'f.onnx' })));
    }), budget(400));
    expect(outcomes).toEqual(new Set(['ok', 'input-error'])); // the mutations reach both sides
  });
});

describe('fuzz: .espdl', () => {
  it('mutated files parse, print and estimate, or give an InputError', () => {
    const outcomes = new Set<string>();
    fc.assert(fc.property(fc.oneof({ arbitrary: anyBytes, weight: 1 }, { arbitrary: mutated(() => espdl), weight: 4 }), (bytes) => {
      outcomes.add(typedOutcome(() => {
        const c = parseContainer(bytes, 'f.espdl');
        for (const m of c.models) formatInfo(readContainerModel(m, 'f.espdl'));
      }));
      typedOutcome(() => inspectJson(bytes, { what: 'f.espdl' }));
      typedOutcome(() => canonicalView(bytes, {}));
      typedOutcome(() => estimateEspdlFile(bytes, 'f.espdl', 'esp32p4'));
    }), budget(300));
    expect(outcomes).toEqual(new Set(['ok', 'input-error']));
  });
});

describe('fuzz: settings', () => {
  const scalar = fc.oneof(fc.integer({ min: -3, max: 2_000_000 }), fc.double({ noNaN: false }), fc.boolean(), fc.constantFrom('kl', 'mse', 'x', ''), fc.constant(null));
  const knob = fc.oneof(fc.array(scalar, { maxLength: 4 }), fc.record({ range: fc.array(scalar, { minLength: 3, maxLength: 3 }) }), scalar);
  const modules = fc.constantFrom('num_of_bits', 'calib_algorithm', 'weight_equalization', 'bias_correction', 'tqt', 'mixed_precision', 'nope');
  const knobs = fc.constantFrom('value', 'method', 'iterations', 'value_threshold', 'steps', 'lr', 'block_size', 'topk', 'zzz');
  const settings = fc.record({
    space: fc.constantFrom('espdl-default', 'quick', 'bogus'),
    search_mode: fc.constantFrom('exhaustive', 'fast', 'slow'),
    num_of_candidates: fc.oneof(fc.integer({ min: -1, max: 100 }), fc.string()),
    strategy_space: fc.dictionary(modules, fc.oneof(fc.array(fc.boolean(), { maxLength: 3 }), scalar)),
    param_space: fc.dictionary(modules, fc.dictionary(knobs, knob, { maxKeys: 3 }), { maxKeys: 3 }),
    structural_knobs: fc.dictionary(modules, fc.array(knobs, { maxLength: 2 }), { maxKeys: 2 }),
  }, { requiredKeys: [] });
  const valid = 'space: quick\nsearch_mode: fast\nnum_of_candidates: 3\nparam_space:\n  weight_equalization:\n    value_threshold: {range: [0.1, 0.9, 0.2]}\n';

  it('random structured settings and mutated YAML load and expand, or give an InputError', () => {
    const outcomes = new Set<string>();
    fc.assert(fc.property(fc.oneof(settings.map((o) => JSON.stringify(o)), mutated(() => new TextEncoder().encode(valid)).map((b) => new TextDecoder().decode(b))), (text) => {
      outcomes.add(typedOutcome(() => {
        const s = loadSettings(text, 'f.yml');
        expandStrategies(s.strategy_space, s.param_space);
      }));
    }), budget(1500));
    expect(outcomes).toEqual(new Set(['ok', 'input-error']));
  });
});
