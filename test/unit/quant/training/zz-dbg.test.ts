import { it } from 'vitest';
import { runTqt } from '../../../../src/quant/training/tqt.js';
import { runAdaround } from '../../../../src/quant/training/adaround.js';
import { biasCorrect } from '../../../../src/quant/training/bias-correction.js';
import { tinyBlock } from './tiny-block.js';
it('dbg', () => {
  const a = tinyBlock(11, { wBits: 4 }); const t = runTqt(a.block, a.batches, { lr: 1e-5, steps: 300, isScaleTrainable: true, gamma: 0, intLambda: 0 });
  const b = tinyBlock(21, { wBits: 4 }); const d = runAdaround(b.block, b.batches, { lr: 1e-2, steps: 300, gamma: 1, isScaleTrainable: false });
  const b2 = tinyBlock(21, { wBits: 4 }); const d2 = runAdaround(b2.block, b2.batches, { lr: 1e-2, steps: 300, gamma: 1, isScaleTrainable: false, regularizerStep: 'ppq' });
  const c = tinyBlock(31, { wBits: 3 }); const e = biasCorrect(c.block, c.batches);
  for (const o of [t, d, d2, e]) console.log('RES', o.status, (o as any).preLoss, (o as any).postLoss, (o as any).reason ?? '', (o as any).seconds);
});
