/**
 * npm CLI conventions, through the built CLI as npm links it (lib/cli/index.js, built by `npm ci`/`npm run build`):
 * `--version`/`-v` print package.json's version; a flag error is exit 2 with one line on stderr.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/main.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const BIN = path.join(REPO_ROOT, 'lib', 'cli', 'index.js');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the espdl-autoquant binary', () => {
  it('--version and -v print the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const r = await cli([flag]);
      expect([r.code, r.stdout, r.stderr]).toEqual([0, `espdl-autoquant ${version}\n`, '']);
    }
  });

  it.each(Object.keys(COMMANDS))('%s: an unknown flag is exit 2 with one line naming it', async (name) => {
    const r = await cli([name, '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`espdl-autoquant ${name}: Unknown option '--no-such-flag' (the options: espdl-autoquant ${name} --help)\n`);
    expect(r.stdout).toBe('');
  });

  it('a flag without its value is exit 2 with one line', async () => {
    const r = await cli(['quantize', '--model']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([`espdl-autoquant quantize: Option '--model <value>' argument missing (the options: espdl-autoquant quantize --help)`]);
  });
});
