/**
 * Ctrl-C (SIGINT) and SIGTERM (a CI cancel or timeout) stop a real search process after the current experiment,
 * save what is done, and exit 130 / 143, not 0 like a finished run (issue 14); the run then resumes. A fresh
 * search refuses a folder that is not a run folder with exit 2.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const work = mkdtempSync(path.join(tmpdir(), 'aq-interrupt-'));
const child = path.join(work, 'child.cjs');
const ARGS = ['--model', 'm.onnx', '--calib', 'c.npy', '--target', 'esp32p4'];

beforeAll(async () => {
  // The engine and board modules are never loaded by this child (its runner is the fake one).
  await build({ entryPoints: [fileURLToPath(new URL('./interrupt-child.ts', import.meta.url))], bundle: true, platform: 'node', format: 'cjs',
    outfile: child, logLevel: 'error', external: ['onnxruntime-node', 'serialport', 'esptool-js'] });
});

/** Runs the child in `cwd`; sends `sig` once it has started `after` experiments. */
function runChild(cwd: string, args: string[], sig?: NodeJS.Signals, after = 2): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let started = 0;
    let sent = false;
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      started += d.split('\n').length - 1;
      if (sig && !sent && started >= after) {
        sent = true;
        p.kill(sig);
      }
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stderr }));
  });
}

const summaryOf = (dir: string): { index: number }[] => JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'));

describe('interrupting a search', () => {
  it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('%s saves, exits %i, and the run resumes', async (sig, code) => {
    const cwd = mkdtempSync(path.join(work, 'run-'));
    const r = await runChild(cwd, [...ARGS, '--run-dir', 'run', '--max-experiments', '10'], sig);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(new RegExp(`received ${sig}: stopping after the current step`));
    expect(r.stderr).toMatch(/search stopped \(aborted\): \d+ new, 0 skipped; .*continue with --resume/);
    const saved = summaryOf(path.join(cwd, 'run')).length;
    expect(saved).toBeGreaterThanOrEqual(1);
    const resumed = await runChild(cwd, [...ARGS, '--run-dir', 'run', '--resume', '--max-experiments', '2']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(summaryOf(path.join(cwd, 'run')).map((x) => x.index)).toEqual(Array.from({ length: saved + 2 }, (_, i) => i));
  });

  it("a fresh search in a folder that is not a run folder is exit 2 and touches nothing", async () => {
    const cwd = mkdtempSync(path.join(work, 'user-'));
    mkdirSync(path.join(cwd, 'docs', '2023'), { recursive: true });
    writeFileSync(path.join(cwd, 'docs', '2023', 'report.txt'), 'mine');
    const r = await runChild(cwd, [...ARGS, '--run-dir', 'docs']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/run folder .*docs is not a search's run folder: a new search would delete or overwrite 2023\//);
    expect(readFileSync(path.join(cwd, 'docs', '2023', 'report.txt'), 'utf8')).toBe('mine');
  });
});
