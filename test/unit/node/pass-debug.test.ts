/** The environment switches of the pass runner's debug hooks (node/pass-debug.ts). */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { passDebugFromEnv } from '../../../src/node/pass-debug.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('passDebugFromEnv', () => {
  it('is off without the variables', () => {
    expect(passDebugFromEnv({})).toEqual({});
    expect(passDebugFromEnv({ ESPDL_PASS_VALIDATE: '0' })).toEqual({});
  });

  it('ESPDL_PASS_VALIDATE turns checks on; ESPDL_PASS_DUMP writes one numbered file per pass', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'pass-dump-')), 'new');
    dirs.push(path.dirname(dir));
    const debug = passDebugFromEnv({ ESPDL_PASS_VALIDATE: '1', ESPDL_PASS_DUMP: dir });
    expect(debug.validate).toBe(true);
    debug.dump!({ pipeline: 'export', index: 4, pass: 'reset_graph_layout' }, 'a = Relu(x) -> y');
    expect(readdirSync(dir)).toEqual(['export-04-reset_graph_layout.txt']);
    expect(readFileSync(path.join(dir, 'export-04-reset_graph_layout.txt'), 'utf8')).toBe('a = Relu(x) -> y\n');
  });
});
