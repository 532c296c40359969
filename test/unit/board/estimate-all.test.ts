import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateFile } from '../../../src/board/estimate.js';
import { fixture } from '../../helpers/paths.js';

// Every real .espdl in the shared fixtures (ESP-DL examples and test apps, the model zoo, ESP-PPQ exports).
const files = [
  ...readdirSync(fixture('espdl')).filter((f) => f.endsWith('.espdl')).map((f) => fixture('espdl', f)),
  ...readdirSync(fixture('espdl-zoo')).filter((f) => f.endsWith('.espdl')).map((f) => fixture('espdl-zoo', f)),
  ...readdirSync(fixture('digits/ppq')).map((d) => fixture('digits/ppq', d, 'model.espdl')),
];

describe('estimate accepts any .espdl', () => {
  it(`estimates all ${files.length} fixture files on every target without uncosted nodes`, () => {
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      for (const target of ['esp32p4', 'esp32s3', 'esp32'] as const) {
        const e = estimateFile(new Uint8Array(readFileSync(f)), path.basename(f), target);
        expect(e.latency_ms, f).toBeGreaterThan(0);
        expect(e.uncosted, f).toEqual([]);
      }
    }
  });
});
