/** `espdl-autoquant <command> --help` through the real CLI entry: every command prints its usage and exits 0. */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/main.js';
import { runCli } from '../../helpers/cli.js';

describe('per-command help', () => {
  it.each(Object.keys(COMMANDS))('%s --help and -h print the usage, even after other flags', async (name) => {
    for (const argv of [[name, '--help'], [name, '-h'], [name, '--target', 'esp32s3', '--help']]) {
      const r = await runCli(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: espdl-autoquant ${name} `));
      expect(r.stdout.endsWith('\n')).toBe(true);
      expect(r.stderr).toBe('');
    }
  });
});
