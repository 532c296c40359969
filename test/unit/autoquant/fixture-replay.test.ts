/**
 * Parity with real ESP-PPQ fast-mode runs: replaying the recorded scores (looked up by hash: the evaluator
 * emulates the quantizer, which is not under test) must visit exactly the same experiments in the same order
 * and write byte-identical summary.json, candidates.json and NNNN/config.json.
 */
import { describe, expect, it } from 'vitest';
import { autoQuantize } from '../../../src/autoquant/auto-quantize.js';
import { fakeRunner, fixtureRun, replayEvaluator, settingsFrom } from './fixture-helpers.js';
import { memoryStore } from './memory-store.js';

describe.each(['default', 'top1', 'tqt'])('ESP-PPQ fast run "%s"', (mode) => {
  it('visits the same experiments and writes identical files', async () => {
    const { meta, summary, text } = fixtureRun(`autoquant_${mode}`);
    const store = memoryStore(`work/${mode}/run`);
    const res = await autoQuantize({
      settings: settingsFrom(meta), target: 'esp32p4', runner: fakeRunner(), evaluator: replayEvaluator(summary), store,
      onnxImportFile: `work/${mode}/model.onnx`, espdlExportFile: `work/${mode}/export/model.espdl`,
    });
    expect(res.newExperiments).toBe(summary.length);
    expect(res.stopped).toBeNull();
    expect(store.files.get('summary.json')).toBe(text('summary.json'));
    expect(store.files.get('candidates.json')).toBe(text('candidates.json'));
    for (const i of ['0000', '0005']) expect(store.files.get(`${i}/config.json`), i).toBe(text(`${i}/config.json`));
  });
});
