/**
 * The real `search` command keeps its baseline layer-wise error in the run folder (espdl-autoquant-layerwise.json): run
 * again on the same model and data, it reads it back and makes the same experiment; one kept under another
 * fingerprint is computed again (that changed inputs change the fingerprint: baseline-fingerprint.test.ts). Files
 * are replaced atomically (a new file renamed over the old one), so a file kept with the same inode was read.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/paths.js';
import { runCli } from '../../helpers/cli.js';

const example = (f: string) => path.join(REPO_ROOT, 'examples', 'digits', f);
// mixed_precision picks its layers from the baseline layer-wise error; one experiment, no refinement.
const CONFIG = 'search_mode: fast\ntop_strategy: 1\nearly_stop_patience: 1\nrefine_with: []\nstrategy_space:\n  mixed_precision: [true]\n' +
  'param_space:\n  calib_algorithm: {method: [kl]}\n';

describe('search: the baseline layer-wise error kept in the run folder', () => {
  it('is read back by a repeated search on the same inputs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aq-lwcache-'));
    writeFileSync(path.join(dir, 'aq.yml'), CONFIG);
    const run = path.join(dir, 'run');
    const search = () => runCli(['search', '--model', example('model.onnx'), '--calib', example('calib.npy'), '--target', 'esp32p4',
      '--config', path.join(dir, 'aq.yml'), '--run-dir', run, '--calib-steps', '4', '--max-experiments', '1']);
    const scores = () => (JSON.parse(readFileSync(path.join(run, 'summary.json'), 'utf8')) as { score: number }[]).map((r) => r.score);
    const kept = () => readFileSync(path.join(run, 'espdl-autoquant-layerwise.json'), 'utf8');
    const inode = () => statSync(path.join(run, 'espdl-autoquant-layerwise.json')).ino;

    const first = await search();
    expect(first.code, first.stderr).toBe(0);
    const [text, score, written] = [kept(), scores(), inode()];
    expect(Object.keys((JSON.parse(text) as { layerwise: object }).layerwise).length).toBeGreaterThan(3);

    const again = await search();
    expect(again.code, again.stderr).toBe(0);
    expect([kept(), scores(), inode()]).toEqual([text, score, written]);

    // A kept baseline of other inputs (another fingerprint) is computed again and replaced: the same values.
    writeFileSync(path.join(run, 'espdl-autoquant-layerwise.json'), text.replace(/"fingerprint": "[0-9a-f]+"/, '"fingerprint": "0"'));
    const other = await search();
    expect(other.code, other.stderr).toBe(0);
    expect(kept()).toBe(text);
    expect(inode()).not.toBe(written);
  });
});
