import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalView } from '../../../src/espdl/canonical.js';
import { exportCases } from './fixture-cases.js';

/** JSON.parse that also accepts Python's bare NaN / Infinity tokens (outside strings). */
function parsePythonJson(text: string): unknown {
  const safe = text.replace(/("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)/g, (m, str) => (str ? str : `{"$nonfinite":"${m}"}`));
  return JSON.parse(safe, (_k, v) => (v && typeof v === 'object' && '$nonfinite' in v ? Number(v.$nonfinite) : v));
}

function compareGroup(dirs: string[]): { total: number; equal: number; firstDiff?: string } {
  let equal = 0;
  let total = 0;
  let firstDiff: string | undefined;
  for (const dir of dirs) {
    const espdl = path.join(dir, 'model.espdl');
    const canon = path.join(dir, 'model.canonical.json');
    if (!existsSync(espdl) || !existsSync(canon)) continue;
    total++;
    const got = canonicalView(readFileSync(espdl), { what: espdl });
    const want = parsePythonJson(readFileSync(canon, 'utf8'));
    try {
      expect(got).toEqual(want);
      equal++;
    } catch (e) {
      firstDiff ??= `${dir}: ${(e as Error).message.slice(0, 2000)}`;
    }
  }
  return { total, equal, firstDiff };
}

describe('canonicalView matches the fixtures model.canonical.json', () => {
  it('digits: 16 configs + p4_8_kl_testvalues', () => {
    const r = compareGroup(exportCases('digits'));
    expect(r.firstDiff).toBeUndefined();
    expect(r).toEqual({ total: 17, equal: 17 });
  });

  it('ops: all 630 cases', () => {
    const r = compareGroup(exportCases('ops'));
    expect(r.firstDiff).toBeUndefined();
    expect(r).toEqual({ total: 630, equal: 630 });
  });
});
