import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateEspdlFile } from '../../../src/cost/estimate.js';
import { fixture } from '../../helpers/paths.js';
import { zooBytes, zooEntries } from '../../helpers/zoo.js';

// Every real .espdl in the fixtures (ESP-DL examples and test apps, the model zoo, ESP-PPQ exports).
const files = [
  ...readdirSync(fixture('espdl')).filter((f) => f.endsWith('.espdl')).map((f) => ({ name: f, bytes: () => new Uint8Array(readFileSync(fixture('espdl', f))) })),
  ...zooEntries().map((e) => ({ name: e.file, bytes: () => zooBytes(e) })),
  ...readdirSync(fixture('digits/ppq')).map((d) => ({ name: `${d}/model.espdl`, bytes: () => new Uint8Array(readFileSync(fixture('digits/ppq', d, 'model.espdl'))) })),
];

describe('estimate accepts any .espdl', () => {
  it(`estimates all ${files.length} fixture files on every target without uncosted nodes`, () => {
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const bytes = f.bytes();
      for (const target of ['esp32p4', 'esp32s3', 'esp32'] as const) {
        const e = estimateEspdlFile(bytes, path.basename(f.name), target, target === 'esp32' ? { deployment: { params: 'flash' } } : {});
        expect(e.latency_ms, f.name).toBeGreaterThan(0);
        expect(e.uncosted, f.name).toEqual([]);
        expect(e.by_class.reduce((s, c) => s + c.compute_ms + c.memory_ms, 0)).toBeCloseTo(e.latency_ms, 6);
      }
    }
  });
});
