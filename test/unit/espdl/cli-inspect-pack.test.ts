import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspectCommand } from '../../../src/cli/commands/inspect.js';
import { packCommand } from '../../../src/cli/commands/pack.js';
import type { CliContext } from '../../../src/cli/command.js';
import { InputError } from '../../../src/errors.js';
import { nullLogger } from '../../../src/log.js';
import { encryptEspdlFile } from '../../../src/node/espdl-crypto.js';
import { fixture } from '../../helpers/paths.js';

function context(cwd: string): CliContext & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out, err, cwd, env: {}, isTTY: false, logger: nullLogger, signal: new AbortController().signal,
    stdout: (t) => { out.push(t); }, stderr: (t) => { err.push(t); },
  };
}

const espdlDir = fixture('espdl');
const KEY = '2b7e151628aed2a6abf7158809cf4f3c';

describe('espdl-autoquant inspect', () => {
  it('prints the ESP-PPQ .info text by default', async () => {
    const dir = fixture('digits', 'ppq', 'p4_8_kl_testvalues');
    const ctx = context(dir);
    expect(await inspectCommand.run(['model.espdl'], ctx)).toBe(0);
    expect(ctx.out.join('')).toBe(`${readFileSync(path.join(dir, 'model.info'), 'utf8')}\n`);
  });

  it('--canonical prints the fixture canonical JSON; --json has initializer SHA-256s of the independent reader', async () => {
    const dir = fixture('digits', 'ppq', 'esp32s3_8_mse');
    const c = context(dir);
    await inspectCommand.run(['model.espdl', '--canonical'], c);
    expect(JSON.parse(c.out.join(''))).toEqual(JSON.parse(readFileSync(path.join(dir, 'model.canonical.json'), 'utf8')));

    const name = 'examples_tutorial_how_to_deploy_streaming_model_test_streaming_model_main_models_esp32p4_model';
    const j = context(espdlDir);
    await inspectCommand.run([`${name}.espdl`, '--json'], j);
    const json = JSON.parse(j.out.join(''));
    const structure = JSON.parse(readFileSync(path.join(espdlDir, `${name}.structure.json`), 'utf8'));
    const model = json.models[0].model;
    expect(json.format).toBe('EDL2');
    expect(model.initializers.map((t: { name: string; raw_sha256: string }) => [t.name, t.raw_sha256])).toEqual(
      structure.model.graph.initializers.map((t: { name: string; raw_sha256: string }) => [t.name, t.raw_sha256]),
    );
    expect(model.test_inputs[0].raw_sha256).toBe(structure.model.graph.test_inputs[0].raw_sha256);
    expect(model.initializers.every((t: { raw_aligned16: boolean }) => t.raw_aligned16)).toBe(true);
  });

  it('reads every golden and zoo file (--json), the 4 zoo models (14 MB) within seconds', async () => {
    for (const f of readdirSync(espdlDir).filter((n) => n.endsWith('.espdl'))) {
      const ctx = context(espdlDir);
      expect(await inspectCommand.run([f, '--json'], ctx)).toBe(0);
      expect(JSON.parse(ctx.out.join('')).models[0].model.counts.nodes).toBeGreaterThan(0);
    }
    const zoo = fixture('espdl-zoo');
    const t0 = performance.now();
    for (const f of readdirSync(zoo).filter((n) => n.endsWith('.espdl'))) {
      const ctx = context(zoo);
      expect(await inspectCommand.run([f, '--json'], ctx)).toBe(0);
      const model = JSON.parse(ctx.out.join('')).models[0].model;
      expect(model.counts.nodes).toBeGreaterThan(60);
      expect(model.initializers.every((t: { raw_aligned16: boolean }) => t.raw_aligned16)).toBe(true);
    }
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('decrypts with --key; wrong key, truncation, bad magic and missing files are InputErrors naming the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'h4a-inspect-'));
    const plain = readFileSync(path.join(espdlDir, 'examples_tutorial_how_to_run_model_main_models_p4_model.espdl'));
    writeFileSync(path.join(dir, 'enc.espdl'), encryptEspdlFile(new Uint8Array(plain), Buffer.from(KEY, 'hex')));
    writeFileSync(path.join(dir, 'cut.espdl'), plain.subarray(0, 5000));
    writeFileSync(path.join(dir, 'zip.espdl'), Buffer.from('PK\u0003\u0004rest'));
    const ok = context(dir);
    await inspectCommand.run(['enc.espdl', '--key', KEY], ok);
    expect(ok.out.join('')).toContain('graph torch_jit (');
    const noKey = context(dir);
    await inspectCommand.run(['enc.espdl'], noKey);
    expect(noKey.out.join('')).toContain('encrypted model (7648 bytes): pass --key HEX');
    const run = (args: string[]) => inspectCommand.run(args, context(dir));
    await expect(run(['enc.espdl', '--key', '00112233445566778899aabbccddeeff'])).rejects.toThrow(/enc\.espdl: wrong key or corrupt encrypted model/);
    await expect(run(['cut.espdl'])).rejects.toThrow(/cut\.espdl: truncated file/);
    await expect(run(['zip.espdl'])).rejects.toThrow(/zip\.espdl: unknown magic/);
    await expect(run(['missing.espdl'])).rejects.toThrow(/file not found: missing\.espdl/);
    await expect(run(['enc.espdl', '--key', 'xyz'])).rejects.toBeInstanceOf(InputError);
    await expect(run(['--bogus'])).rejects.toBeInstanceOf(InputError);
  });
});

describe('espdl-autoquant pack', () => {
  it('packs files by name into a PDL3 that inspect lists and selects with --model', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'h4a-pack-'));
    const a = path.join(espdlDir, 'test_apps_esp-dl_models_esp32s3_Gemm_linear_ishap_1_16_kshap_16_16_relu_s8.espdl');
    const b = path.join(espdlDir, 'examples_tutorial_how_to_run_model_main_models_s3_model.espdl');
    const ctx = context(dir);
    expect(await packCommand.run([b, a, '-o', 'models.espdl', '--package-version', 'v2.1'], ctx)).toBe(0);
    expect(ctx.err.join('')).toMatch(/0:examples_tutorial.*1:test_apps/);
    const i = context(dir);
    await inspectCommand.run(['models.espdl', '--model', '1'], i);
    const text = i.out.join('');
    expect(text).toMatch(/^package PDL3 version v2\.1, \d+ bytes, 2 models, sha256 [0-9a-f]{64} \(ok\)/);
    expect(text).toContain('=== model 1: test_apps_esp-dl_models_esp32s3_Gemm_linear_ishap_1_16_kshap_16_16_relu_s8.espdl');
    expect(text).toContain('target: esp32s3');
    await expect(packCommand.run([a], context(dir))).rejects.toThrow(/-o OUT\.espdl is required/);
    await expect(inspectCommand.run(['models.espdl', '--canonical'], context(dir))).rejects.toThrow(/choose one with --model/);
  });
});
