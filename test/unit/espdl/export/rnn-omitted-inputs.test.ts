/**
 * An omitted optional input ('' in ONNX: an LSTM's or GRU's sequence_lens, a bias left out) is no value: the
 * export's graph check must not report it as a variable without perm or exponent (it printed
 * "warning:  does not bind perm parameter", with an empty name, for every recurrent model).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { opsFixture } from '../../../helpers/paths.js';
import { loadCaseModel } from '../../../helpers/ops-case.js';
import { quantizedGraphFromPpqJson } from '../../../helpers/ppq-config.js';
import { ortRuntime } from '../../../../src/node/ort-runtime.js';
import { exportEspdl } from '../../../../src/espdl/export/index.js';

describe('export of recurrent ops with omitted optional inputs', () => {
  for (const op of ['LSTM', 'GRU']) {
    it(`${op}: no warning about the omitted inputs`, async () => {
      let omitted = 0;
      for (const c of readdirSync(opsFixture('esp32p4_8', op)).sort()) {
        const dir = opsFixture('esp32p4_8', op, c);
        const model = await loadCaseModel(dir, ortRuntime());
        omitted += model.graph.nodes.filter((n) => n.opType === op).flatMap((n) => n.inputs).filter((i) => i === '').length;
        const qg = quantizedGraphFromPpqJson(model, JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')), 'esp32p4', 8);
        expect(exportEspdl(qg).warnings, c).toEqual([]);
      }
      expect(omitted).toBeGreaterThan(0); // the cases do leave inputs out
    });
  }
});
