/** Child process for kill9.test.ts: a search with a slow fake runner that prints one line per experiment. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { autoQuantize } from '../../../src/autoquant/auto-quantize.js';
import { loadSettings } from '../../../src/autoquant/settings.js';
import { fsRunStore } from '../../../src/node/run-folder.js';
import { syntheticEvaluator, syntheticRunner } from '../../unit/autoquant/synthetic.js';

async function main(): Promise<void> {
  const [dir, resume] = process.argv.slice(2);
  const base = syntheticRunner();
  await autoQuantize({
    settings: loadSettings(undefined, 'k', { resume: resume === 'resume', refine_with: [] }), target: 'esp32p4', evaluator: syntheticEvaluator,
    store: fsRunStore(dir), onnxImportFile: 'm.onnx', espdlExportFile: 'model.espdl',
    runner: { ...base, run: async (req, sig) => {
      writeFileSync(path.join(req.candidateDir, 'partial.bin'), 'x');
      await new Promise((r) => setTimeout(r, 15));
      return base.run(req, sig);
    } },
    onExperiment: (p) => process.stdout.write(`${p.index}\n`),
  });
}
void main();
