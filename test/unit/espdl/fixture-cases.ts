/** Fixture folders holding an ESP-PPQ export (model.espdl + its side files): digits configs and ops cases. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fixture, opsFixture } from '../../helpers/paths.js';

const subdirs = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));

/** `digits`: fixtures/digits/ppq/* (16 configs + p4_8_kl_testvalues); `ops`: fixtures/ops/<target>/<Op>/<case>. */
export function exportCases(group: 'digits' | 'ops'): string[] {
  const dirs = group === 'digits'
    ? subdirs(fixture('digits', 'ppq'))
    : subdirs(opsFixture()).flatMap(subdirs).flatMap(subdirs);
  return dirs.filter((d) => existsSync(path.join(d, 'model.espdl')));
}
